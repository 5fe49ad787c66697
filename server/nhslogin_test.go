package server_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/auth/oidctest"
	"github.com/nhs-companion/companion/server/gp/sandbox"
	"github.com/nhs-companion/companion/server/safety"
)

// startWithRealProvider runs Companion with NHS login pointed at a real
// OpenID Provider (oidc-provider) configured like NHS login: the production
// code path, end to end.
func startWithRealProvider(t *testing.T, vtr string) *testEnv {
	t.Helper()
	key, pemKey := clientKey(t)
	return mustStartServerAt(t, func(base string) []string {
		op := oidctest.MustStart(t, oidctest.Config{
			Clients: []oidctest.Client{{ClientID: "companion", RedirectURIs: []string{base + "/auth/callback"},
				PublicKey: &key.PublicKey, KeyID: "companion-1"}},
			Accounts: map[string]oidctest.Account{
				"amara": {VoT: "P9.Cp.Cd", Claims: amaraClaims(t, nil)},
				// NHS login has Amara's NHS number with another date of
				// birth: the wrong person, or a record wrong somewhere.
				"amara-other-birth": {VoT: "P9.Cp.Cd", Claims: amaraClaims(t, func(c map[string]any) { c["birthdate"] = amaraBirth(t).AddDate(-1, 0, 0).Format(time.DateOnly) })},
				// Married since she registered: the same person.
				"amara-new-name": {VoT: "P9.Cp.Cd", Claims: amaraClaims(t, func(c map[string]any) { c["family_name"] = "Okafor-Bello" })},
				"badnumber":      {VoT: "P9.Cp.Cd", Claims: map[string]any{"nhs_number": "9990000019", "given_name": "Nobody", "identity_proofing_level": "P9"}},
				"tom":            {VoT: "P5.Cp.Cd", Claims: map[string]any{"nhs_number": "9990000069", "given_name": "Tom", "identity_proofing_level": "P5"}},
			},
			DefaultAccount: "amara",
		})
		return []string{"NHSLOGIN_ISSUER", op.Issuer, "NHSLOGIN_CLIENT_ID", "companion", "NHSLOGIN_KEY", pemKey,
			"NHSLOGIN_KEY_ID", "companion-1", "NHSLOGIN_VTR", vtr}
	})
}

// clientKey is a key for Companion's client at NHS login, and its PEM.
func clientKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

// amaraBirth is Amara's date of birth in the sandbox GP record the test
// server seeds today.
func amaraBirth(t testing.TB) time.Time {
	t.Helper()
	d, ok := sandbox.BirthDate(time.Now(), "9990000018")
	if !ok {
		t.Fatal("Amara is not in the sandbox cast")
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// amaraClaims are the claims NHS login releases for Amara, matching her GP
// record, changed by edit if given.
func amaraClaims(t testing.TB, edit func(map[string]any)) map[string]any {
	c := map[string]any{"nhs_number": "9990000018", "given_name": "Amara", "family_name": "Okafor",
		"birthdate": amaraBirth(t).Format(time.DateOnly), "identity_proofing_level": "P9",
		"gp_registration_details": map[string]any{"gp_ods_code": "Z00001"}}
	if edit != nil {
		edit(c)
	}
	return c
}

// startSignIn follows /auth/login through the provider and stops at the
// callback, returning its URL unvisited.
func (b *browser) startSignIn(t *testing.T, account string) string {
	t.Helper()
	var callback string
	as := oidctest.SignInAs(account)
	b.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			callback = req.URL.String()
			return http.ErrUseLastResponse
		}
		return as(req, via)
	}
	b.get(t, "/auth/login")
	b.client.CheckRedirect = nil
	if callback == "" {
		t.Fatal("never reached the callback")
	}
	return strings.TrimPrefix(callback, b.env.url)
}

func TestRealProviderSignIn(t *testing.T) {
	e := startWithRealProvider(t, `["P9.Cp.Cd","P5.Cp.Cd"]`)
	b := e.newBrowser(t)
	cb := b.startSignIn(t, "amara")
	res, _ := b.get(t, cb)
	if res.StatusCode != 200 || res.Request.URL.Path != "/" {
		t.Fatalf("callback ended at %s (%d)", res.Request.URL, res.StatusCode)
	}
	if status, me := b.me(t); status != 200 || me.Name != "Amara Okafor" || me.ProofingLevel != "P9" {
		t.Errorf("me = %d %+v", status, me)
	}
	// The same callback again (a replayed state) signs nobody in.
	thief := e.newBrowser(t)
	if res, _ := thief.get(t, cb); res.StatusCode != http.StatusBadRequest {
		t.Errorf("replayed callback: %d", res.StatusCode)
	}
	if status, _ := thief.me(t); status != http.StatusUnauthorized {
		t.Error("replayed callback signed someone in")
	}
	if !e.auditHas(t, "callback_refused", "patient:state") {
		t.Error("replay not audited")
	}
}

func TestRealProviderExpiredState(t *testing.T) {
	e := startWithRealProvider(t, `["P9.Cp.Cd"]`)
	b := e.newBrowser(t)
	cb := b.startSignIn(t, "amara")
	// Ten minutes pass: the pre-login record expires (Redis drops it).
	rdb := e.redis.Client(t)
	keys := e.redis.Keys(t, "companion:auth:pl:*")
	if len(keys) != 1 {
		t.Fatalf("%d pre-login records, want 1", len(keys))
	}
	if ttl := rdb.TTL(context.Background(), keys[0]).Val(); ttl <= 0 || ttl.Minutes() > 10 {
		t.Errorf("pre-login TTL %s, want at most 10 minutes", ttl)
	}
	rdb.Del(context.Background(), keys...)
	if res, _ := b.get(t, cb); res.StatusCode != http.StatusBadRequest {
		t.Errorf("expired state: %d", res.StatusCode)
	}
	if status, _ := b.me(t); status != http.StatusUnauthorized {
		t.Error("expired state signed someone in")
	}
}

func TestRealProviderWrongVoTAndBadNHSNumber(t *testing.T) {
	e := startWithRealProvider(t, `["P9.Cp.Cd"]`)
	tom := e.newBrowser(t)
	if res, body := tom.get(t, tom.startSignIn(t, "tom")); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "We could not sign you in") {
		t.Errorf("P5 vot against P9-only: %d", res.StatusCode)
	}
	if !e.auditHas(t, "callback_refused", "patient:vot") {
		t.Error("wrong vot not audited")
	}
	bad := e.newBrowser(t)
	res, body := bad.get(t, bad.startSignIn(t, "badnumber"))
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "We could not confirm your NHS number") {
		t.Errorf("bad NHS number: %d", res.StatusCode)
	}
	if strings.Contains(body, "9990000019") {
		t.Error("the refusal page shows the NHS number")
	}
	if !e.auditHas(t, "callback_refused", "patient:nhs_number") {
		t.Error("bad NHS number not audited")
	}
	if status, _ := bad.me(t); status != http.StatusUnauthorized {
		t.Error("a bad NHS number signed in")
	}
}

func TestBackChannelLogoutEndsEverySession(t *testing.T) {
	var op *oidctest.Provider
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	e := mustStartServerAt(t, func(base string) []string {
		op = oidctest.MustStart(t, oidctest.Config{
			Clients:        []oidctest.Client{{ClientID: "companion", RedirectURIs: []string{base + "/auth/callback"}, PublicKey: &key.PublicKey, KeyID: "k"}},
			Accounts:       map[string]oidctest.Account{"amara": {VoT: "P9.Cp.Cd", Claims: amaraClaims(t, nil)}},
			DefaultAccount: "amara",
		})
		return []string{"NHSLOGIN_ISSUER", op.Issuer, "NHSLOGIN_CLIENT_ID", "companion", "NHSLOGIN_KEY", pemKey, "NHSLOGIN_KEY_ID", "k"}
	})
	phone, laptop := e.newBrowser(t), e.newBrowser(t)
	for _, b := range []*browser{phone, laptop} {
		b.get(t, b.startSignIn(t, "amara"))
		if status, _ := b.me(t); status != 200 {
			t.Fatal("sign-in failed")
		}
	}
	post := func(token string) int {
		res, err := http.PostForm(e.url+"/auth/backchannel-logout", map[string][]string{"logout_token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	now := time.Now()
	claims := func(aud string) map[string]any {
		return map[string]any{"iss": op.Issuer, "aud": aud, "sub": "amara", "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
			"jti": "j1", "events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}
	}
	if got := post(op.Sign(t, claims("someone-else"))); got != http.StatusBadRequest {
		t.Errorf("logout token for another client: %d", got)
	}
	notLogout := claims("companion")
	delete(notLogout, "events")
	if got := post(op.Sign(t, notLogout)); got != http.StatusBadRequest {
		t.Errorf("an ID token posted as a logout token: %d", got)
	}
	if status, _ := phone.me(t); status != 200 {
		t.Fatal("a refused logout token ended a session")
	}
	if got := post(op.Sign(t, claims("companion"))); got != http.StatusOK {
		t.Fatalf("valid logout token: %d", got)
	}
	for _, b := range []*browser{phone, laptop} {
		if status, _ := b.me(t); status != http.StatusUnauthorized {
			t.Errorf("session survived back-channel logout: %d", status)
		}
	}
}

// safetyListed reports whether practice Z00001's safety list holds an
// event of kind with detail about the patient with pid.
func (e *testEnv) safetyListed(t testing.TB, kind safety.Kind, pid, detail string) bool {
	t.Helper()
	events, err := e.srv.Safety.List(context.Background(), "Z00001", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if ev.Kind == kind && ev.Patient == pid && ev.Detail == detail {
			return true
		}
	}
	return false
}

func TestRealProviderBirthDateMismatchStops(t *testing.T) {
	e := startWithRealProvider(t, `["P9.Cp.Cd"]`)
	b := e.newBrowser(t)
	res, body := b.get(t, b.startSignIn(t, "amara-other-birth"))
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, `data-error-code="identity_mismatch"`) ||
		!strings.Contains(body, "We could not match your NHS login to your GP record: contact your practice") {
		t.Fatalf("mismatched date of birth: %d %s", res.StatusCode, textOf(parse(t, body)))
	}
	// No GP data: not her name as the record has it, nor her practice.
	for _, gpData := range []string{"Okafor", "Riverside", "9990000018"} {
		if strings.Contains(body, gpData) {
			t.Errorf("the refusal shows GP data %q", gpData)
		}
	}
	if status, _ := b.me(t); status != http.StatusUnauthorized {
		t.Error("a mismatched date of birth signed in")
	}
	if res, _ := b.get(t, "/api/v1/patients/"+e.srv.Access.IDs.For("9990000018")+"/appointments"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("appointments after the refusal: %d", res.StatusCode)
	}
	if !e.auditHas(t, "identity_mismatch", "birth_date") {
		t.Error("the mismatch was not audited")
	}
	if !e.safetyListed(t, safety.IdentityMismatch, e.srv.Access.IDs.For("9990000018"), "sign_in") {
		t.Error("the mismatch was not raised to the practice")
	}
	// The matching account still signs in.
	ok := e.newBrowser(t)
	if res, _ := ok.get(t, ok.startSignIn(t, "amara")); res.StatusCode != 200 {
		t.Errorf("matching sign-in: %d", res.StatusCode)
	}
}

func TestRealProviderFamilyNameDifferenceWarns(t *testing.T) {
	e := startWithRealProvider(t, `["P9.Cp.Cd"]`)
	b := e.newBrowser(t)
	if res, _ := b.get(t, b.startSignIn(t, "amara-new-name")); res.StatusCode != 200 {
		t.Fatalf("a new family name stopped sign-in: %d", res.StatusCode)
	}
	if status, me := b.me(t); status != 200 || me.Name != "Amara Okafor-Bello" {
		t.Errorf("me = %d %+v", status, me)
	}
	if !e.auditHas(t, "identity_name_differs", "family_name") {
		t.Error("the name difference was not audited")
	}
	if !e.safetyListed(t, safety.NameDiffers, e.srv.Access.IDs.For("9990000018"), "sign_in") {
		t.Error("the name difference was not raised to the practice")
	}
}
