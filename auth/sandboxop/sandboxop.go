// Package sandboxop is the sandbox NHS login: an in-process OpenID Provider
// with the same interface NHS login has (discovery, JWKS, authorize, token
// requiring private_key_jwt, userinfo, RS512 ID tokens carrying vot). It
// offers the sandbox cast on an accessible picker page, and signs in the
// person named by login_hint directly so scripts can sign in. An optional
// Lookup finds people added after start-up (load tests' synthetic patients)
// by login_hint alone; they are never offered on the picker. It plays the
// NHS App too (nhsapp.go): /nhsapp opens a page of Companion as the App
// does, with an assertion of who is signed in, and authorize takes such an
// assertion under prompt=none as NHS login does; prompt=none without one
// is login_required, as there is no provider session here.
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
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

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
	mux.HandleFunc("GET "+p.base+"/nhsapp", p.openFromApp)
	return mux
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
