package oidctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

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
