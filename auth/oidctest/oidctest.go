// Package oidctest starts a real OpenID Provider configured like NHS login,
// for integration tests: oidc-provider from npm (in ./op, run with Node.js)
// with the authorization code flow only, PKCE S256, state and nonce required,
// private_key_jwt client authentication, RS512 ID tokens carrying vot, NHS
// login's scopes and claims, userinfo and back-channel logout. Sign-in needs
// no UI, so a plain HTTP client with a cookie jar that follows redirects from
// the authorization URL arrives at the client's redirect_uri with a code.
//
// It is a test helper: only _test.go files may import it. It imports nothing
// from Companion. On first use it installs the provider's npm packages
// (`npm ci` in ./op), so tests need Node.js 20 and npm on PATH.
package oidctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/nodefixture"
)

// startTimeout bounds how long the provider may take to print READY.
const startTimeout = 20 * time.Second

// Client is a relying party registered with the provider.
type Client struct {
	ClientID     string
	RedirectURIs []string
	// PublicKey verifies the client's private_key_jwt assertions (RS512).
	PublicKey *rsa.PublicKey
	KeyID     string
	// BackchannelLogoutURI, if set, receives logout tokens; see
	// Provider.BackchannelLogout.
	BackchannelLogoutURI string
	// GrantTypes the client may use (authorization_code when empty);
	// client_credentials makes a backend client, as SMART Backend
	// Services registers one (with no RedirectURIs).
	GrantTypes []string
	// AuthAlg signs its assertions (RS512 when empty; RS384 for SMART).
	AuthAlg string
	// Scope is what the client may be granted, space-separated.
	Scope string
}

// Account is a person the provider can sign in, keyed by subject in Config.
type Account struct {
	// Claims are returned by userinfo and in the ID token, as far as the
	// granted scopes allow (see the package comment for the mapping).
	Claims map[string]any
	// VoT is the vector of trust the ID token reports, whatever vtr asked for.
	VoT string
}

// Config describes the provider to start.
type Config struct {
	Clients []Client
	// Accounts are the people who can sign in, by subject.
	Accounts map[string]Account
	// DefaultAccount signs in when the authorization request has no
	// test_account parameter.
	DefaultAccount string
	// SigningKey signs ID tokens and logout tokens (RS512); a 2048-bit key is
	// generated when nil.
	SigningKey   *rsa.PrivateKey
	SigningKeyID string
	// Port on 127.0.0.1; 0 picks a free one.
	Port int
	// IssuerPath is appended to http://127.0.0.1:<port> to make the issuer.
	IssuerPath string
	// Backend makes the provider an authorization server for backend
	// clients too, as SMART Backend Services needs: the client
	// credentials grant, RS384 assertions and token introspection (NHS
	// login offers none of them, so the default leaves them off).
	Backend bool
	// NHSApp, when set, accepts single sign-on from the NHS App.
	NHSApp *NHSApp
}

// NHSApp is the NHS App as the provider knows it: the client that signs
// assertions of who is signed in to it, and its sessions.
type NHSApp struct {
	ClientID string
	// Key signs the App's assertions; the provider verifies with its
	// public half.
	Key *rsa.PrivateKey
	// Sessions are the App's NHS login sessions an assertion's code may
	// name.
	Sessions map[string]AppSession
}

// AppSession is someone signed in to the NHS App.
type AppSession struct {
	// Account is the subject in Config.Accounts.
	Account string
	// NoConsent: they will not share their details with the service.
	NoConsent bool
}

// Assert is the assertedLoginIdentity the App makes for its session code,
// issued at iat and good for ttl (NHS login allows at most a minute).
func (a *NHSApp) Assert(tb testing.TB, code string, iat time.Time, ttl time.Duration) string {
	tb.Helper()
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	s, err := signJWT(a.Key, "nhsapp", "JWT", map[string]any{
		"iss": a.ClientID, "code": code, "jti": fmt.Sprintf("%x", jti),
		"iat": iat.Unix(), "exp": iat.Add(ttl).Unix(),
	})
	if err != nil {
		tb.Fatalf("oidctest: assert: %v", err)
	}
	return s
}

// Provider is a running provider; it stops when the test that started it ends.
type Provider struct {
	Issuer       string
	SigningKey   *rsa.PrivateKey
	SigningKeyID string
}

// MustStart starts the provider and stops it when tb ends. It fails tb,
// saying what to install, if Node.js or npm is missing.
func MustStart(tb testing.TB, cfg Config) *Provider {
	tb.Helper()
	var err error
	if cfg.SigningKey == nil {
		if cfg.SigningKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			tb.Fatalf("oidctest: %v", err)
		}
	}
	if cfg.SigningKeyID == "" {
		cfg.SigningKeyID = "oidctest-op-1"
	}
	conf, err := cfg.opConfig()
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}

	proc := nodefixture.MustStart(tb, nodefixture.Spec{
		Name: "oidctest", Dir: "auth/oidctest/op", Script: "op.mjs", Package: "oidc-provider",
		Env: []string{"OP_CONFIG=" + string(conf), "OP_EXIT_ON_STDIN_EOF=1"}, Timeout: startTimeout,
	})
	tb.Logf("oidctest: provider %s ready", proc.Ready)
	return &Provider{Issuer: proc.Ready, SigningKey: cfg.SigningKey, SigningKeyID: cfg.SigningKeyID}
}

// Sign makes an RS512 JWT signed with the provider's own key and key ID, so
// tests can present tokens the provider could have issued (tampered, expired
// or for another audience, say).
func (p *Provider) Sign(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	s, err := signJWT(p.SigningKey, p.SigningKeyID, "JWT", claims)
	if err != nil {
		tb.Fatalf("oidctest: sign: %v", err)
	}
	return s
}

// BackchannelLogout makes the provider send the client's back-channel logout
// URI a logout token for sub (with sid, if not empty), as NHS login would
// when the person signs out. It returns an error if the client did not answer
// 200 or 204.
func (p *Provider) BackchannelLogout(ctx context.Context, clientID, sub, sid string) error {
	form := url.Values{"client_id": {clientID}, "sub": {sub}}
	if sid != "" {
		form.Set("sid", sid)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Issuer+"/__test/backchannel-logout",
		strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("back-channel logout: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("back-channel logout: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<10))
		return fmt.Errorf("back-channel logout: %s: %s", res.Status, bytes.TrimSpace(body))
	}
	return nil
}

// SignInAs is an http.Client CheckRedirect that names account in every
// authorization request the client is redirected to, so a relying party's
// sign-in start signs that person in (the provider takes test_account).
func SignInAs(account string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, _ []*http.Request) error {
		if strings.HasSuffix(req.URL.Path, "/auth") && req.URL.Query().Has("client_id") {
			q := req.URL.Query()
			q.Set("test_account", account)
			req.URL.RawQuery = q.Encode()
		}
		return nil
	}
}
