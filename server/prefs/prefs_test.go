package prefs_test

import (
	"testing"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/prefs"
	"github.com/nhs-companion/companion/server/prefs/prefstest"
)

func TestRedisContract(t *testing.T) {
	rs := redistest.MustStart(t)
	prefstest.Run(t, func(t *testing.T) prefs.Preferences { return prefs.NewStore(rs.Client(t), "t:prefs:") })
}
