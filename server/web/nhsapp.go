package web

import (
	"net/http"
	"strings"
)

// NHSAppCookie remembers, for the browser session, that Companion was
// opened from the NHS App with ?from=nhsApp (the NHS App's guidance for
// web views whose user agent does not say so).
const NHSAppCookie = "nhsapp"

// InNHSApp reports whether the request comes from inside the NHS App: the
// App's web view adds nhsapp-ios/<version> or nhsapp-android/<version> to
// the user agent, or this browser session arrived with ?from=nhsApp (and
// has not since come with another from=).
func InNHSApp(r *http.Request) bool {
	if NHSAppWebView(r) {
		return true
	}
	if r.URL.RawQuery != "" {
		if from := r.URL.Query().Get("from"); from != "" {
			return from == "nhsApp" // any other from= ends it
		}
	}
	c, err := r.Cookie(NHSAppCookie)
	return err == nil && c.Value == "1"
}

// NHSAppWebView reports whether the request comes from the NHS App's own
// web view, by its user agent: something a link from another site cannot
// set, unlike ?from=nhsApp.
func NHSAppWebView(r *http.Request) bool {
	ua := r.UserAgent()
	return strings.Contains(ua, "nhsapp-ios/") || strings.Contains(ua, "nhsapp-android/")
}

// NHSApp is what a page inside the NHS App loads and links to.
type NHSApp struct {
	// JSURL is the App's JavaScript API; Origin its origin, the one
	// external origin such a page may load a script from.
	JSURL, Origin string
	// Home is the App's home page on the web, for when its API is missing.
	Home string
}

// cspInNHSApp is contentSecurityPolicy with the NHS App's origin added to
// script-src, for a page inside the App alone.
func cspInNHSApp(origin string) string {
	return strings.Replace(contentSecurityPolicy, "script-src 'self'", "script-src 'self' "+origin, 1)
}
