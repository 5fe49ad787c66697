package castdata

import (
	"testing"

	"github.com/nhs-companion/companion/app/ui"
)

// TestEveryResultUnitIsWrittenForPeople: each UCUM unit in the sandbox's
// results is in the display table, so the pages show ×10⁹/L, not 10*9/L.
func TestEveryResultUnitIsWrittenForPeople(t *testing.T) {
	seen := map[string]bool{}
	for nhs, rec := range everyRecord {
		for _, r := range rec.TestResults {
			for _, v := range r.Values {
				if v.Unit == "" || seen[v.Unit] {
					continue
				}
				seen[v.Unit] = true
				if _, ok := ui.UnitText(v.Unit); !ok {
					t.Errorf("%s's %s is in %q, which the display table lacks", nhs, v.Test.Display, v.Unit)
				}
			}
		}
	}
	if len(seen) < 5 {
		t.Errorf("only %d units in the sandbox's results: is the scan right?", len(seen))
	}
}
