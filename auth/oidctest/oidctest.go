// Package oidctest starts a real OpenID Provider (oidc-provider from npm,
// in ./op) configured like NHS login, for integration tests: RS512 ID tokens
// with vot, private_key_jwt, PKCE S256, NHS login's claims. It installs the
// provider's npm packages on first use.
//
// Test-only: nothing outside _test.go files may import it.
package oidctest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Client is a relying party registered with the provider.
type Client struct {
	ClientID     string
	RedirectURIs []string
	PublicKey    *rsa.PublicKey
	KeyID        string
	// BackchannelLogoutURI, if set, receives logout tokens.
	BackchannelLogoutURI string
}

// Account is a person the provider can sign in.
type Account struct {
	Claims map[string]any
	VoT    string
}

// Config describes the provider to start.
type Config struct {
	Clients        []Client
	Accounts       map[string]Account // by subject
	DefaultAccount string
	// SigningKey signs ID tokens (generated when nil).
	SigningKey   *rsa.PrivateKey
	SigningKeyID string
}

// Provider is a running provider.
type Provider struct {
	Issuer       string
	SigningKey   *rsa.PrivateKey
	SigningKeyID string
}

var installOnce sync.Once
var installErr error

func opDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "op")
}

// MustStart starts the provider and stops it when tb ends.
func MustStart(tb testing.TB, cfg Config) *Provider {
	tb.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		tb.Fatal("node not found: install Node.js 20 and npm")
	}
	dir := opDir()
	installOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider")); err == nil {
			return
		}
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			installErr = &installError{err: err, out: string(out)}
		}
	})
	if installErr != nil {
		tb.Fatalf("install oidc-provider: %v", installErr)
	}
	if cfg.SigningKey == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			tb.Fatal(err)
		}
		cfg.SigningKey, cfg.SigningKeyID = k, "op-key-1"
	}
	clients := make([]map[string]any, 0, len(cfg.Clients))
	for _, c := range cfg.Clients {
		m := map[string]any{
			"client_id": c.ClientID, "redirect_uris": c.RedirectURIs,
			"jwks": map[string]any{"keys": []any{PublicJWK(c.PublicKey, c.KeyID)}},
		}
		if c.BackchannelLogoutURI != "" {
			m["backchannel_logout_uri"] = c.BackchannelLogoutURI
		}
		clients = append(clients, m)
	}
	accounts := map[string]any{}
	for sub, a := range cfg.Accounts {
		accounts[sub] = map[string]any{"claims": a.Claims, "vot": a.VoT}
	}
	conf, _ := json.Marshal(map[string]any{
		"port": 0, "signing_jwk": PrivateJWK(cfg.SigningKey, cfg.SigningKeyID),
		"clients": clients, "accounts": accounts, "default_account": cfg.DefaultAccount,
	})
	cmd := exec.Command("node", "op.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OP_CONFIG="+string(conf))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if issuer, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- issuer
			}
		}
	}()
	select {
	case issuer := <-ready:
		return &Provider{Issuer: issuer, SigningKey: cfg.SigningKey, SigningKeyID: cfg.SigningKeyID}
	case <-time.After(20 * time.Second):
		tb.Fatalf("oidc-provider did not start within 20s:\n%s", stderr.String())
	}
	return nil
}

type installError struct {
	err error
	out string
}

func (e *installError) Error() string { return e.err.Error() + "\n" + e.out }

// Sign makes an RS512 JWT signed with the provider's own key, so tests can
// present tokens the provider could have issued (with a wrong audience, say).
func (p *Provider) Sign(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	t := jwt.NewWithClaims(jwt.SigningMethodRS512, jwt.MapClaims(claims))
	t.Header["kid"] = p.SigningKeyID
	s, err := t.SignedString(p.SigningKey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// PublicJWK is an RSA public key as a JWK.
func PublicJWK(pub *rsa.PublicKey, kid string) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS512",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}
}

// PrivateJWK is an RSA private key as a JWK.
func PrivateJWK(k *rsa.PrivateKey, kid string) map[string]any {
	k.Precompute()
	m := PublicJWK(&k.PublicKey, kid)
	m["d"] = b64(k.D.Bytes())
	m["p"] = b64(k.Primes[0].Bytes())
	m["q"] = b64(k.Primes[1].Bytes())
	m["dp"] = b64(k.Precomputed.Dp.Bytes())
	m["dq"] = b64(k.Precomputed.Dq.Bytes())
	m["qi"] = b64(k.Precomputed.Qinv.Bytes())
	return m
}
