package wire_test

import (
	"context"
	"github.com/nhs-companion/companion/server/web"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/internal/wire"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// TestSandboxLoginHintReachesSyntheticPatientsOnly checks the sandbox NHS
// login's lookup: a synthetic load-test patient signs in by login_hint
// alone, while cast members without a login (a child, a person cared for)
// and numbers the GP system does not hold get the picker and no session.
func TestSandboxLoginHintReachesSyntheticPatientsOnly(t *testing.T) {
	rs := redistest.MustStart(t)
	rdb := rs.Client(t)
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	vars := map[string]string{"PUBLIC_URL": base, "WEB_DIR": stubWeb(t), "LOG_LEVEL": "error"}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv, err := wire.Build(ctx, cfg, rdb, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	t.Cleanup(hs.Close)
	numbers, err := sandbox.New(rdb, "companion:", time.Now).AddPatients(ctx, sandbox.PilotPractice, 2)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, hint string
		wantIn     bool
	}{
		{name: "synthetic patient", hint: numbers[1], wantIn: true},
		{name: "cast member with a login", hint: "9990000018", wantIn: true},
		{name: "child without a login", hint: "9990000026"},
		{name: "person cared for, without a login", hint: "9990000042"},
		{name: "synthetic number not added", hint: sandbox.SyntheticNumbers(5)[4]},
	}
	for _, tt := range tests {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if !strings.HasPrefix(req.URL.Path, "/auth/") && !strings.HasPrefix(req.URL.Path, "/sandbox-login/") {
				return http.ErrUseLastResponse
			}
			return nil
		}}
		res, err := c.Get(base + "/auth/login?" + url.Values{"login_hint": {tt.hint}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		u, _ := url.Parse(base + "/")
		signedIn := false
		for _, ck := range jar.Cookies(u) {
			signedIn = signedIn || ck.Name == "companion"
		}
		if signedIn != tt.wantIn {
			t.Errorf("%s: signed in %v, want %v (last answer %d at %s)", tt.name, signedIn, tt.wantIn, res.StatusCode, res.Request.URL.Path)
		}
		if !tt.wantIn && (res.StatusCode != http.StatusOK || !strings.HasSuffix(res.Request.URL.Path, "/authorize")) {
			t.Errorf("%s: answer %d at %s, want the picker", tt.name, res.StatusCode, res.Request.URL.Path)
		}
	}
}

// stubWeb makes a WEB_DIR with the files the server requires at start-up.
func stubWeb(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := web.WriteStubs(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}
