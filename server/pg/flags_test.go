package pg_test

import (
	"testing"

	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/flags/flagstest"
	"github.com/nhs-companion/companion/server/keep"
	"github.com/nhs-companion/companion/server/keep/keeptest"
	"github.com/nhs-companion/companion/server/monitoring"
	"github.com/nhs-companion/companion/server/monitoring/plantest"
	"github.com/nhs-companion/companion/server/pg"
	"github.com/nhs-companion/companion/server/prefs"
	"github.com/nhs-companion/companion/server/prefs/prefstest"
)

func TestFlagsContract(t *testing.T) {
	flagstest.Run(t, func(t *testing.T) flags.Rules {
		db, _ := open(t)
		return pg.NewFlags(db)
	})
}

func TestPrefsContract(t *testing.T) {
	prefstest.Run(t, func(t *testing.T) prefs.Preferences {
		db, _ := open(t)
		return pg.NewPrefs(db)
	})
}

func TestKeptContract(t *testing.T) {
	keeptest.Run(t, func(t *testing.T) keep.Store {
		db, _ := open(t)
		return pg.NewKept(db)
	})
}

func TestPlansContract(t *testing.T) {
	plantest.Run(t, func(t *testing.T) monitoring.Store {
		db, _ := open(t)
		return pg.NewPlans(db)
	})
}
