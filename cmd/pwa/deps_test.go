//go:build !js

package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWASMLinksNoServerCode keeps server-only code out of app.wasm: it would
// bloat the download and could carry secrets' handling into the browser.
func TestWASMLinksNoServerCode(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list found only %d packages: %s", len(deps), out)
	}
	forbidden := []string{
		"github.com/redis/go-redis",
		"github.com/coreos/go-oidc",
		"github.com/golang-jwt/jwt",
		"golang.org/x/oauth2",
		"github.com/alicebob/miniredis",
		"github.com/prometheus/",
		"github.com/nhs-companion/companion/server",
		"github.com/nhs-companion/companion/auth",
		"github.com/nhs-companion/companion/config",
		"github.com/nhs-companion/companion/internal/",
	}
	for _, d := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(d, f) {
				t.Errorf("app.wasm links %s (forbidden: %s)", d, f)
			}
		}
	}
	// The entry must use the app's shared packages, or this test proves nothing.
	for _, want := range []string{"github.com/nhs-companion/companion/app/ui", "github.com/maxence-charriere/go-app/v9/pkg/app"} {
		found := false
		for _, d := range deps {
			found = found || d == want
		}
		if !found {
			t.Errorf("app.wasm does not link %s", want)
		}
	}
}
