package config

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsAreSandbox(t *testing.T) {
	got, err := Load(env())
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Env: EnvSandbox, Addr: "127.0.0.1", Port: 8080, MetricsAddr: "127.0.0.1:9090",
		GPSystem: "sandbox", WebDir: "web", LogLevel: "info", ShutdownTimeout: 15 * time.Second,
		PublicURL: "http://127.0.0.1:8080",
		FHIR:      FHIR{Timeout: 5 * time.Second, Scope: "system/*.read system/*.write"},
		NHSLogin:  OIDC{VTR: []string{"P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm", "P5.Cp.Cd", "P5.Cp.Ck", "P5.Cm"}},
		StaffRBAC: StaffRBAC{SiteAdminRoles: []string{"R8000", "R8001", "R8003", "R8008"}, NationalAdmins: []string{"X26:R8015"}, MessagingRoles: []string{"R8010"}, MinAAL: 3},
		Push: Push{Subject: "mailto:companion@example.nhs.uk", Tick: time.Second,
			Services: []string{"fcm.googleapis.com", "updates.push.services.mozilla.com", ".push.apple.com", ".notify.windows.com"}},
		NHSApp: NHSApp{JSURL: "https://www.nhsapp.service.nhs.uk/js/v2/nhsapp.js", Origin: "https://www.nhsapp.service.nhs.uk",
			Home: "https://www.nhsapp.service.nhs.uk/"},
		SessionIdle: 30 * time.Minute, SessionAbsolute: 12 * time.Hour, RateSignIn: 20, RateAPI: 300,
		AuditRetention:     17520 * time.Hour,
		BookingConcurrency: 64, SlotCacheTTL: 3 * time.Second, SlotHold: 5 * time.Minute, WaitlistOffer: 15 * time.Minute, SandboxPrescriptionStep: 2 * time.Minute,
		ContactHours: "Mon-Fri 08:00-18:30", ContactMaxSuspension: 4 * time.Hour,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if !got.Sandbox() || got.ListenAddr() != "127.0.0.1:8080" {
		t.Errorf("Sandbox() = %v, ListenAddr() = %q", got.Sandbox(), got.ListenAddr())
	}
}

func TestProductionRefusesSandboxParts(t *testing.T) {
	tests := []struct {
		name  string
		env   func(string) (string, bool)
		wants []string
	}{
		{"everything sandbox", env("COMPANION_ENV", "production"), []string{"refusing to start", "in-process Redis", "sandbox GP system"}},
		{"redis set, GP still sandbox", env("COMPANION_ENV", "production", "REDIS_URL", "redis://r:6379/0"), []string{"refusing to start", "sandbox GP system", "sandbox NHS login", "sandbox staff login"}},
		{"plain http", env("COMPANION_ENV", "production", "PUBLIC_URL", "http://companion.example"), []string{"PUBLIC_URL must be https", "PATIENT_ID_KEY is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.env)
			if err == nil {
				t.Fatal("production started with sandbox parts")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestBadValuesAreReportedTogether(t *testing.T) {
	_, err := Load(env("PORT", "eighty", "LOG_LEVEL", "loud", "COMPANION_ENV", "staging", "TRUST_PROXY", "maybe",
		"SHUTDOWN_TIMEOUT", "-1s", "METRICS_ADDR", "nope", "TLS_CERT_FILE", "c.pem", "GP_SYSTEM", "emis"))
	if err == nil {
		t.Fatal("bad values accepted")
	}
	for _, w := range []string{"PORT", "LOG_LEVEL", "COMPANION_ENV", "TRUST_PROXY", "SHUTDOWN_TIMEOUT", "METRICS_ADDR", "TLS_KEY_FILE", "GP_SYSTEM"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %s: %v", w, err)
		}
	}
}

func TestOIDCNeedsItsParts(t *testing.T) {
	_, err := Load(env("NHSLOGIN_ISSUER", "https://auth.login.nhs.uk", "NHSLOGIN_VTR", "P9"))
	if err == nil || !strings.Contains(err.Error(), "NHSLOGIN_CLIENT_ID") || !strings.Contains(err.Error(), "NHSLOGIN_VTR") {
		t.Errorf("incomplete NHS login config accepted: %v", err)
	}
	c, err := Load(env("NHSLOGIN_ISSUER", "https://auth.example", "NHSLOGIN_CLIENT_ID", "c", "NHSLOGIN_KEY", "pem", "NHSLOGIN_KEY_ID", "k",
		"NHSLOGIN_VTR", `["P9.Cp.Cd"]`, "PUBLIC_URL", "https://companion.example/"))
	if err != nil {
		t.Fatal(err)
	}
	if c.NHSLogin.ClientID != "c" || len(c.NHSLogin.VTR) != 1 || c.PublicURL != "https://companion.example" || !c.SecureCookies() {
		t.Errorf("loaded %+v", c)
	}
}

func TestOverrides(t *testing.T) {
	got, err := Load(env("ADDR", "0.0.0.0", "PORT", "9000", "METRICS_ADDR", "", "REDIS_URL", "redis://x:1/0", "TRUST_PROXY", "true"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ListenAddr() != "0.0.0.0:9000" || got.MetricsAddr != "" || got.RedisURL != "redis://x:1/0" || !got.TrustProxy {
		t.Errorf("overrides not applied: %+v", got)
	}
}

func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Variables {
		if !strings.Contains(string(readme), "| `"+v.Name+"` |") {
			t.Errorf("README's configuration table has no row for %s", v.Name)
		}
	}
	var src []byte
	for _, f := range []string{"config.go", "fhir.go", "staff.go", "push.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	for _, line := range strings.Split(string(src), "\n") {
		if i := strings.Index(line, `get("`); i >= 0 {
			name := line[i+5:]
			name = name[:strings.Index(name, `"`)]
			found := false
			for _, v := range Variables {
				found = found || v.Name == name
			}
			if !found {
				t.Errorf("Load reads %s but Variables does not document it", name)
			}
		}
	}
}

// TestAddrWithAPortNamesADDR: an ADDR given as host:port is ADDR's mistake,
// said as such, not a complaint about the PUBLIC_URL built from it.
func TestAddrWithAPortNamesADDR(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", "localhost:80", "[::1]:8080"} {
		_, err := Load(env("ADDR", addr))
		if err == nil || !strings.Contains(err.Error(), "ADDR must be a host or IP address without a port") {
			t.Errorf("ADDR=%s: %v", addr, err)
		}
		if err != nil && strings.Contains(err.Error(), "PUBLIC_URL") {
			t.Errorf("ADDR=%s blames PUBLIC_URL: %v", addr, err)
		}
	}
	for _, addr := range []string{"0.0.0.0", "::1", "localhost"} {
		if _, err := Load(env("ADDR", addr)); err != nil {
			t.Errorf("ADDR=%s refused: %v", addr, err)
		}
	}
}

func TestFHIRSettings(t *testing.T) {
	env := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	for _, tc := range []struct {
		name string
		env  []string
		want string // "" for no error; else a substring of the error
	}{
		{"fhir with a base", []string{"GP_SYSTEM", "fhir", "FHIR_BASE_URL", "http://127.0.0.1:1/fhir/R4"}, ""},
		{"fhir without a base", []string{"GP_SYSTEM", "fhir"}, "needs FHIR_BASE_URL"},
		{"not a URL", []string{"GP_SYSTEM", "fhir", "FHIR_BASE_URL", "gp.example"}, "FHIR_BASE_URL must be an http(s) URL"},
		{"token without a client", []string{"GP_SYSTEM", "fhir", "FHIR_BASE_URL", "https://gp.example/fhir", "FHIR_TOKEN_URL", "https://gp.example/token"}, "FHIR_TOKEN_URL needs"},
		{"half a certificate", []string{"GP_SYSTEM", "fhir", "FHIR_BASE_URL", "https://gp.example/fhir", "FHIR_TLS_CERT_FILE", "c.pem"}, "go together"},
		{"bad timeout", []string{"GP_SYSTEM", "fhir", "FHIR_BASE_URL", "https://gp.example/fhir", "FHIR_TIMEOUT", "soon"}, "FHIR_TIMEOUT"},
		{"production over http", []string{"COMPANION_ENV", "production", "GP_SYSTEM", "fhir", "FHIR_BASE_URL", "http://gp.example/fhir"}, "must be https in production"},
		{"production with no client authentication", []string{"COMPANION_ENV", "production", "GP_SYSTEM", "fhir", "FHIR_BASE_URL", "https://gp.example/fhir"}, "needs client authentication"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env...))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Load: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Load: %v; want an error saying %q", err, tc.want)
			}
		})
	}
}

func TestNHSAppScriptIsHTTPSOrSandboxLoopback(t *testing.T) {
	for _, c := range []struct {
		env, url string
		ok       bool
	}{
		{"sandbox", "http://127.0.0.1:4000/js/v2/nhsapp.js", true},
		{"sandbox", "https://app.example/js/v2/nhsapp.js", true},
		{"sandbox", "http://app.example/js/v2/nhsapp.js", false},
		{"sandbox", "javascript:alert(1)", false},
		{"sandbox", "https://user:pw@app.example/nhsapp.js", false},
		{"production", "http://127.0.0.1:4000/js/v2/nhsapp.js", false},
	} {
		_, errs := loadNHSApp(func(name, def string) string {
			if name == "NHSAPP_JS_URL" {
				return c.url
			}
			return def
		}, Env(c.env))
		if (len(errs) == 0) != c.ok {
			t.Errorf("%s %s: %v", c.env, c.url, errs)
		}
	}
}
