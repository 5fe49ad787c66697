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
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
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
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Fatal("oidctest: node not found on PATH: install Node.js 20 and npm")
	}
	dir, err := opDir()
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}
	if err := ensureInstalled(dir); err != nil {
		tb.Fatalf("oidctest: %v", err)
	}
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

	cmd := exec.Command(node, "op.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "OP_CONFIG="+string(conf), "OP_EXIT_ON_STDIN_EOF=1")
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	// The provider exits when this pipe closes, so it never outlives the test
	// binary even if Cleanup does not run.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatalf("oidctest: start node: %v", err)
	}
	ready := make(chan string, 1)
	exited := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if issuer, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				select {
				case ready <- issuer:
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
		// Wait only after stdout is drained, as os/exec requires.
		exited <- cmd.Wait()
	}()
	stopped := false
	tb.Cleanup(func() {
		if !stopped {
			stdin.Close()
			cmd.Process.Kill()
			<-exited
		}
		if tb.Failed() {
			tb.Logf("oidctest: provider stderr:\n%s", stderr.String())
		}
	})

	select {
	case issuer := <-ready:
		tb.Logf("oidctest: provider %s ready in %v", issuer, time.Since(start).Round(time.Millisecond))
		return &Provider{Issuer: issuer, SigningKey: cfg.SigningKey, SigningKeyID: cfg.SigningKeyID}
	case err := <-exited:
		stopped = true
		tb.Fatalf("oidctest: provider exited before it was ready (%v); stderr:\n%s", err, stderr.String())
	case <-time.After(startTimeout):
		tb.Fatalf("oidctest: provider not ready within %v; stderr:\n%s", startTimeout, stderr.String())
	}
	return nil
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

// RSAPublicJWK is pub as a JWK for RS512 signatures.
func RSAPublicJWK(pub *rsa.PublicKey, kid string) map[string]any {
	return map[string]any{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS512",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// RSAPrivateJWK is k as a JWK for RS512 signatures. It panics if k has more
// than two primes.
func RSAPrivateJWK(k *rsa.PrivateKey, kid string) map[string]any {
	if len(k.Primes) != 2 {
		panic("oidctest: RSAPrivateJWK needs a two-prime RSA key")
	}
	p, q := k.Primes[0], k.Primes[1]
	one := big.NewInt(1)
	// Computed here rather than read from k.Precomputed, which Precompute
	// would have to fill in (mutating a key the caller may share).
	dp := new(big.Int).Mod(k.D, new(big.Int).Sub(p, one))
	dq := new(big.Int).Mod(k.D, new(big.Int).Sub(q, one))
	qi := new(big.Int).ModInverse(q, p)
	m := RSAPublicJWK(&k.PublicKey, kid)
	m["d"] = b64(k.D.Bytes())
	m["p"] = b64(p.Bytes())
	m["q"] = b64(q.Bytes())
	m["dp"] = b64(dp.Bytes())
	m["dq"] = b64(dq.Bytes())
	m["qi"] = b64(qi.Bytes())
	return m
}

// opConfig is cfg as op.mjs reads it.
func (cfg Config) opConfig() ([]byte, error) {
	type client struct {
		ClientID             string         `json:"client_id"`
		RedirectURIs         []string       `json:"redirect_uris"`
		JWKS                 map[string]any `json:"jwks"`
		BackchannelLogoutURI string         `json:"backchannel_logout_uri,omitempty"`
	}
	type account struct {
		Claims map[string]any `json:"claims"`
		VoT    string         `json:"vot"`
	}
	clients := make([]client, 0, len(cfg.Clients))
	for _, c := range cfg.Clients {
		if c.PublicKey == nil {
			return nil, fmt.Errorf("client %q has no PublicKey", c.ClientID)
		}
		clients = append(clients, client{
			ClientID: c.ClientID, RedirectURIs: c.RedirectURIs,
			JWKS:                 map[string]any{"keys": []any{RSAPublicJWK(c.PublicKey, c.KeyID)}},
			BackchannelLogoutURI: c.BackchannelLogoutURI,
		})
	}
	accounts := make(map[string]account, len(cfg.Accounts))
	for sub, a := range cfg.Accounts {
		accounts[sub] = account{Claims: a.Claims, VoT: a.VoT}
	}
	if _, ok := cfg.Accounts[cfg.DefaultAccount]; cfg.DefaultAccount != "" && !ok {
		return nil, fmt.Errorf("DefaultAccount %q is not in Accounts", cfg.DefaultAccount)
	}
	return json.Marshal(map[string]any{
		"port":            cfg.Port,
		"issuer_path":     cfg.IssuerPath,
		"signing_jwk":     RSAPrivateJWK(cfg.SigningKey, cfg.SigningKeyID),
		"clients":         clients,
		"accounts":        accounts,
		"default_account": cfg.DefaultAccount,
	})
}

// opDir finds ./op beside this source file, or under the module root when
// the source path is not available (a -trimpath build).
func opDir() (string, error) {
	var candidates []string
	if _, file, _, ok := runtime.Caller(0); ok {
		candidates = append(candidates, filepath.Join(filepath.Dir(file), "op"))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				candidates = append(candidates, filepath.Join(d, "auth", "oidctest", "op"))
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "op.mjs")); err == nil {
			return c, nil
		}
	}
	return "", errors.New("cannot find auth/oidctest/op/op.mjs")
}

var installMu sync.Mutex

// ensureInstalled runs `npm ci` in dir unless the oidc-provider version
// package.json names is already installed. Test binaries for several packages
// run at once, so a file lock keeps them from installing over one another.
func ensureInstalled(dir string) error {
	installMu.Lock()
	defer installMu.Unlock()
	want, err := wantedVersion(dir)
	if err != nil {
		return err
	}
	if installedVersion(dir) == want {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return errors.New("npm not found on PATH: install Node.js 20 and npm")
	}
	unlock, err := lockFile(filepath.Join(os.TempDir(), "companion-oidctest-npm.lock"))
	if err != nil {
		return fmt.Errorf("lock npm install: %w", err)
	}
	defer unlock()
	if installedVersion(dir) == want {
		return nil
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", dir, err, out)
	}
	if got := installedVersion(dir); got != want {
		return fmt.Errorf("npm ci in %s installed oidc-provider %q, want %q", dir, got, want)
	}
	return nil
}

func wantedVersion(dir string) (string, error) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err == nil {
		err = json.Unmarshal(b, &pkg)
	}
	if err != nil {
		return "", fmt.Errorf("read op/package.json: %w", err)
	}
	return pkg.Dependencies["oidc-provider"], nil
}

func installedVersion(dir string) string {
	var pkg struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "oidc-provider", "package.json"))
	if err != nil || json.Unmarshal(b, &pkg) != nil {
		return ""
	}
	return pkg.Version
}

// signJWT makes a compact RS512 JWS of claims with the given key ID and typ.
func signJWT(key *rsa.PrivateKey, kid, typ string, claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS512", "typ": typ, "kid": kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(header) + "." + b64(payload)
	sum := sha512.Sum512([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA512, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// lockedBuffer collects the provider's stderr while tests may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
