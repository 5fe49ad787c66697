package server_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/auth/oidctest"
)

// The NHS App's web view adds its name and version to the user agent.
const (
	iosApp     = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 nhsapp-ios/2.40.0"
	androidApp = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 nhsapp-android/2.40.0"
	nhsAppJS   = "https://www.nhsapp.service.nhs.uk/js/v2/nhsapp.js"
)

// agent sends every request with a user agent.
type agent struct {
	ua   string
	next http.RoundTripper
}

func (a agent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", a.ua)
	return a.next.RoundTrip(r)
}

// inApp is a browser inside the NHS App's web view.
func (e *testEnv) inApp(t testing.TB, ua string) *browser {
	t.Helper()
	b := e.newBrowser(t)
	b.client.Transport = agent{ua: ua, next: http.DefaultTransport}
	return b
}

// follow records the addresses a browser is sent to.
func (b *browser) follow() *[]*url.URL {
	var seen []*url.URL
	b.client.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		seen = append(seen, req.URL)
		return nil
	}
	return &seen
}

func TestInsideTheNHSAppTheAppFramesThePage(t *testing.T) {
	e := mustStartServer(t)
	for _, c := range []struct {
		name   string
		b      *browser
		path   string
		inside bool
	}{
		{"iOS", e.inApp(t, iosApp), "/help", true},
		{"Android", e.inApp(t, androidApp), "/help", true},
		{"a browser", e.newBrowser(t), "/help", false},
		{"from=nhsApp", e.newBrowser(t), "/help?from=nhsApp", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			check := func(path string) {
				t.Helper()
				res, body := c.b.get(t, path)
				if res.StatusCode != 200 {
					t.Fatalf("%s: %d", path, res.StatusCode)
				}
				csp := res.Header.Get("Content-Security-Policy")
				has := func(s string) bool { return strings.Contains(body, s) }
				if c.inside {
					if has(`class="nhsuk-header"`) || has(`nhsuk-footer`) || has(`nhsuk-header__navigation`) {
						t.Errorf("%s inside the App draws Companion's header or footer", path)
					}
					if !has(`src="`+nhsAppJS+`"`) || !has(`/web/nhsapp-bridge.js`) || !has(`data-nhsapp-home`) {
						t.Errorf("%s inside the App does not load nhsapp.js and the bridge, or has no way back", path)
					}
					if !strings.Contains(csp, "script-src 'self' https://www.nhsapp.service.nhs.uk ") {
						t.Errorf("CSP inside the App: %s", csp)
					}
					return
				}
				if !has(`class="nhsuk-header"`) || !has(`nhsuk-footer`) || has("nhsapp.service") || has("nhsapp-bridge") || has("data-nhsapp-home") {
					t.Errorf("%s outside the App changed", path)
				}
				if strings.Contains(csp, "nhsapp") || strings.Contains(csp, "https:") {
					t.Errorf("CSP outside the App allows another origin: %s", csp)
				}
			}
			check(c.path)
			check("/accessibility") // remembered for the browser session
		})
	}
	// Signed in inside the App: no sign-out (the App signs people out) and
	// no header navigation, but Companion's own pages are a link away.
	amara := e.signIn(t, "9990000018")
	amara.client.Transport = agent{ua: androidApp, next: http.DefaultTransport}
	_, body := amara.get(t, "/")
	if strings.Contains(body, `action="/auth/logout"`) || !strings.Contains(body, `href="/settings"`) || !strings.Contains(body, `href="/profiles"`) {
		t.Error("signed in inside the App: a sign-out, or no way to settings and profiles")
	}
	// Styled for the App by ?from=nhsApp alone (a link from anywhere can
	// say that): who is signed in and signing out stay; ?from= anything
	// else ends it.
	styled := e.signIn(t, "9990000018")
	_, body = styled.get(t, "/?from=nhsApp")
	if strings.Contains(body, `class="nhsuk-header"`) || !strings.Contains(body, `action="/auth/logout"`) || !strings.Contains(body, "Amara Okafor") {
		t.Error("?from=nhsApp in a browser hid who is signed in, or the sign-out")
	}
	if _, body = styled.get(t, "/help?from=companion"); !strings.Contains(body, `class="nhsuk-header"`) {
		t.Error("?from=companion did not end the App's styling")
	}
}

func TestSingleSignOnFromTheSandboxNHSApp(t *testing.T) {
	e := mustStartServer(t)
	b := e.inApp(t, iosApp)
	seen := b.follow()
	res, body := b.get(t, "/sandbox-login/nhsapp?account=9990000018&path="+url.QueryEscape("/appointments?type=gp"))
	if res.StatusCode != 200 || res.Request.URL.Path != "/appointments" || res.Request.URL.Query().Get("type") != "gp" {
		t.Fatalf("ended at %s (%d)", res.Request.URL, res.StatusCode)
	}
	if strings.Contains(body, "sandbox-login/authorize") {
		t.Error("shown the sign-in picker")
	}
	var assertion string
	for _, u := range *seen {
		q := u.Query()
		if a := q.Get("assertedLoginIdentity"); a != "" {
			assertion = a
		}
		if u.Path == "/sandbox-login/authorize" {
			if q.Get("prompt") != "none" || q.Get("asserted_login_identity") == "" || q.Get("asserted_login_identity") != assertion {
				t.Errorf("authorize without prompt=none and the assertion: %s", u.RawQuery)
			}
		}
		if u.Path != "/sandbox-login/authorize" && strings.Contains(u.RawQuery, "assertedLoginIdentity") && u.Path != "/appointments" {
			t.Errorf("the assertion went to %s", u.Path)
		}
	}
	if assertion == "" || strings.Contains(res.Request.URL.RawQuery, "assertedLoginIdentity") {
		t.Fatalf("no assertion seen, or it stayed in the page's address: %s", res.Request.URL)
	}
	if status, me := b.me(t); status != 200 || me.Name != "Amara Okafor" {
		t.Fatalf("me = %d %+v", status, me)
	}
	// Neither the logs nor Redis hold the assertion.
	if strings.Contains(e.logs.String(), sig(assertion)) {
		t.Error("the assertion is in the logs")
	}
	e.noValueHolds(t, assertion)

	// An assertion is good once.
	again := e.inApp(t, iosApp)
	res, body = again.get(t, "/appointments?assertedLoginIdentity="+assertion)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `data-error-code="sign_in_nhsapp_login_required"`) ||
		!strings.Contains(body, `href="/auth/login"`) || !strings.Contains(body, "data-nhsapp-home") {
		t.Errorf("replayed assertion: %d, want the login-required page with both ways on", res.StatusCode)
	}
	if status, _ := again.me(t); status != http.StatusUnauthorized {
		t.Error("a replayed assertion signed someone in")
	}
	// Not an assertion at all: refused before anything is sent anywhere.
	for _, bad := range []string{"not-a-jwt", "a.b.c.d", strings.Repeat("a", 5000) + ".b.c", "a.b.c&assertedLoginIdentity=a.b.c"} {
		res, body := e.inApp(t, iosApp).get(t, "/?assertedLoginIdentity="+bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-error-code="sign_in_nhsapp_bad_assertion"`) {
			t.Errorf("assertion %.20q: %d", bad, res.StatusCode)
		}
	}
	// The person will not share their details with Companion.
	res, body = e.inApp(t, androidApp).get(t, "/sandbox-login/nhsapp?account=9990000018&consent=no")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, `data-error-code="sign_in_nhsapp_consent"`) ||
		!strings.Contains(body, "You cannot continue without sharing your information") || !strings.Contains(body, "data-nhsapp-home") {
		t.Errorf("consent not given: %d", res.StatusCode)
	}
	// The API never starts a sign-in.
	api := e.inApp(t, iosApp)
	api.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if res, body := api.get(t, "/api/v1/me?assertedLoginIdentity="+fresh(t, e)); res.StatusCode != http.StatusUnauthorized ||
		res.Header.Get("Location") != "" || !strings.Contains(body, `"code":"unauthenticated"`) {
		t.Errorf("API with an assertion: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// Only the App's web view is signed on: a link from another site that
	// carries someone's assertion to an ordinary browser signs nobody in
	// (login CSRF), and the assertion goes no further.
	victim := e.newBrowser(t)
	seen = victim.follow()
	planted := fresh(t, e)
	res, body = victim.get(t, "/appointments?from=nhsApp&assertedLoginIdentity="+planted)
	for _, u := range *seen {
		if strings.Contains(u.RawQuery, "asserted") {
			t.Errorf("an ordinary browser took the assertion to %s", u.Path)
		}
	}
	if status, _ := victim.me(t); status != http.StatusUnauthorized || strings.Contains(body, sig(planted)) {
		t.Errorf("an ordinary browser was signed on (%d), or shown the assertion", status)
	}
	// A refused assertion is not written into the page.
	res, body = e.inApp(t, iosApp).get(t, "/?assertedLoginIdentity="+planted+"&assertedLoginIdentity="+planted)
	if res.StatusCode != http.StatusBadRequest || strings.Contains(body, sig(planted)) {
		t.Errorf("a refused assertion: %d, or in the page", res.StatusCode)
	}
}

// fresh is a new assertion from the sandbox NHS App for Amara, not used.
func fresh(t *testing.T, e *testEnv) string {
	t.Helper()
	b := e.newBrowser(t)
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, _ := b.get(t, "/sandbox-login/nhsapp?account=9990000018")
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil || u.Query().Get("assertedLoginIdentity") == "" {
		t.Fatalf("the sandbox NHS App made no assertion: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	return u.Query().Get("assertedLoginIdentity")
}

// sig is a JWT's signature, the part no other token shares.
func sig(jwt string) string { return jwt[strings.LastIndexByte(jwt, '.')+1:] }

// noValueHolds fails if any key in Redis, or any value, holds the JWT s
// (its signature, which no other token shares).
func (e *testEnv) noValueHolds(t *testing.T, s string) {
	t.Helper()
	ctx := context.Background()
	rdb := e.redis.Client(t)
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		var vals []string
		switch rdb.Type(ctx, k).Val() {
		case "string":
			vals = []string{rdb.Get(ctx, k).Val()}
		case "hash":
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				vals = append(vals, f, v)
			}
		case "stream":
			for _, m := range rdb.XRange(ctx, k, "-", "+").Val() {
				for f, v := range m.Values {
					vals = append(vals, f, v.(string))
				}
			}
		case "list":
			vals = rdb.LRange(ctx, k, 0, -1).Val()
		case "set":
			vals = rdb.SMembers(ctx, k).Val()
		case "zset":
			vals = rdb.ZRange(ctx, k, 0, -1).Val()
		}
		for _, v := range append(vals, k) {
			if strings.Contains(v, sig(s)) {
				t.Errorf("Redis %s holds the assertion", k)
			}
		}
	}
}

// startWithNHSApp runs Companion against a real OpenID Provider that takes
// the NHS App's assertions.
func startWithNHSApp(t *testing.T, env ...string) (*testEnv, *oidctest.NHSApp) {
	t.Helper()
	key, pemKey := clientKey(t)
	appKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	app := &oidctest.NHSApp{ClientID: "nhs-app", Key: appKey, Sessions: map[string]oidctest.AppSession{
		"app-session-amara":     {Account: "amara"},
		"app-session-no-sharer": {Account: "amara", NoConsent: true},
	}}
	e := mustStartServerAt(t, func(base string) []string {
		op := oidctest.MustStart(t, oidctest.Config{
			Clients: []oidctest.Client{{ClientID: "companion", RedirectURIs: []string{base + "/auth/callback"},
				PublicKey: &key.PublicKey, KeyID: "companion-1"}},
			Accounts: map[string]oidctest.Account{"amara": {VoT: "P9.Cp.Cd", Claims: amaraClaims(t, nil)}},
			NHSApp:   app,
		})
		return append([]string{"NHSLOGIN_ISSUER", op.Issuer, "NHSLOGIN_CLIENT_ID", "companion", "NHSLOGIN_KEY", pemKey,
			"NHSLOGIN_KEY_ID", "companion-1", "NHSLOGIN_VTR", `["P9.Cp.Cd"]`}, env...)
	})
	return e, app
}

func TestSingleSignOnWithARealProvider(t *testing.T) {
	e, app := startWithNHSApp(t)
	now := time.Now()
	b := e.inApp(t, androidApp)
	seen := b.follow()
	good := app.Assert(t, "app-session-amara", now, time.Minute)
	res, body := b.get(t, "/appointments?from=nhsApp&assertedLoginIdentity="+good)
	if res.StatusCode != 200 || res.Request.URL.Path != "/appointments" || !strings.Contains(body, "Amara") {
		t.Fatalf("ended at %s (%d)", res.Request.URL, res.StatusCode)
	}
	sent := false
	for _, u := range *seen {
		if strings.HasSuffix(u.Path, "/auth") && u.Query().Get("client_id") == "companion" {
			sent = u.Query().Get("prompt") == "none" && u.Query().Get("asserted_login_identity") == good
		}
	}
	if !sent {
		t.Error("NHS login was not asked with prompt=none and the assertion")
	}
	if status, me := b.me(t); status != 200 || me.Name != "Amara Okafor" {
		t.Errorf("me = %d %+v", status, me)
	}
	e.noValueHolds(t, good)

	for _, c := range []struct {
		name, assertion, code string
		status                int
	}{
		{"used before", good, "sign_in_nhsapp_login_required", http.StatusUnauthorized},
		{"expired", app.Assert(t, "app-session-amara", now.Add(-2*time.Minute), time.Minute), "sign_in_nhsapp_login_required", http.StatusUnauthorized},
		{"good too long", app.Assert(t, "app-session-amara", now, 10*time.Minute), "sign_in_nhsapp_login_required", http.StatusUnauthorized},
		{"no such session", app.Assert(t, "app-session-nobody", now, time.Minute), "sign_in_nhsapp_login_required", http.StatusUnauthorized},
		{"consent not given", app.Assert(t, "app-session-no-sharer", now, time.Minute), "sign_in_nhsapp_consent", http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := e.inApp(t, iosApp)
			res, body := b.get(t, "/appointments?assertedLoginIdentity="+c.assertion)
			if res.StatusCode != c.status || !strings.Contains(body, `data-error-code="`+c.code+`"`) {
				t.Errorf("%d at %s, want %d %s", res.StatusCode, res.Request.URL.Path, c.status, c.code)
			}
			if status, _ := b.me(t); status != http.StatusUnauthorized {
				t.Error("signed someone in")
			}
			// The ordinary sign-in is still there.
			b.client.CheckRedirect = oidctest.SignInAs("amara")
			if res, _ := b.get(t, "/auth/login?return=/appointments"); res.Request.URL.Path != "/appointments" {
				t.Errorf("signing in normally ended at %s", res.Request.URL)
			}
		})
	}
}

func TestATimedOutSessionInsideTheAppGoesBackToTheApp(t *testing.T) {
	e := mustStartServer(t, "SESSION_IDLE", "1s", "SESSION_ABSOLUTE", "1h")
	b := e.inApp(t, iosApp)
	if res, _ := b.get(t, "/sandbox-login/nhsapp?account=9990000018&path=/appointments"); res.Request.URL.Path != "/appointments" {
		t.Fatalf("single sign-on ended at %s", res.Request.URL)
	}
	outside := e.signIn(t, "9990000018")
	time.Sleep(1500 * time.Millisecond)
	res, body := b.get(t, "/appointments")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `data-error-code="sign_in_nhsapp_timeout"`) ||
		!strings.Contains(body, "data-nhsapp-go-home") || strings.Contains(body, "sandbox-login/authorize") {
		t.Errorf("timed out inside the App: %d at %s", res.StatusCode, res.Request.URL)
	}
	// Outside the App a timed-out session goes to sign in, as before.
	res, body = outside.get(t, "/appointments")
	outside.pick(t, res, body, "9990000018")
}
