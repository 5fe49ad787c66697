package wire_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/internal/wire"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// TestGPSystemSelectsTheAdapter: GP_SYSTEM decides which adapter is built,
// and a name with no adapter is refused rather than quietly sandboxed.
func TestGPSystemSelectsTheAdapter(t *testing.T) {
	rdb := redistest.MustStart(t).Client(t)
	ctx := context.Background()
	sys, err := wire.GPSystem(ctx, config.Config{GPSystem: "sandbox"}, rdb)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := sys.(*sandbox.System); !ok {
		t.Errorf("GP_SYSTEM=sandbox built %T", sys)
	}
	if _, err := wire.GPSystem(ctx, config.Config{GPSystem: "emis"}, rdb); err == nil || !strings.Contains(err.Error(), `"emis"`) {
		t.Errorf("GP_SYSTEM=emis: %v", err)
	}
}
