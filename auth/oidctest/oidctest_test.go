package oidctest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/nodefixture"
)

const clientID = "companion-test"

var amara = Account{VoT: "P9.Cp.Cd", Claims: map[string]any{
	"nhs_number": "9990000018", "birthdate": "1988-01-01", "family_name": "Okafor", "given_name": "Amara",
	"identity_proofing_level": "P9", "gp_registration_details": map[string]any{"gp_ods_code": "Z00001"},
	"email": "amara@example.org",
}}

var tom = Account{VoT: "P5.Cp.Cd", Claims: map[string]any{
	"nhs_number": "9990000069", "family_name": "Baker", "given_name": "Tom", "identity_proofing_level": "P5",
}}

// fixture is a provider with one client whose redirect_uri is an httptest
// server that answers with the query it received, as JSON.
type fixture struct {
	op       *Provider
	key      *rsa.PrivateKey // the client's
	callback string
	disc     discovery
}

type discovery struct {
	Issuer                  string   `json:"issuer"`
	AuthorizationEndpoint   string   `json:"authorization_endpoint"`
	TokenEndpoint           string   `json:"token_endpoint"`
	UserinfoEndpoint        string   `json:"userinfo_endpoint"`
	JWKSURI                 string   `json:"jwks_uri"`
	IDTokenAlgs             []string `json:"id_token_signing_alg_values_supported"`
	TokenAuthMethods        []string `json:"token_endpoint_auth_methods_supported"`
	TokenAuthAlgs           []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	CodeChallengeMethods    []string `json:"code_challenge_methods_supported"`
	ResponseTypes           []string `json:"response_types_supported"`
	GrantTypes              []string `json:"grant_types_supported"`
	Scopes                  []string `json:"scopes_supported"`
	Claims                  []string `json:"claims_supported"`
	BackchannelLogout       bool     `json:"backchannel_logout_supported"`
	IntrospectionEndpoint   string   `json:"introspection_endpoint"`
	RevocationEndpoint      string   `json:"revocation_endpoint"`
	RegistrationEndpoint    string   `json:"registration_endpoint"`
	EndSessionEndpoint      string   `json:"end_session_endpoint"`
	PushedAuthorizationReqs string   `json:"pushed_authorization_request_endpoint"`
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func start(t *testing.T, mutate func(*Config)) *fixture {
	t.Helper()
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(r.URL.Query())
	}))
	t.Cleanup(rp.Close)
	f := &fixture{key: newKey(t), callback: rp.URL + "/callback"}
	cfg := Config{
		Clients:        []Client{{ClientID: clientID, RedirectURIs: []string{f.callback}, PublicKey: &f.key.PublicKey, KeyID: "client-1"}},
		Accounts:       map[string]Account{"amara": amara, "tom": tom},
		DefaultAccount: "amara",
	}
	if mutate != nil {
		mutate(&cfg)
	}
	f.op = MustStart(t, cfg)
	getJSON(t, http.DefaultClient, f.op.Issuer+"/.well-known/openid-configuration", "", &f.disc)
	return f
}

func getJSON(t *testing.T, c *http.Client, u, bearer string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", u, res.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", u, err, body)
	}
}

func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// request is one authorization request and the PKCE verifier behind it.
type request struct {
	params   url.Values
	verifier string
}

func (f *fixture) newRequest(account string) request {
	verifier := b64([]byte(rand.Text() + rand.Text()))
	challenge := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {f.callback},
		"scope":                 {"openid profile gp_registration_details"},
		"state":                 {rand.Text()},
		"nonce":                 {rand.Text()},
		"code_challenge":        {b64(challenge[:])},
		"code_challenge_method": {"S256"},
		"vtr":                   {`["P9.Cp.Cd"]`},
	}
	if account != "" {
		q.Set("test_account", account)
	}
	return request{params: q, verifier: verifier}
}

// authorize follows redirects from the authorization URL and returns the
// query the client's redirect_uri received.
func (f *fixture) authorize(t *testing.T, browser *http.Client, r request) url.Values {
	t.Helper()
	res, err := browser.Get(f.disc.AuthorizationEndpoint + "?" + r.params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if end := *res.Request.URL; end.Scheme+"://"+end.Host+end.Path != f.callback {
		t.Fatalf("ended at %s (%s), not the redirect_uri: %s", res.Request.URL, res.Status, body)
	}
	var got url.Values
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	// Errors for response types other than code arrive in the fragment.
	if frag, err := url.ParseQuery(res.Request.URL.Fragment); err == nil {
		for k, v := range frag {
			got[k] = v
		}
	}
	return got
}

// code completes an authorization request that must succeed.
func (f *fixture) code(t *testing.T, browser *http.Client, r request) string {
	t.Helper()
	got := f.authorize(t, browser, r)
	if got.Get("state") != r.params.Get("state") || got.Get("code") == "" {
		t.Fatalf("callback got %v, want a code and state %q", got, r.params.Get("state"))
	}
	return got.Get("code")
}

// assertion is a private_key_jwt client assertion for the token endpoint.
func (f *fixture) assertion(t *testing.T, key *rsa.PrivateKey, kid string) string {
	t.Helper()
	now := time.Now()
	s, err := signJWT(key, kid, "JWT", map[string]any{
		"iss": clientID, "sub": clientID, "aud": f.disc.TokenEndpoint, "jti": rand.Text(),
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// exchange posts form to the token endpoint.
func (f *fixture) exchange(t *testing.T, form url.Values) (int, map[string]any) {
	t.Helper()
	res, err := http.PostForm(f.disc.TokenEndpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("token response %s: %v", res.Status, err)
	}
	return res.StatusCode, body
}

func (f *fixture) tokenForm(t *testing.T, code, verifier string) url.Values {
	return url.Values{
		"grant_type":            {"authorization_code"},
		"code":                  {code},
		"redirect_uri":          {f.callback},
		"code_verifier":         {verifier},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {f.assertion(t, f.key, "client-1")},
	}
}

// signIn runs the whole code flow and returns the token response.
func (f *fixture) signIn(t *testing.T, browser *http.Client, r request) map[string]any {
	t.Helper()
	status, tok := f.exchange(t, f.tokenForm(t, f.code(t, browser, r), r.verifier))
	if status != http.StatusOK {
		t.Fatalf("token endpoint: %d %v", status, tok)
	}
	return tok
}

// verifyJWT checks an RS512 signature by pub and returns header and claims.
func verifyJWT(t *testing.T, raw string, pub *rsa.PublicKey) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %q", raw)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA512, sum[:], sig); err != nil {
		t.Fatalf("RS512 signature: %v", err)
	}
	for i, v := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err == nil {
			err = json.Unmarshal(b, v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	d := f.disc
	if d.Issuer != f.op.Issuer {
		t.Errorf("issuer %q, want %q", d.Issuer, f.op.Issuer)
	}
	only := []struct {
		name string
		got  []string
		want []string
	}{
		{"id_token_signing_alg_values_supported", d.IDTokenAlgs, []string{"RS512"}},
		{"token_endpoint_auth_methods_supported", d.TokenAuthMethods, []string{"private_key_jwt"}},
		{"token_endpoint_auth_signing_alg_values_supported", d.TokenAuthAlgs, []string{"RS512"}},
		{"code_challenge_methods_supported", d.CodeChallengeMethods, []string{"S256"}},
		{"response_types_supported", d.ResponseTypes, []string{"code"}},
		{"grant_types_supported", d.GrantTypes, []string{"authorization_code"}},
	}
	for _, c := range only {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, s := range []string{"openid", "profile", "gp_registration_details"} {
		if !slices.Contains(d.Scopes, s) {
			t.Errorf("scopes_supported %v lacks %s", d.Scopes, s)
		}
	}
	for _, c := range []string{"vot", "nhs_number", "identity_proofing_level", "gp_registration_details"} {
		if !slices.Contains(d.Claims, c) {
			t.Errorf("claims_supported %v lacks %s", d.Claims, c)
		}
	}
	if !d.BackchannelLogout {
		t.Error("backchannel_logout_supported is false")
	}
	for name, endpoint := range map[string]string{
		"introspection": d.IntrospectionEndpoint, "revocation": d.RevocationEndpoint,
		"registration": d.RegistrationEndpoint, "end_session": d.EndSessionEndpoint,
		"pushed_authorization_request": d.PushedAuthorizationReqs,
	} {
		if endpoint != "" {
			t.Errorf("%s endpoint %q is enabled", name, endpoint)
		}
	}
}

func TestCodeFlow(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	r := f.newRequest("amara")
	code := f.code(t, newBrowser(t), r)
	status, tok := f.exchange(t, f.tokenForm(t, code, r.verifier))
	if status != http.StatusOK {
		t.Fatalf("token endpoint: %d %v", status, tok)
	}

	if tok["token_type"] != "Bearer" || tok["expires_in"] != 300.0 || tok["refresh_token"] != nil {
		t.Errorf("token response %v: want a Bearer token for 300s and no refresh token", tok)
	}
	rawID, _ := tok["id_token"].(string)
	header, id := verifyJWT(t, rawID, &f.op.SigningKey.PublicKey)
	if header["alg"] != "RS512" || header["kid"] != f.op.SigningKeyID {
		t.Errorf("ID token header %v: want RS512 with kid %q", header, f.op.SigningKeyID)
	}
	want := map[string]any{
		"iss": f.op.Issuer, "aud": clientID, "sub": "amara", "nonce": r.params.Get("nonce"),
		"vot": "P9.Cp.Cd", "nhs_number": "9990000018", "identity_proofing_level": "P9",
	}
	for k, v := range want {
		if id[k] != v {
			t.Errorf("ID token %s = %v, want %v", k, id[k], v)
		}
	}
	if ttl := id["exp"].(float64) - id["iat"].(float64); ttl != 300 {
		t.Errorf("ID token lives %vs, want 300", ttl)
	}

	var info map[string]any
	getJSON(t, http.DefaultClient, f.disc.UserinfoEndpoint, tok["access_token"].(string), &info)
	for k, v := range map[string]any{
		"sub": "amara", "nhs_number": "9990000018", "birthdate": "1988-01-01", "family_name": "Okafor",
		"given_name": "Amara", "identity_proofing_level": "P9",
	} {
		if info[k] != v {
			t.Errorf("userinfo %s = %v, want %v", k, info[k], v)
		}
	}
	if gp, _ := info["gp_registration_details"].(map[string]any); gp["gp_ods_code"] != "Z00001" {
		t.Errorf("userinfo gp_registration_details = %v, want gp_ods_code Z00001", info["gp_registration_details"])
	}
	if _, ok := info["email"]; ok {
		t.Error("userinfo has email, which was not requested")
	}

	// The code is single use.
	if status, body := f.exchange(t, f.tokenForm(t, code, r.verifier)); status == http.StatusOK {
		t.Errorf("code redeemed twice: %v", body)
	}
}

func TestCodeFlowWithoutTestAccountSignsInDefault(t *testing.T) {
	t.Parallel()
	f := start(t, func(c *Config) { c.DefaultAccount = "tom" })
	tok := f.signIn(t, newBrowser(t), f.newRequest(""))
	_, id := verifyJWT(t, tok["id_token"].(string), &f.op.SigningKey.PublicKey)
	if id["sub"] != "tom" || id["vot"] != "P5.Cp.Cd" {
		t.Errorf("sub %v vot %v, want the default account tom with P5.Cp.Cd", id["sub"], id["vot"])
	}
}

func TestTestAccountSwitchesPerson(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	browser := newBrowser(t)
	for _, tc := range []struct{ account, prompt, wantSub string }{
		{"amara", "", "amara"},
		{"tom", "", "tom"},
		{"", "", "tom"},      // the provider's session is kept
		{"", "login", "tom"}, // and a forced login keeps the person
		{"amara", "", "amara"},
	} {
		r := f.newRequest(tc.account)
		if tc.prompt != "" {
			r.params.Set("prompt", tc.prompt)
		}
		tok := f.signIn(t, browser, r)
		if _, id := verifyJWT(t, tok["id_token"].(string), &f.op.SigningKey.PublicKey); id["sub"] != tc.wantSub {
			t.Errorf("test_account %q prompt %q: sub %v, want %s", tc.account, tc.prompt, id["sub"], tc.wantSub)
		}
	}
}

func TestIssuerPath(t *testing.T) {
	t.Parallel()
	f := start(t, func(c *Config) { c.IssuerPath = "/nhslogin" })
	if !strings.HasSuffix(f.op.Issuer, "/nhslogin") || !strings.HasPrefix(f.disc.TokenEndpoint, f.op.Issuer+"/") {
		t.Fatalf("issuer %s, token endpoint %s", f.op.Issuer, f.disc.TokenEndpoint)
	}
	tok := f.signIn(t, newBrowser(t), f.newRequest("amara"))
	if _, id := verifyJWT(t, tok["id_token"].(string), &f.op.SigningKey.PublicKey); id["iss"] != f.op.Issuer {
		t.Errorf("iss %v, want %s", id["iss"], f.op.Issuer)
	}
}

func TestAuthorizationRequestRefused(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	for _, tc := range []struct {
		name   string
		mutate func(url.Values)
		want   string
	}{
		{"no nonce", func(q url.Values) { q.Del("nonce") }, "invalid_request"},
		{"no state", func(q url.Values) { q.Del("state") }, "invalid_request"},
		{"no PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "invalid_request"},
		{"PKCE plain", func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"vtr not JSON", func(q url.Values) { q.Set("vtr", "P9.Cp.Cd") }, "invalid_request"},
		{"vtr unknown vector", func(q url.Values) { q.Set("vtr", `["P7.Cp.Cd"]`) }, "invalid_request"},
		{"unknown test account", func(q url.Values) { q.Set("test_account", "nobody") }, "invalid_request"},
		{"implicit flow", func(q url.Values) { q.Set("response_type", "id_token") }, "unsupported_response_type"},
		{"no openid scope", func(q url.Values) { q.Set("scope", "profile") }, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.newRequest("amara")
			tc.mutate(r.params)
			got := f.authorize(t, newBrowser(t), r)
			if got.Get("error") != tc.want || got.Get("code") != "" {
				t.Errorf("callback got %v, want error=%s and no code", got, tc.want)
			}
		})
	}
}

func TestTokenRequestRefused(t *testing.T) {
	t.Parallel()
	f := start(t, nil)
	stranger := newKey(t)
	for _, tc := range []struct {
		name       string
		mutate     func(t *testing.T, form url.Values)
		wantStatus int
		wantError  string
	}{
		{"assertion signed by an unknown key", func(t *testing.T, form url.Values) {
			form.Set("client_assertion", f.assertion(t, stranger, "client-1"))
		}, http.StatusUnauthorized, "invalid_client"},
		{"assertion signed RS256", func(t *testing.T, form url.Values) {
			form.Set("client_assertion", rs256(t, f.key, "client-1", map[string]any{
				"iss": clientID, "sub": clientID, "aud": f.disc.TokenEndpoint, "jti": rand.Text(),
				"exp": time.Now().Add(time.Minute).Unix(),
			}))
		}, http.StatusUnauthorized, "invalid_client"},
		{"no client assertion", func(t *testing.T, form url.Values) {
			form.Del("client_assertion")
			form.Del("client_assertion_type")
			form.Set("client_id", clientID)
		}, http.StatusUnauthorized, "invalid_client"},
		{"no code_verifier", func(t *testing.T, form url.Values) { form.Del("code_verifier") }, http.StatusBadRequest, "invalid_grant"},
		{"wrong code_verifier", func(t *testing.T, form url.Values) {
			form.Set("code_verifier", b64([]byte(rand.Text()+rand.Text())))
		}, http.StatusBadRequest, "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.newRequest("amara")
			form := f.tokenForm(t, f.code(t, newBrowser(t), r), r.verifier)
			tc.mutate(t, form)
			status, body := f.exchange(t, form)
			if status != tc.wantStatus || body["error"] != tc.wantError || body["id_token"] != nil {
				t.Errorf("got %d %v, want %d %s", status, body, tc.wantStatus, tc.wantError)
			}
		})
	}
}

// rs256 signs claims like signJWT but with RS256, which the provider must refuse.
func rs256(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	p, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(p)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func TestBackchannelLogout(t *testing.T) {
	t.Parallel()
	tokens := make(chan string, 1)
	var status atomic.Int32
	status.Store(http.StatusOK)
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tokens <- r.PostFormValue("logout_token")
		w.WriteHeader(int(status.Load()))
	}))
	t.Cleanup(rp.Close)
	f := start(t, func(c *Config) { c.Clients[0].BackchannelLogoutURI = rp.URL + "/backchannel-logout" })

	if err := f.op.BackchannelLogout(context.Background(), clientID, "amara", ""); err != nil {
		t.Fatal(err)
	}
	header, claims := verifyJWT(t, <-tokens, &f.op.SigningKey.PublicKey)
	if header["alg"] != "RS512" || header["typ"] != "logout+jwt" {
		t.Errorf("logout token header %v", header)
	}
	if claims["iss"] != f.op.Issuer || claims["aud"] != clientID || claims["sub"] != "amara" || claims["nonce"] != nil ||
		claims["exp"] == nil || claims["jti"] == nil {
		t.Errorf("logout token claims %v", claims)
	}
	if events, _ := claims["events"].(map[string]any); events["http://schemas.openid.net/event/backchannel-logout"] == nil {
		t.Errorf("logout token events %v", claims["events"])
	}

	status.Store(http.StatusBadRequest)
	if err := f.op.BackchannelLogout(context.Background(), clientID, "amara", ""); err == nil {
		t.Error("a refused logout token reported no error")
	}
	<-tokens
	if err := f.op.BackchannelLogout(context.Background(), "nobody", "amara", ""); err == nil {
		t.Error("logout for an unknown client reported no error")
	}
}

func TestSignVerifiesWithProviderKey(t *testing.T) {
	f := &Provider{SigningKey: newKey(t), SigningKeyID: "k1"}
	header, claims := verifyJWT(t, f.Sign(t, map[string]any{"aud": "x"}), &f.SigningKey.PublicKey)
	if header["alg"] != "RS512" || header["kid"] != "k1" || claims["aud"] != "x" {
		t.Errorf("header %v claims %v", header, claims)
	}
}

// TestImportedOnlyByTests keeps the provider (and its npm dependency) out of
// Companion's binaries.
func TestImportedOnlyByTests(t *testing.T) {
	dir, err := nodefixture.Dir("auth/oidctest/op", "op.mjs")
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "..", "..", "..")
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	modPath, ok := strings.CutPrefix(strings.SplitN(string(mod), "\n", 2)[0], "module ")
	if !ok {
		t.Fatal("go.mod does not start with a module line")
	}
	mod0 := strings.TrimSpace(modPath)
	// The test helpers that start Node.js fixtures: only tests, and each
	// other, may import them.
	helpers := map[string]bool{mod0 + "/auth/oidctest": true, mod0 + "/internal/nodefixture": true, mod0 + "/server/gp/fhir/fhirtest": true}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "node_modules" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		if helpers[mod0+"/"+filepath.ToSlash(rel)] {
			return nil
		}
		for _, imp := range f.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); helpers[p] {
				t.Errorf("%s imports %s, which only tests may", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
