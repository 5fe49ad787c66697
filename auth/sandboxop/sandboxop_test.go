package sandboxop_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nhs-companion/companion/auth/rp"
	"github.com/nhs-companion/companion/auth/sandboxop"
	"github.com/nhs-companion/companion/internal/redistest"
)

type fixture struct {
	op       *sandboxop.Provider
	srv      *httptest.Server
	relying  *rp.RP
	clientID string
}

// newFixture runs the sandbox provider on a real HTTP server with one
// patient (Amara, P9) and one P5 patient (Tom), and a relying party for it.
func newFixture(t *testing.T, vtr []string) *fixture {
	t.Helper()
	return newFixtureWith(t, vtr, nil, nil)
}

// newFixtureWith is newFixture with a Lookup for people beyond the fixed
// accounts, and a record of what each picker page offered.
func newFixtureWith(t *testing.T, vtr []string, lookup func(context.Context, string) (sandboxop.Account, bool), offered *[][]sandboxop.Account, edit ...func(*sandboxop.Options)) *fixture {
	t.Helper()
	rs := redistest.MustStart(t)
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String() + "/sandbox-login"
	o := sandboxop.Options{
		Issuer: issuer, Redis: rs.Client(t), Prefix: "t:",
		Accounts: []sandboxop.Account{
			{Subject: "amara", Hint: "9990000018", Kind: "patient", VoT: "P9.Cp.Cd", Claims: map[string]any{"nhs_number": "9990000018", "given_name": "Amara"}},
			{Subject: "tom", Hint: "9990000069", Kind: "patient", VoT: "P5.Cp.Cd", Claims: map[string]any{"nhs_number": "9990000069", "given_name": "Tom"}},
		},
		Picker: func(w http.ResponseWriter, r *http.Request, d sandboxop.PickerData) error {
			if offered != nil {
				*offered = append(*offered, d.Accounts)
			}
			if d.Error {
				w.WriteHeader(http.StatusUnprocessableEntity)
			}
			_, err := w.Write([]byte("picker"))
			return err
		},
		Lookup: lookup,
	}
	for _, e := range edit {
		e(&o)
	}
	op, err := sandboxop.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = op.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	redirect := "http://127.0.0.1/cb"
	op.Register(sandboxop.Client{ID: "c1", RedirectURIs: []string{redirect}, Key: &key.PublicKey, KeyID: "k1", Kind: "patient"})
	relying, err := rp.New(context.Background(), rp.Config{
		Issuer: issuer, ClientID: "c1", RedirectURL: redirect, Key: key, KeyID: "k1",
		Scopes: []string{"openid", "profile"}, VTR: vtr, SendLoginHint: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{op: op, srv: srv, relying: relying, clientID: "c1"}
}

// code runs the authorize step and returns the redirect's query.
func (f *fixture) code(t *testing.T, s rp.Start, hint string) url.Values {
	t.Helper()
	return f.authorize(t, s, rp.AuthOptions{LoginHint: hint})
}

// authorize runs the authorize step with o and returns the redirect's query.
func (f *fixture) authorize(t *testing.T, s rp.Start, o rp.AuthOptions) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(f.relying.AuthURL(s, o))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	return loc.Query()
}

func TestCodeFlow(t *testing.T) {
	f := newFixture(t, []string{"P9.Cp.Cd"})
	s, _ := rp.NewStart()
	q := f.code(t, s, "9990000018")
	if q.Get("state") != s.State {
		t.Fatalf("state not returned: %v", q)
	}
	id, err := f.relying.Exchange(context.Background(), q.Get("code"), s)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "amara" || id.NHSNumber != "9990000018" || id.VoT != "P9.Cp.Cd" {
		t.Errorf("identity %+v", id)
	}
	// The code works once.
	if _, err := f.relying.Exchange(context.Background(), q.Get("code"), s); !errors.Is(err, rp.ErrExchange) {
		t.Errorf("reused code: %v", err)
	}
}

func TestWrongVerifierNonceAndVoT(t *testing.T) {
	f := newFixture(t, []string{"P9.Cp.Cd", "P5.Cp.Cd"})
	s, _ := rp.NewStart()
	q := f.code(t, s, "9990000018")
	bad := s
	// Change the first character (to one it is not: 1 verifier in 64 starts with x).
	first := "x"
	if s.Verifier[0] == 'x' {
		first = "y"
	}
	bad.Verifier = first + s.Verifier[1:]
	if _, err := f.relying.Exchange(context.Background(), q.Get("code"), bad); !errors.Is(err, rp.ErrExchange) {
		t.Errorf("wrong PKCE verifier: %v", err)
	}
	s2, _ := rp.NewStart()
	q2 := f.code(t, s2, "9990000018")
	wrongNonce := s2
	wrongNonce.Nonce = "not-the-nonce"
	if _, err := f.relying.Exchange(context.Background(), q2.Get("code"), wrongNonce); !errors.Is(err, rp.ErrNonce) {
		t.Errorf("wrong nonce: %v", err)
	}
	// An RP that accepts only P9 refuses Tom's P5 sign-in at the provider.
	p9only := newFixture(t, []string{"P9.Cp.Cd"})
	s3, _ := rp.NewStart()
	if q := p9only.code(t, s3, "9990000069"); q.Get("error") != "access_denied" {
		t.Errorf("P5 account against a P9-only vtr: %v", q)
	}
}

func TestUnknownClientKeyRefused(t *testing.T) {
	f := newFixture(t, []string{"P9.Cp.Cd"})
	s, _ := rp.NewStart()
	q := f.code(t, s, "9990000018")
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	impostor, err := rp.New(context.Background(), rp.Config{
		Issuer: f.op.Issuer(), ClientID: "c1", RedirectURL: "http://127.0.0.1/cb", Key: other, KeyID: "k1",
		Scopes: []string{"openid"}, VTR: []string{"P9.Cp.Cd"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = impostor.Exchange(context.Background(), q.Get("code"), s)
	if !errors.Is(err, rp.ErrExchange) || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("unknown client key: %v", err)
	}
}

func TestAuthorizeValidation(t *testing.T) {
	f := newFixture(t, nil)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := f.op.Issuer() + "/authorize?"
	good := url.Values{"client_id": {"c1"}, "redirect_uri": {"http://127.0.0.1/cb"}, "response_type": {"code"},
		"scope": {"openid"}, "state": {"s"}, "nonce": {"n"}, "code_challenge": {"x"}, "code_challenge_method": {"S256"}}
	tests := []struct {
		name, drop, set, to, wantErr string
		wantStatus                   int
	}{
		{name: "unregistered redirect", set: "redirect_uri", to: "https://evil.example/cb", wantStatus: 400},
		{name: "unknown client", set: "client_id", to: "nope", wantStatus: 400},
		{name: "no nonce", drop: "nonce", wantStatus: 302, wantErr: "invalid_request"},
		{name: "no PKCE", drop: "code_challenge", wantStatus: 302, wantErr: "invalid_request"},
		{name: "plain PKCE", set: "code_challenge_method", to: "plain", wantStatus: 302, wantErr: "invalid_request"},
		{name: "implicit", set: "response_type", to: "token", wantStatus: 302, wantErr: "unsupported_response_type"},
		{name: "no picker choice shows the picker", wantStatus: 200},
	}
	for _, tt := range tests {
		v := url.Values{}
		for k, vs := range good {
			v[k] = vs
		}
		if tt.drop != "" {
			v.Del(tt.drop)
		}
		if tt.set != "" {
			v.Set(tt.set, tt.to)
		}
		res, err := c.Get(base + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tt.wantStatus {
			t.Errorf("%s: status %d, want %d", tt.name, res.StatusCode, tt.wantStatus)
		}
		if tt.wantErr != "" && !strings.Contains(res.Header.Get("Location"), "error="+tt.wantErr) {
			t.Errorf("%s: redirect %s, want error=%s", tt.name, res.Header.Get("Location"), tt.wantErr)
		}
	}
}

func TestNeverInProduction(t *testing.T) {
	if _, err := sandboxop.New(sandboxop.Options{Issuer: "http://127.0.0.1/x", Production: true}); err == nil {
		t.Fatal("the sandbox provider started in production")
	}
}

// TestLookupSignsInUnlistedPeople checks the hook load tests use: a
// login_hint no fixed account answers to is looked up, signs in with the
// looked-up claims, and the person is never offered on the picker; a hint
// Lookup does not know, or an account of the wrong kind, gets the picker.
func TestLookupSignsInUnlistedPeople(t *testing.T) {
	var asked []string
	lookup := func(_ context.Context, hint string) (sandboxop.Account, bool) {
		asked = append(asked, hint)
		switch hint {
		case "9991000003":
			return sandboxop.Account{Subject: "synthetic-1", Hint: hint, Kind: "patient", VoT: "P9.Cp.Cd",
				Claims: map[string]any{"nhs_number": hint, "given_name": "Test", "identity_proofing_level": "P9",
					"gp_registration_details": map[string]any{"gp_ods_code": "Z00001"}}}, true
		case "staff-x":
			return sandboxop.Account{Subject: "staff-x", Hint: hint, Kind: "staff"}, true
		}
		return sandboxop.Account{}, false
	}
	var offered [][]sandboxop.Account
	f := newFixtureWith(t, []string{"P9.Cp.Cd"}, lookup, &offered)

	s, _ := rp.NewStart()
	q := f.code(t, s, "9991000003")
	id, err := f.relying.Exchange(context.Background(), q.Get("code"), s)
	if err != nil {
		t.Fatal(err)
	}
	want := rp.Identity{Subject: "synthetic-1", NHSNumber: "9991000003", GivenName: "Test", ProofingLevel: "P9", GPODS: "Z00001", VoT: "P9.Cp.Cd"}
	if diff := cmp.Diff(want, id, cmpopts.IgnoreFields(rp.Identity{}, "Claims")); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}

	// A fixed account answers without asking Lookup.
	asked = nil
	s2, _ := rp.NewStart()
	if q := f.code(t, s2, "9990000018"); q.Get("code") == "" || len(asked) != 0 {
		t.Errorf("fixed account: %v, Lookup asked for %v", q, asked)
	}

	// Unknown people and other kinds get the picker, which lists only the
	// fixed accounts.
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, hint := range []string{"9991000011", "staff-x", ""} {
		s, _ := rp.NewStart()
		res, err := c.Get(f.relying.AuthURL(s, rp.AuthOptions{LoginHint: hint}))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("hint %q: status %d, want the picker", hint, res.StatusCode)
		}
	}
	if len(offered) != 3 {
		t.Fatalf("picker shown %d times, want 3", len(offered))
	}
	for _, accts := range offered {
		for _, a := range accts {
			if a.Hint != "9990000018" && a.Hint != "9990000069" {
				t.Errorf("picker offered %q", a.Hint)
			}
		}
	}
}

// TestSingleSignOnFromTheSandboxApp: the sandbox NHS App's assertion signs
// its person in under prompt=none, once, within its minute, and only as
// the provider signed it; anything else is login_required, and someone who
// will not share their details is access_denied, ConsentNotGiven.
func TestSingleSignOnFromTheSandboxApp(t *testing.T) {
	now := time.Now()
	f := newFixtureWith(t, nil, nil, nil, func(o *sandboxop.Options) { o.Now = func() time.Time { return now } })
	ctx := context.Background()
	try := func(assertion string) url.Values {
		t.Helper()
		s, _ := rp.NewStart()
		q := f.authorize(t, s, rp.AuthOptions{Prompt: "none", AssertedLoginIdentity: assertion})
		if q.Get("code") != "" {
			id, err := f.relying.Exchange(ctx, q.Get("code"), s)
			if err != nil || id.Subject != "amara" {
				t.Errorf("exchange: %v %+v", err, id)
			}
		}
		return q
	}
	good, err := f.op.Assert(ctx, "9990000018", false)
	if err != nil {
		t.Fatal(err)
	}
	if q := try(good); q.Get("code") == "" {
		t.Fatalf("a good assertion: %v", q)
	}
	later, _ := f.op.Assert(ctx, "9990000018", false)
	tampered := later[:len(later)-4] + "AAAA"
	expired, _ := f.op.Assert(ctx, "9990000018", false)
	for name, a := range map[string]string{"used": good, "tampered": tampered, "not a JWT": "x.y.z", "none at all": ""} {
		if q := try(a); q.Get("error") != "login_required" {
			t.Errorf("%s: %v", name, q)
		}
	}
	now = now.Add(2 * time.Minute)
	if q := try(expired); q.Get("error") != "login_required" {
		t.Errorf("expired: %v", q)
	}
	refuser, _ := f.op.Assert(ctx, "9990000018", true)
	if q := try(refuser); q.Get("error") != "access_denied" || q.Get("error_description") != "ConsentNotGiven" {
		t.Errorf("consent not given: %v", q)
	}
	if _, err := f.op.Assert(ctx, "9990000999", false); err == nil {
		t.Error("asserted someone not in the cast")
	}
}
