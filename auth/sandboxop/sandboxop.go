// Package sandboxop is the sandbox NHS login: an in-process OpenID Provider
// with the same interface NHS login has (discovery, JWKS, authorize, token
// requiring private_key_jwt, userinfo, RS512 ID tokens carrying vot). It
// offers the sandbox cast on an accessible picker page, and signs in the
// person named by login_hint directly so scripts can sign in. An optional
// Lookup finds people added after start-up (load tests' synthetic patients)
// by login_hint alone; they are never offered on the picker.
//
// It exists only in sandbox mode: cmd/companion never builds it when
// COMPANION_ENV=production, and New refuses a production flag.
//
// It is server-only.
package sandboxop

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"
)

// Account is a person the sandbox provider can sign in.
type Account struct {
	Subject string
	// Hint is what login_hint names them by (an NHS number, a staff ID).
	Hint string
	// Name is shown on the picker.
	Name string
	// Kind is "patient" or "staff": a client sees only its own kind.
	Kind string
	// Claims are returned by userinfo.
	Claims map[string]any
	// VoT is the vector of trust their sign-in achieves, e.g. "P9.Cp.Cd".
	VoT string
}

// Client is a registered relying party.
type Client struct {
	ID           string
	RedirectURIs []string
	Key          *rsa.PublicKey
	KeyID        string
	Kind         string
}

// PickerData is what the picker page shows and must post back.
type PickerData struct {
	Accounts []Account
	// Params are the authorization request's parameters, to repost.
	Params url.Values
	// Action is where the picker form posts.
	Action string
	// Error is set when the form came back without a choice.
	Error bool
}

// Provider is the sandbox OpenID Provider.
type Provider struct {
	issuer   string
	base     string // path prefix the handler is mounted at
	key      *rsa.PrivateKey
	keyID    string
	accounts []Account
	lookup   func(ctx context.Context, hint string) (Account, bool)
	clients  map[string]Client
	rdb      redis.UniversalClient
	prefix   string
	now      func() time.Time
	picker   func(w http.ResponseWriter, r *http.Request, d PickerData) error
}

// Options configure New.
type Options struct {
	// Issuer is the public URL of the provider (scheme, host, base path).
	Issuer   string
	Accounts []Account
	Clients  []Client
	Redis    redis.UniversalClient
	Prefix   string
	Now      func() time.Time
	// Picker renders the account picker page.
	Picker func(w http.ResponseWriter, r *http.Request, d PickerData) error
	// Production must be false: the sandbox provider never runs in production.
	Production bool

	// Lookup, when set, finds a person who is not among Accounts by the
	// login_hint naming them, so load tests can sign in thousands of people
	// added after start-up without listing them on the picker. It is asked
	// only for a login_hint no fixed account answers to, and again at
	// userinfo, so claims come from the current record.
	Lookup func(ctx context.Context, hint string) (Account, bool)
}

// New makes a provider with a fresh signing key.
func New(o Options) (*Provider, error) {
	if o.Production {
		return nil, errors.New("sandboxop: the sandbox NHS login cannot run in production")
	}
	u, err := url.Parse(o.Issuer)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("sandboxop: issuer %q is not a URL", o.Issuer)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	p := &Provider{
		issuer: strings.TrimSuffix(o.Issuer, "/"), base: strings.TrimSuffix(u.Path, "/"),
		key: key, keyID: "sandbox-" + thumb(&key.PublicKey),
		accounts: o.Accounts, lookup: o.Lookup, clients: map[string]Client{}, rdb: o.Redis, prefix: o.Prefix + "op:",
		now: o.Now, picker: o.Picker,
	}
	for _, c := range o.Clients {
		p.clients[c.ID] = c
	}
	return p, nil
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// Register adds a client (the relying party's key is made at start-up).
func (p *Provider) Register(c Client) { p.clients[c.ID] = c }

// Handler serves the provider's endpoints under its base path.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+p.base+"/.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET "+p.base+"/jwks", p.jwks)
	mux.HandleFunc("GET "+p.base+"/authorize", p.authorize)
	mux.HandleFunc("POST "+p.base+"/authorize", p.authorize)
	mux.HandleFunc("POST "+p.base+"/token", p.token)
	mux.HandleFunc("GET "+p.base+"/userinfo", p.userinfo)
	return mux
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                           p.issuer,
		"authorization_endpoint":                           p.issuer + "/authorize",
		"token_endpoint":                                   p.issuer + "/token",
		"userinfo_endpoint":                                p.issuer + "/userinfo",
		"jwks_uri":                                         p.issuer + "/jwks",
		"response_types_supported":                         []string{"code"},
		"response_modes_supported":                         []string{"query"},
		"grant_types_supported":                            []string{"authorization_code"},
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS512"},
		"token_endpoint_auth_methods_supported":            []string{"private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS512"},
		"code_challenge_methods_supported":                 []string{"S256"},
		"scopes_supported":                                 []string{"openid", "profile", "email", "phone", "gp_registration_details"},
		"claims_supported": []string{"sub", "nhs_number", "birthdate", "family_name", "given_name",
			"identity_proofing_level", "gp_registration_details", "vot"},
		"vtr_supported": []string{"P0.Cp.Cd", "P5.Cp.Cd", "P5.Cp.Ck", "P5.Cm", "P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{PublicJWK(&p.key.PublicKey, p.keyID, "RS512")}})
}

// authorize validates the request, then signs in the login_hint account or
// shows the picker (GET) and accepts its answer (POST).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	q := r.Form
	client, ok := p.clients[q.Get("client_id")]
	redirect := q.Get("redirect_uri")
	if !ok || !slices.Contains(client.RedirectURIs, redirect) {
		// Never redirect to an unregistered URI.
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	fail := func(code, desc string) {
		u, _ := url.Parse(redirect)
		v := u.Query()
		v.Set("error", code)
		v.Set("error_description", desc)
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only code is supported")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "openid is required")
		return
	case q.Get("state") == "" || q.Get("nonce") == "":
		fail("invalid_request", "state and nonce are required")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "PKCE with S256 is required")
		return
	}
	var acct *Account
	hint := q.Get("login_hint")
	if r.Method == http.MethodPost {
		hint = r.PostForm.Get("account")
	}
	for i := range p.accounts {
		a := &p.accounts[i]
		if a.Kind == client.Kind && hint != "" && (a.Hint == hint || a.Subject == hint) {
			acct = a
		}
	}
	looked := false
	if acct == nil && r.Method == http.MethodGet && hint != "" && p.lookup != nil {
		// Only a login_hint reaches Lookup: the picker offers, and accepts,
		// the fixed accounts alone.
		if a, ok := p.lookup(r.Context(), hint); ok && a.Kind == client.Kind && a.Hint == hint {
			acct, looked = &a, true
		}
	}
	if acct == nil {
		var mine []Account
		for _, a := range p.accounts {
			if a.Kind == client.Kind {
				mine = append(mine, a)
			}
		}
		params := url.Values{}
		for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "vtr", "prompt", "response_mode"} {
			if v := q.Get(k); v != "" {
				params.Set(k, v)
			}
		}
		d := PickerData{Accounts: mine, Params: params, Action: p.base + "/authorize", Error: r.Method == http.MethodPost}
		status := http.StatusOK
		if d.Error {
			status = http.StatusUnprocessableEntity
		}
		w.WriteHeader(status)
		if err := p.picker(w, r, d); err != nil {
			http.Error(w, "picker failed", http.StatusInternalServerError)
		}
		return
	}
	if vtr := q.Get("vtr"); vtr != "" {
		var want []string
		if json.Unmarshal([]byte(vtr), &want) != nil {
			fail("invalid_request", "vtr must be a JSON array")
			return
		}
		if !achieves(acct.VoT, want) {
			fail("access_denied", "the account cannot meet the requested vector of trust")
			return
		}
	}
	code, err := randomString()
	if err != nil {
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	g := grantRecord{
		Subject: acct.Subject, ClientID: client.ID, RedirectURI: redirect,
		Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge"), VoT: acct.VoT,
	}
	if looked {
		g.Hint = hint
	}
	grant, _ := json.Marshal(g)
	if err := p.rdb.Set(r.Context(), p.prefix+"code:"+code, grant, time.Minute).Err(); err != nil {
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	u, _ := url.Parse(redirect)
	v := u.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// achieves reports whether vot is among the requested vectors.
func achieves(vot string, want []string) bool { return slices.Contains(want, vot) }

// grantRecord is what an authorization code stands for. Hint is set only
// for an account found by Lookup, so userinfo can find it again.
type grantRecord struct {
	Subject, ClientID, RedirectURI, Nonce, Challenge, VoT string
	Hint                                                  string `json:",omitempty"`
}

// tokenRecord is what an access token stands for.
type tokenRecord struct {
	Subject string
	Hint    string `json:",omitempty"`
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "bad form")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	client, err := p.authenticate(ctx, f)
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	raw, err := p.rdb.GetDel(ctx, p.prefix+"code:"+f.Get("code")).Bytes()
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	}
	var g grantRecord
	if err := json.Unmarshal(raw, &g); err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "bad grant")
		return
	}
	if g.ClientID != client.ID || g.RedirectURI != f.Get("redirect_uri") {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code was issued to another client or redirect_uri")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if f.Get("code_verifier") == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.Challenge {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	now := p.now()
	idt := jwt.NewWithClaims(jwt.SigningMethodRS512, jwt.MapClaims{
		"iss": p.issuer, "sub": g.Subject, "aud": client.ID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "auth_time": now.Unix(),
		"nonce": g.Nonce, "vot": g.VoT, "vtm": p.issuer + "/trustmark",
	})
	idt.Header["kid"] = p.keyID
	signed, err := idt.SignedString(p.key)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	access, err := randomString()
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	rec, _ := json.Marshal(tokenRecord{Subject: g.Subject, Hint: g.Hint})
	if err := p.rdb.Set(ctx, p.prefix+"at:"+access, rec, 5*time.Minute).Err(); err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": signed,
	})
}

// authenticate checks the private_key_jwt client assertion: RS512, signed by
// the client's registered key, iss = sub = client_id, aud = token endpoint,
// short-lived and never replayed.
func (p *Provider) authenticate(ctx context.Context, f url.Values) (Client, error) {
	if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || f.Get("client_assertion") == "" {
		return Client{}, errors.New("private_key_jwt client assertion required")
	}
	var client Client
	claims := jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(f.Get("client_assertion"), &claims, func(t *jwt.Token) (any, error) {
		c, ok := p.clients[claims.Issuer]
		if !ok {
			return nil, errors.New("unknown client")
		}
		if kid, _ := t.Header["kid"].(string); c.KeyID != "" && kid != c.KeyID {
			return nil, errors.New("unknown key")
		}
		client = c
		return c.Key, nil
	}, jwt.WithValidMethods([]string{"RS512"}), jwt.WithAudience(p.issuer+"/token"),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(p.now))
	if err != nil {
		return Client{}, fmt.Errorf("client assertion: %w", err)
	}
	if claims.Subject != claims.Issuer || (f.Get("client_id") != "" && f.Get("client_id") != claims.Issuer) {
		return Client{}, errors.New("client assertion: iss, sub and client_id must agree")
	}
	if claims.ExpiresAt.Sub(p.now()) > 5*time.Minute+30*time.Second {
		return Client{}, errors.New("client assertion: lifetime over 5 minutes")
	}
	if claims.ID == "" {
		return Client{}, errors.New("client assertion: jti required")
	}
	ok, err := p.rdb.SetNX(ctx, p.prefix+"jti:"+claims.Issuer+":"+claims.ID, 1, 10*time.Minute).Result()
	if err != nil || !ok {
		return Client{}, errors.New("client assertion: jti replayed")
	}
	return client, nil
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "bearer token required")
		return
	}
	raw, err := p.rdb.Get(r.Context(), p.prefix+"at:"+token).Bytes()
	var rec tokenRecord
	if err == nil {
		err = json.Unmarshal(raw, &rec)
	}
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "unknown or expired token")
		return
	}
	a, ok := p.account(r.Context(), rec)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_token", "account gone")
		return
	}
	out := map[string]any{"sub": rec.Subject}
	for k, v := range a.Claims {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

// account finds the account an access token was issued for: a fixed one by
// subject, or one Lookup found at sign-in, asked again by its hint.
func (p *Provider) account(ctx context.Context, rec tokenRecord) (Account, bool) {
	if rec.Hint == "" {
		for _, a := range p.accounts {
			if a.Subject == rec.Subject {
				return a, true
			}
		}
		return Account{}, false
	}
	if p.lookup == nil {
		return Account{}, false
	}
	a, ok := p.lookup(ctx, rec.Hint)
	return a, ok && a.Subject == rec.Subject
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomString() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// PublicJWK is the JWK of an RSA public key.
func PublicJWK(pub *rsa.PublicKey, kid, alg string) map[string]any {
	return map[string]any{
		"kty": "RSA", "use": "sig", "alg": alg, "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

func thumb(pub *rsa.PublicKey) string {
	sum := sha256.Sum256(pub.N.Bytes())
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}
