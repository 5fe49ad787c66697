package config

import (
	"fmt"
	"net"
	"net/url"
)

// NHSApp configures Companion inside the NHS App (NHSAPP_*).
type NHSApp struct {
	// JSURL is the NHS App's JavaScript API (NHSAPP_JS_URL), loaded only
	// by pages inside the App.
	JSURL string
	// Origin is JSURL's origin: the one external origin a page inside the
	// App may load a script from.
	Origin string
	// Home is the NHS App's home page on the web, where "back to the NHS
	// App" goes when the App's JavaScript API cannot take it.
	Home string
}

const defaultNHSAppJS = "https://www.nhsapp.service.nhs.uk/js/v2/nhsapp.js"

var nhsAppVariables = []Variable{
	{"NHSAPP_JS_URL", defaultNHSAppJS, "The NHS App's JavaScript API (v2), loaded only by pages inside the NHS App; its origin is the one external origin the Content-Security-Policy then allows. https (plain http on loopback in sandbox, for tests' stand-in)."},
}

func loadNHSApp(get func(name, def string) string, env Env) (NHSApp, []error) {
	raw := get("NHSAPP_JS_URL", defaultNHSAppJS)
	u, err := url.Parse(raw)
	loopback := false
	if err == nil {
		ip := net.ParseIP(u.Hostname())
		loopback = ip != nil && ip.IsLoopback()
	}
	if err != nil || u.Host == "" || u.User != nil || !(u.Scheme == "https" || u.Scheme == "http" && loopback && env == EnvSandbox) {
		return NHSApp{}, []error{fmt.Errorf("NHSAPP_JS_URL must be an https URL (http on loopback in sandbox), got %q", raw)}
	}
	origin := u.Scheme + "://" + u.Host
	return NHSApp{JSURL: u.String(), Origin: origin, Home: origin + "/"}, nil
}
