// Package prefstest is the contract every prefs.Preferences passes.
//
// It is a test helper: only _test.go files may import it.
package prefstest

import (
	"context"
	"testing"

	"github.com/nhs-companion/companion/server/prefs"
)

// Run checks empty Preferences made by open.
func Run(t *testing.T, open func(t *testing.T) prefs.Preferences) {
	ctx := context.Background()
	p := open(t)
	if loc, err := p.Language(ctx, "sub-1"); err != nil || loc != "" {
		t.Errorf("no choice yet: %q %v", loc, err)
	}
	for _, loc := range []string{"cy", "en-GB"} {
		if err := p.SetLanguage(ctx, "sub-1", loc); err != nil {
			t.Fatal(err)
		}
		if got, err := p.Language(ctx, "sub-1"); err != nil || got != loc {
			t.Errorf("after choosing %s: %q %v", loc, got, err)
		}
	}
	if got, _ := p.Language(ctx, "sub-2"); got != "" {
		t.Errorf("someone else's choice leaked: %q", got)
	}
}
