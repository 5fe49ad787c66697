package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
)

// browser is an HTTP client with its own cookie jar, like one person's browser.
type browser struct {
	env    *testEnv
	client *http.Client
}

func (e *testEnv) newBrowser(t testing.TB) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	// A bound on a hung request, not a measure of speed: races of hundreds
	// of requests on a busy two-core machine take their time.
	return &browser{env: e, client: &http.Client{Jar: jar, Timeout: time.Minute}}
}

// signIn signs in through the sandbox NHS login with login_hint, exactly as
// `curl -L -c jar -b jar /auth/login?login_hint=…` does.
func (e *testEnv) signIn(t testing.TB, nhsNumber string) *browser {
	t.Helper()
	b := e.newBrowser(t)
	res, body := b.get(t, "/auth/login?login_hint="+nhsNumber)
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" {
		t.Fatalf("sign-in ended at %s with %d: %.300s", res.Request.URL, res.StatusCode, body)
	}
	return b
}

func (b *browser) get(t testing.TB, path string) (*http.Response, string) {
	t.Helper()
	res, err := b.client.Get(b.env.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b *browser) post(t testing.TB, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.env.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.env.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// pick answers the sandbox sign-in picker the browser has landed on, as a
// person would: choose an account, press Continue.
func (b *browser) pick(t testing.TB, res *http.Response, body, account string) (*http.Response, string) {
	t.Helper()
	if !strings.HasPrefix(res.Request.URL.Path, "/sandbox-login/authorize") {
		t.Fatalf("expected the sign-in picker, got %s (%d): %.3000s", res.Request.URL, res.StatusCode, body)
	}
	doc := parse(t, body)
	form := url.Values{"account": {account}}
	for _, in := range all(doc, el("input")) {
		if typ, _ := attr(in, "type"); typ == "hidden" {
			name, _ := attr(in, "name")
			value, _ := attr(in, "value")
			form.Set(name, value)
		}
	}
	return b.post(t, res.Request.URL.Path, form)
}

func (b *browser) me(t testing.TB) (int, api.Me) {
	t.Helper()
	res, body := b.get(t, "/api/v1/me")
	var me api.Me
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &me); err != nil {
			t.Fatal(err)
		}
	}
	return res.StatusCode, me
}

func (b *browser) cookie(t testing.TB) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(b.env.url)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "companion" {
			return c
		}
	}
	return nil
}

func TestSignInWithLoginHintThenMe(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	status, me := amara.me(t)
	if status != http.StatusOK || me.Name != "Amara Okafor" || me.ProofingLevel != "P9" || me.GPPractice != "Z00001" {
		t.Fatalf("me = %d %+v", status, me)
	}
	if len(me.PatientID) != 26 || strings.Contains(me.PatientID, "999") {
		t.Errorf("patient_id %q is not opaque", me.PatientID)
	}
	_, home := amara.get(t, "/")
	if !strings.Contains(home, "Hello, Amara Okafor") {
		t.Error("home page does not greet Amara")
	}
	if strings.Contains(home, "9990000018") {
		t.Error("a page displays the NHS number")
	}
	c := amara.cookie(t)
	if c == nil || len(c.Value) < 43 {
		t.Fatalf("session cookie %+v", c)
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	e := mustStartServer(t)
	b := e.newBrowser(t)
	b.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/" {
			return http.ErrUseLastResponse
		}
		return nil
	}
	res, _ := b.get(t, "/auth/login?login_hint=9990000018")
	var set string
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "companion=") {
			set = v
		}
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(set, want) {
			t.Errorf("session cookie %q lacks %s", set, want)
		}
	}
}

func TestP5UserIsToldToProveIdentity(t *testing.T) {
	e := mustStartServer(t)
	tom := e.signIn(t, "9990000069")
	status, me := tom.me(t)
	if status != 200 || me.ProofingLevel != "P5" {
		t.Fatalf("me = %d %+v", status, me)
	}
	_, home := tom.get(t, "/")
	if !strings.Contains(home, `id="prove-identity"`) {
		t.Error("P5 home page does not explain how to prove identity")
	}
	amara := e.signIn(t, "9990000018")
	if _, home := amara.get(t, "/"); strings.Contains(home, `id="prove-identity"`) {
		t.Error("P9 home page asks to prove identity")
	}
}

func TestSignInRotatesTheSessionID(t *testing.T) {
	e := mustStartServer(t)
	b := e.signIn(t, "9990000018")
	first := b.cookie(t).Value
	// Signing in again in the same browser gives a new ID and ends the old one.
	b.get(t, "/auth/login?login_hint=9990000018")
	second := b.cookie(t).Value
	if first == second {
		t.Fatal("session ID not rotated at sign-in")
	}
	old := e.newBrowser(t)
	u, _ := url.Parse(e.url)
	old.client.Jar.SetCookies(u, []*http.Cookie{{Name: "companion", Value: first, Path: "/"}})
	if status, _ := old.me(t); status != http.StatusUnauthorized {
		t.Errorf("old session still works after re-sign-in: %d", status)
	}
}

func TestSignOutEndsSessionAndClearsSiteData(t *testing.T) {
	e := mustStartServer(t)
	b := e.signIn(t, "9990000018")
	stolen := b.cookie(t).Value
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, _ := b.post(t, "/auth/logout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signed-out" {
		t.Errorf("sign-out answered %d → %s", res.StatusCode, res.Header.Get("Location"))
	}
	if got := res.Header.Get("Clear-Site-Data"); got != `"cache", "storage"` {
		t.Errorf("Clear-Site-Data = %q", got)
	}
	if c := b.cookie(t); c != nil {
		t.Errorf("cookie not cleared: %+v", c)
	}
	// A copy of the cookie taken before sign-out is useless.
	thief := e.newBrowser(t)
	u, _ := url.Parse(e.url)
	thief.client.Jar.SetCookies(u, []*http.Cookie{{Name: "companion", Value: stolen, Path: "/"}})
	if status, _ := thief.me(t); status != http.StatusUnauthorized {
		t.Errorf("stolen cookie after sign-out: %d", status)
	}
	_, body := e.newBrowser(t).get(t, "/signed-out")
	if !strings.Contains(body, "You have signed out") {
		t.Error("no signed-out page")
	}
}

func TestSignOutEverywhere(t *testing.T) {
	e := mustStartServer(t)
	phone := e.signIn(t, "9990000018")
	laptop := e.signIn(t, "9990000018")
	priya := e.signIn(t, "9990000034")
	var sessions []api.SessionInfo
	_, body := phone.get(t, "/api/v1/sessions")
	if err := json.Unmarshal([]byte(body), &sessions); err != nil || len(sessions) != 2 {
		t.Fatalf("Amara's sessions: %s", body)
	}
	phone.post(t, "/auth/logout-everywhere", nil)
	for name, b := range map[string]*browser{"phone": phone, "laptop": laptop} {
		if status, _ := b.me(t); status != http.StatusUnauthorized {
			t.Errorf("%s still signed in after sign out everywhere: %d", name, status)
		}
	}
	if status, _ := priya.me(t); status != http.StatusOK {
		t.Errorf("someone else's session ended: %d", status)
	}
}

func TestSettingsListsAndEndsSessions(t *testing.T) {
	e := mustStartServer(t)
	phone := e.signIn(t, "9990000018")
	laptop := e.signIn(t, "9990000018")
	_, page := phone.get(t, "/settings")
	if !strings.Contains(page, "You are signed in on 2 devices.") || !strings.Contains(page, "This device") {
		t.Fatalf("settings page does not list both sessions")
	}
	var sessions []api.SessionInfo
	_, body := phone.get(t, "/api/v1/sessions")
	json.Unmarshal([]byte(body), &sessions)
	var other string
	for _, s := range sessions {
		if !s.Current {
			other = s.ID
		}
	}
	// Someone else cannot end Amara's session.
	priya := e.signIn(t, "9990000034")
	if res, _ := priya.post(t, "/settings/sessions/"+other+"/end", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("Priya ending Amara's session: %d, want 404", res.StatusCode)
	}
	if status, _ := laptop.me(t); status != http.StatusOK {
		t.Fatal("Amara's laptop session was ended by someone else")
	}
	phone.post(t, "/settings/sessions/"+other+"/end", nil)
	if status, _ := laptop.me(t); status != http.StatusUnauthorized {
		t.Errorf("ended session still works: %d", status)
	}
	if status, _ := phone.me(t); status != http.StatusOK {
		t.Errorf("current session ended too: %d", status)
	}
}

func TestExpiredSessionSendsToSignInAndBack(t *testing.T) {
	e := mustStartServer(t, "SESSION_IDLE", "1s", "SESSION_ABSOLUTE", "1h")
	b := e.signIn(t, "9990000018")
	time.Sleep(1500 * time.Millisecond)
	if status, _ := b.me(t); status != http.StatusUnauthorized {
		t.Fatalf("idle session still works: %d", status)
	}
	b = e.signIn(t, "9990000018")
	time.Sleep(1500 * time.Millisecond)
	// A page with an ended session goes to sign in, then back to the page.
	res, body := b.get(t, "/settings")
	res, _ = b.pick(t, res, body, "9990000018")
	if res.Request.URL.Path != "/settings" || res.StatusCode != 200 {
		t.Errorf("after timing out, /settings ended at %s (%d)", res.Request.URL, res.StatusCode)
	}
}

func TestAbsoluteLifetimeEndsActiveSession(t *testing.T) {
	e := mustStartServer(t, "SESSION_IDLE", "1s", "SESSION_ABSOLUTE", "2s")
	b := e.signIn(t, "9990000018")
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline.Add(-300 * time.Millisecond)) {
		if status, _ := b.me(t); status != http.StatusOK {
			t.Fatalf("active session ended before its absolute lifetime: %d", status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(600 * time.Millisecond)
	if status, _ := b.me(t); status != http.StatusUnauthorized {
		t.Errorf("session outlived its absolute lifetime while active: %d", status)
	}
}

func TestRedisRestartMidSession(t *testing.T) {
	e := mustStartServer(t)
	b := e.signIn(t, "9990000018")
	e.redis.Stop()
	res, body := b.get(t, "/")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Sorry, there is a problem with the service") {
		t.Errorf("with Redis down: %d %.200s", res.StatusCode, body)
	}
	if status, _ := b.me(t); status != http.StatusServiceUnavailable {
		t.Errorf("API with Redis down: %d", status)
	}
	e.redis.Restart(t)
	e.waitReady(t)
	// Redis came back empty: the old session is gone and the page says to
	// sign in again; signing in works.
	res, body = b.get(t, "/settings")
	if res, _ := b.pick(t, res, body, "9990000018"); res.Request.URL.Path != "/settings" || res.StatusCode != http.StatusOK {
		t.Errorf("after Redis came back, /settings ended at %s (%d)", res.Request.URL, res.StatusCode)
	}
	b = e.signIn(t, "9990000018")
	if status, me := b.me(t); status != http.StatusOK || me.Name != "Amara Okafor" {
		t.Errorf("after Redis came back: %d %+v", status, me)
	}
}

func TestRateLimitedSignIn(t *testing.T) {
	e := mustStartServer(t, "RATE_LIMIT_SIGNIN", "3")
	b := e.newBrowser(t)
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var last *http.Response
	for i := 0; i < 4; i++ {
		last, _ = b.get(t, "/auth/login")
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Errorf("4th sign-in start: %d Retry-After=%q", last.StatusCode, last.Header.Get("Retry-After"))
	}
}

func TestRateLimitedAPI(t *testing.T) {
	e := mustStartServer(t, "RATE_LIMIT_API", "5")
	b := e.signIn(t, "9990000018")
	codes := map[int]int{}
	var last *http.Response
	for i := 0; i < 7; i++ {
		last, _ = b.get(t, "/api/v1/me")
		codes[last.StatusCode]++
	}
	if codes[200] != 5 || codes[429] != 2 || last.Header.Get("Retry-After") == "" {
		t.Errorf("codes %v, Retry-After %q", codes, last.Header.Get("Retry-After"))
	}
}

func TestReplayedCallbackIsRefusedAndAudited(t *testing.T) {
	e := mustStartServer(t)
	b := e.newBrowser(t)
	var callback string
	b.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			callback = req.URL.String()
		}
		return nil
	}
	b.get(t, "/auth/login?login_hint=9990000018")
	if callback == "" {
		t.Fatal("no callback seen")
	}
	replay := e.newBrowser(t)
	res, body := replay.get(t, strings.TrimPrefix(callback, e.url))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "We could not sign you in") {
		t.Errorf("replayed callback: %d", res.StatusCode)
	}
	if status, _ := replay.me(t); status != http.StatusUnauthorized {
		t.Error("a replayed callback signed someone in")
	}
	if !e.auditHas(t, "callback_refused", "patient:state") {
		t.Error("refused callback not audited")
	}
	if !e.auditHas(t, "sign_in", "patient:P9.Cp.Cd") {
		t.Error("sign-in not audited")
	}
}

func TestProviderErrorIsRefused(t *testing.T) {
	e := mustStartServer(t)
	b := e.newBrowser(t)
	b.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.Contains(req.URL.Path, "/sandbox-login/authorize") {
			// The person cancels at the provider: it answers with an error.
			q := req.URL.Query()
			req.URL, _ = url.Parse(e.url + "/auth/callback?error=access_denied&state=" + url.QueryEscape(q.Get("state")))
		}
		return nil
	}
	res, _ := b.get(t, "/auth/login?login_hint=9990000018")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("provider error: %d", res.StatusCode)
	}
	if !e.auditHas(t, "callback_refused", "patient:provider_access_denied") {
		t.Error("provider error not audited")
	}
}

func TestReturnPathsStayLocal(t *testing.T) {
	e := mustStartServer(t)
	for _, ret := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/auth/logout"} {
		b := e.newBrowser(t)
		res, _ := b.get(t, "/auth/login?login_hint=9990000018&return="+url.QueryEscape(ret))
		if res.Request.URL.Host != strings.TrimPrefix(e.url, "http://") || res.Request.URL.Path != "/" {
			t.Errorf("return=%q ended at %s", ret, res.Request.URL)
		}
	}
	b := e.newBrowser(t)
	res, _ := b.get(t, "/auth/login?login_hint=9990000018&return="+url.QueryEscape("/settings"))
	if res.Request.URL.Path != "/settings" {
		t.Errorf("local return path not honoured: %s", res.Request.URL)
	}
}

func (e *testEnv) auditHas(t testing.TB, action, reason string) bool {
	t.Helper()
	msgs, err := e.redis.Client(t).XRange(context.Background(), "companion:audit", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Values["action"] == action && m.Values["reason"] == reason {
			for _, v := range m.Values {
				if s, _ := v.(string); strings.Contains(s, "999000") {
					t.Errorf("audit event carries an NHS number: %v", m.Values)
				}
			}
			return true
		}
	}
	return false
}

func TestStaffAndPatientSessionsAreSeparate(t *testing.T) {
	e := mustStartServer(t)
	b := e.newBrowser(t)
	// /admin without a staff session goes to staff sign-in.
	res, _ := b.get(t, "/staff/login?login_hint=staff-site-z00001&return=/admin")
	if res.Request.URL.Path != "/admin" || res.StatusCode != 200 {
		t.Fatalf("staff sign-in ended at %s (%d)", res.Request.URL, res.StatusCode)
	}
	_, page := b.get(t, "/admin")
	if !strings.Contains(page, "Site administrator") || !strings.Contains(page, "Z00001") {
		t.Error("admin page does not show the staff member's role and practice")
	}
	// A staff session is not a patient session.
	if status, _ := b.me(t); status != http.StatusUnauthorized {
		t.Errorf("staff session opened the patient API: %d", status)
	}
	// And a patient session does not open staff pages.
	amara := e.signIn(t, "9990000018")
	amara.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, _ = amara.get(t, "/admin")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/login") {
		t.Errorf("patient at /admin: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// Patients cannot use the staff sign-in.
	if _, body := e.newBrowser(t).get(t, "/staff/login?login_hint=9990000018"); !strings.Contains(body, "Who do you want to sign in as?") {
		t.Error("a patient login_hint was accepted by staff sign-in")
	}
}

func TestLanguageChoiceIsRemembered(t *testing.T) {
	e := mustStartServer(t)
	b := e.newBrowser(t)
	_, body := b.get(t, "/help?lang=cy")
	if !strings.Contains(body, `<html lang="cy"`) || !strings.Contains(body, "Help a chymorth") {
		t.Fatal("?lang=cy did not give a Welsh page")
	}
	// The cookie remembers it on the next page.
	if _, body := b.get(t, "/"); !strings.Contains(body, `<html lang="cy"`) {
		t.Error("Welsh not remembered by cookie")
	}
	// First visits follow Accept-Language.
	if _, body := e.get(t, "/", "Accept-Language", "cy-GB,cy;q=0.9,en;q=0.5"); !strings.Contains(body, `<html lang="cy"`) {
		t.Error("Accept-Language cy not followed")
	}
	// A signed-in person's choice goes into their settings and comes back
	// when they sign in on another device.
	phone := e.signIn(t, "9990000050")
	phone.get(t, "/?lang=cy")
	laptop := e.signIn(t, "9990000050")
	if _, body := laptop.get(t, "/"); !strings.Contains(body, `<html lang="cy"`) || !strings.Contains(body, "Helo, Rhys Evans") {
		t.Error("a signed-in person's language did not follow them to a new sign-in")
	}
	// Unknown languages are ignored.
	if _, body := e.newBrowser(t).get(t, "/?lang=xx"); !strings.Contains(body, `<html lang="en-GB"`) {
		t.Error("unknown ?lang changed the page")
	}
	// The right-to-left test locale renders right to left.
	if _, body := e.newBrowser(t).get(t, "/?lang=ar-XB"); !strings.Contains(body, `dir="rtl"`) {
		t.Error("the RTL test locale is not rtl")
	}
	// API errors come in the person's language too.
	w := e.newBrowser(t)
	w.get(t, "/?lang=cy")
	if _, body := w.get(t, "/api/v1/me"); !strings.Contains(body, "Mae angen i chi fewngofnodi") {
		t.Errorf("API error not in Welsh: %s", body)
	}
}

func TestFeaturesFollowThePatientsPractice(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018") // pilot practice
	rhys := e.signIn(t, "9990000050")  // non-pilot practice
	_, a := amara.me(t)
	_, r := rhys.me(t)
	for _, f := range []string{"appointments", "prescriptions", "record", "fhir_export", "linked_profiles", "online_consultation"} {
		if !a.Features[f] {
			t.Errorf("Amara (pilot): %s off", f)
		}
	}
	for f, want := range map[string]bool{"appointments": true, "prescriptions": true, "record": false, "fhir_export": false, "online_consultation": false} {
		if r.Features[f] != want {
			t.Errorf("Rhys (non-pilot): %s = %v, want %v", f, r.Features[f], want)
		}
	}
	_, page := rhys.get(t, "/")
	if !strings.Contains(page, "Not available online at your practice yet") {
		t.Error("Rhys's home page does not say the record is unavailable")
	}
}

// TestP5IsToldToProveIdentityToContactThePractice: online consultation
// needs P9, like the other clinical features; a P5 person is told how to
// prove their identity, and their home page lists no requests.
func TestP5IsToldToProveIdentityToContactThePractice(t *testing.T) {
	e := mustStartServer(t)
	tom := e.signIn(t, "9990000069")
	res, body := tom.get(t, "/contact")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, `data-error-code="proofing_level"`) {
		t.Errorf("/contact as P5: %d", res.StatusCode)
	}
	if status, code := tom.call(t, "POST", "/api/v1/patients/"+tom.pid(t)+"/contact-requests", map[string]string{"kind": "admin"}, nil); status != http.StatusForbidden || code != "proofing_level" {
		t.Errorf("sending as P5: %d %s", status, code)
	}
}

// TestLoginCSRFIsRefused: a callback for a sign-in started in another
// browser (an attacker's own sign-in, its callback sent to a victim) signs
// nobody in, says so with a way to start again, and is audited; the
// browser that started it is unaffected. Patient and staff alike.
func TestLoginCSRFIsRefused(t *testing.T) {
	e := mustStartServer(t)
	for _, tc := range []struct{ kind, start, callback, hint string }{
		{"patient", "/auth/login", "/auth/callback", "9990000018"},
		{"staff", "/staff/login", "/staff/callback", "staff-site-z00001"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			attacker := e.newBrowser(t)
			var callback string
			attacker.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if req.URL.Path == tc.callback {
					callback = req.URL.String()
					return http.ErrUseLastResponse
				}
				return nil
			}
			attacker.get(t, tc.start+"?login_hint="+tc.hint)
			if callback == "" {
				t.Fatal("no callback seen")
			}
			victim := e.newBrowser(t)
			res, body := victim.get(t, strings.TrimPrefix(callback, e.url))
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-error-code="sign_in_not_started_here"`) ||
				!strings.Contains(body, `href="/auth/login"`) {
				t.Errorf("callback in another browser: %d", res.StatusCode)
			}
			for _, c := range victim.client.Jar.Cookies(res.Request.URL) {
				if c.Name == "companion" || c.Name == "companion-staff" {
					t.Errorf("the victim's browser got a session cookie %s", c.Name)
				}
			}
			if !e.auditHas(t, "callback_refused", tc.kind+":browser") {
				t.Error("refusal not audited")
			}
		})
	}
	// The binding cookie is short-lived, HttpOnly and SameSite=Lax.
	b := e.newBrowser(t)
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, _ := b.get(t, "/auth/login")
	var found bool
	for _, c := range res.Cookies() {
		if c.Name == "companion-signin" {
			found = c.HttpOnly && c.SameSite == http.SameSiteLaxMode && c.MaxAge > 0 && c.MaxAge <= 600 && c.Path == "/"
		}
	}
	if !found {
		t.Errorf("no proper binding cookie: %v", res.Header["Set-Cookie"])
	}
}

// TestUnknownCookiesCannotGrowTheAuditTrail: a client sending made-up
// session cookies is answered each time, but only a few a minute are
// audited.
func TestUnknownCookiesCannotGrowTheAuditTrail(t *testing.T) {
	e := mustStartServer(t)
	for i := 0; i < 40; i++ {
		req, _ := http.NewRequest("GET", e.url+"/help", nil)
		req.AddCookie(&http.Cookie{Name: "companion", Value: fmt.Sprintf("made-up-%d", i)})
		res, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("unknown cookie %d: %d", i, res.StatusCode)
		}
	}
	msgs, err := e.redis.Client(t).XRange(context.Background(), "companion:audit", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Values["action"] == "session_expired" {
			n++
		}
	}
	if n == 0 || n > 5 {
		t.Errorf("40 unknown cookies wrote %d session_expired events, want 1 to 5", n)
	}
}

// TestSandboxPickerIsNeverCached: the sign-in picker carries the sign-in's
// state, so it is sent no-store, as a complete HTML page.
func TestSandboxPickerIsNeverCached(t *testing.T) {
	e := mustStartServer(t)
	b := e.newBrowser(t)
	res, body := b.get(t, "/auth/login")
	if !strings.HasPrefix(res.Request.URL.Path, "/sandbox-login/authorize") || res.StatusCode != http.StatusOK {
		t.Fatalf("ended at %s with %d", res.Request.URL, res.StatusCode)
	}
	if cc, ct := res.Header.Get("Cache-Control"), res.Header.Get("Content-Type"); cc != "no-store" || ct != "text/html; charset=utf-8" {
		t.Errorf("picker Cache-Control %q, Content-Type %q", cc, ct)
	}
	res, _ = b.pick(t, res, body, "not-an-account")
	if res.StatusCode != http.StatusUnprocessableEntity || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("refused choice: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
}
