package rp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/auth/oidctest"
	"github.com/nhs-companion/companion/auth/rp"
)

const redirect = "http://127.0.0.1:1/callback"

var amara = oidctest.Account{VoT: "P9.Cp.Cd", Claims: map[string]any{
	"nhs_number": "9990000018", "given_name": "Amara", "family_name": "Okafor", "birthdate": "1988-01-01",
	"identity_proofing_level": "P9", "gp_registration_details": map[string]any{"gp_ods_code": "Z00001"},
}}

var tomP5 = oidctest.Account{VoT: "P5.Cp.Cd", Claims: map[string]any{
	"nhs_number": "9990000069", "given_name": "Tom", "family_name": "Baker", "identity_proofing_level": "P5",
}}

type env struct {
	op  *oidctest.Provider
	key *rsa.PrivateKey
}

// startOP runs oidc-provider configured like NHS login with client "companion".
func startOP(t *testing.T) env {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := oidctest.MustStart(t, oidctest.Config{
		Clients:        []oidctest.Client{{ClientID: "companion", RedirectURIs: []string{redirect}, PublicKey: &key.PublicKey, KeyID: "companion-1"}},
		Accounts:       map[string]oidctest.Account{"amara": amara, "tom": tomP5},
		DefaultAccount: "amara",
	})
	return env{op: op, key: key}
}

func (e env) rp(t *testing.T, mutate ...func(*rp.Config)) *rp.RP {
	t.Helper()
	c := rp.Config{
		Issuer: e.op.Issuer, ClientID: "companion", RedirectURL: redirect, Key: e.key, KeyID: "companion-1",
		Scopes: []string{"openid", "profile", "gp_registration_details"}, VTR: []string{"P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"},
	}
	for _, m := range mutate {
		m(&c)
	}
	r, err := rp.New(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// authorize drives the provider from the authorization URL to the redirect
// back, returning the code (the provider signs in `account` with no UI).
func authorize(t *testing.T, r *rp.RP, s rp.Start, account string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	var code string
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirect) {
			if req.URL.Query().Get("state") != s.State {
				t.Errorf("state not echoed: %s", req.URL)
			}
			code = req.URL.Query().Get("code")
			if e := req.URL.Query().Get("error"); e != "" {
				t.Fatalf("provider error: %s %s", e, req.URL.Query().Get("error_description"))
			}
			return http.ErrUseLastResponse
		}
		return nil
	}}
	u := r.AuthURL(s, rp.AuthOptions{}) + "&test_account=" + account
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if code == "" {
		t.Fatalf("no code: %d %s", res.StatusCode, body)
	}
	return code
}

func TestSignInAgainstARealProvider(t *testing.T) {
	e := startOP(t)
	r := e.rp(t)
	s, _ := rp.NewStart()
	id, err := r.Exchange(context.Background(), authorize(t, r, s, "amara"), s)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "amara" || id.NHSNumber != "9990000018" || id.VoT != "P9.Cp.Cd" || id.ProofingLevel != "P9" ||
		id.GPODS != "Z00001" || id.BirthDate != "1988-01-01" || id.FamilyName != "Okafor" {
		t.Errorf("identity %+v", id)
	}
}

func TestWrongNonceRefused(t *testing.T) {
	e := startOP(t)
	r := e.rp(t)
	s, _ := rp.NewStart()
	code := authorize(t, r, s, "amara")
	bad := s
	bad.Nonce = "another-nonce"
	if _, err := r.Exchange(context.Background(), code, bad); !errors.Is(err, rp.ErrNonce) {
		t.Errorf("wrong nonce: %v", err)
	}
}

func TestWrongVoTRefused(t *testing.T) {
	e := startOP(t)
	r := e.rp(t) // accepts P9 only
	s, _ := rp.NewStart()
	if _, err := r.Exchange(context.Background(), authorize(t, r, s, "tom"), s); !errors.Is(err, rp.ErrVoT) {
		t.Errorf("P5 vot against a P9-only RP: %v", err)
	}
	// With P5 acceptable, Tom signs in and his level is reported.
	r5 := e.rp(t, func(c *rp.Config) { c.VTR = []string{"P9.Cp.Cd", "P5.Cp.Cd"} })
	s2, _ := rp.NewStart()
	id, err := r5.Exchange(context.Background(), authorize(t, r5, s2, "tom"), s2)
	if err != nil || id.ProofingLevel != "P5" {
		t.Errorf("P5 sign-in: %+v %v", id, err)
	}
}

func TestUnknownClientKeyRefused(t *testing.T) {
	e := startOP(t)
	r := e.rp(t)
	s, _ := rp.NewStart()
	code := authorize(t, r, s, "amara")
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	impostor := e.rp(t, func(c *rp.Config) { c.Key = other })
	if _, err := impostor.Exchange(context.Background(), code, s); !errors.Is(err, rp.ErrExchange) {
		t.Errorf("assertion signed by an unknown key: %v", err)
	}
}

// rewriteIDToken is a transport that replaces the ID token in token
// responses, standing in for an attacker between Companion and the provider.
type rewriteIDToken struct {
	tokenURL string
	rewrite  func(string) string
}

func (rw rewriteIDToken) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/token") {
		return res, err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		if idt, ok := m["id_token"].(string); ok {
			m["id_token"] = rw.rewrite(idt)
		}
		body, _ = json.Marshal(m)
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	res.Header.Del("Content-Length")
	return res, nil
}

func TestTamperedAndMisaddressedIDTokensRefused(t *testing.T) {
	e := startOP(t)
	tests := []struct {
		name    string
		rewrite func(string) string
	}{
		{"tampered payload", func(idt string) string {
			parts := strings.Split(idt, ".")
			payload := []byte(parts[1])
			payload[10] ^= 1
			return parts[0] + "." + string(payload) + "." + parts[2]
		}},
		{"wrong audience", func(string) string {
			return e.op.Sign(t, map[string]any{"iss": e.op.Issuer, "sub": "amara", "aud": "someone-else",
				"exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix(), "vot": "P9.Cp.Cd"})
		}},
		{"expired", func(string) string {
			return e.op.Sign(t, map[string]any{"iss": e.op.Issuer, "sub": "amara", "aud": "companion",
				"exp": time.Now().Add(-time.Minute).Unix(), "iat": time.Now().Add(-10 * time.Minute).Unix(), "vot": "P9.Cp.Cd"})
		}},
		{"wrong issuer", func(string) string {
			return e.op.Sign(t, map[string]any{"iss": "https://evil.example", "sub": "amara", "aud": "companion",
				"exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix(), "vot": "P9.Cp.Cd"})
		}},
		{"signed with another key", func(string) string {
			other, _ := rsa.GenerateKey(rand.Reader, 2048)
			fake := &oidctest.Provider{Issuer: e.op.Issuer, SigningKey: other, SigningKeyID: e.op.SigningKeyID}
			return fake.Sign(t, map[string]any{"iss": e.op.Issuer, "sub": "amara", "aud": "companion",
				"exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix(), "vot": "P9.Cp.Cd"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.rp(t, func(c *rp.Config) {
				c.HTTPClient = &http.Client{Transport: rewriteIDToken{rewrite: tt.rewrite}}
			})
			s, _ := rp.NewStart()
			if _, err := r.Exchange(context.Background(), authorize(t, r, s, "amara"), s); !errors.Is(err, rp.ErrIDToken) {
				t.Errorf("%s: %v, want ErrIDToken", tt.name, err)
			}
		})
	}
}

func TestAuthURLSaysWhatNHSLoginNeeds(t *testing.T) {
	e := startOP(t)
	r := e.rp(t)
	s, _ := rp.NewStart()
	u, _ := url.Parse(r.AuthURL(s, rp.AuthOptions{Prompt: "login", LoginHint: "9990000018"}))
	q := u.Query()
	for k, want := range map[string]string{
		"response_type": "code", "client_id": "companion", "state": s.State, "nonce": s.Nonce,
		"code_challenge_method": "S256", "prompt": "login", "vtr": `["P9.Cp.Cd","P9.Cp.Ck","P9.Cm"]`,
		"scope": "openid profile gp_registration_details",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if q.Has("login_hint") {
		t.Error("login_hint sent to a provider that does not support it")
	}
}
