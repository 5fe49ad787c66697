package castdata

import (
	"testing"

	"github.com/nhs-companion/companion/server/gp"
)

// limit is one threshold of a plan: a value at or past at (above it for
// "high", below it for "low") needs attention.
type limit struct {
	part      int // which value: 1 is a blood pressure's diastolic
	at        float64
	direction string
	attention gp.Attention
}

// plans are the sandbox plans' thresholds, most urgent first, written out
// here rather than read from the server's monitoring rules: blood pressure
// as the practice's hypertension plan has them, and NEWS2's for the
// virtual ward.
var plans = map[gp.VitalSign][]limit{
	gp.BloodPressure: {
		{0, 180, "high", gp.AttentionRed}, {0, 90, "low", gp.AttentionRed}, {1, 120, "high", gp.AttentionRed},
		{0, 135, "high", gp.AttentionAmber}, {0, 100, "low", gp.AttentionAmber}, {1, 85, "high", gp.AttentionAmber},
	},
	gp.Pulse: {
		{0, 40, "low", gp.AttentionRed}, {0, 131, "high", gp.AttentionRed},
		{0, 50, "low", gp.AttentionAmber}, {0, 91, "high", gp.AttentionAmber},
	},
	gp.OxygenSaturation: {{0, 91, "low", gp.AttentionRed}, {0, 95, "low", gp.AttentionAmber}},
	gp.Temperature: {
		{0, 35.0, "low", gp.AttentionRed}, {0, 36.0, "low", gp.AttentionAmber}, {0, 38.1, "high", gp.AttentionAmber},
	},
}

// judge is how a reading stands against the plans.
func judge(r Reading) (gp.Attention, string) {
	for _, l := range plans[r.Sign] {
		v := r.Values[l.part]
		if (l.direction == "high" && v >= l.at) || (l.direction == "low" && v <= l.at) {
			return l.attention, l.direction
		}
	}
	return gp.AttentionNone, ""
}

// TestSeededReadingsStandAsThePlansSay: every seeded reading's attention
// is what the thresholds give, and each series tells the story the
// sandbox needs: Amara's blood pressure with a few ambers and no red,
// George's ward rounds settling.
func TestSeededReadingsStandAsThePlansSay(t *testing.T) {
	count := map[string]map[gp.Attention]int{}
	for nhs, series := range Monitoring {
		count[nhs] = map[gp.Attention]int{}
		if len(series.Times) == 0 || len(series.Rounds) == 0 {
			t.Errorf("%s: a series without times or rounds", nhs)
		}
		for i, round := range series.Rounds {
			for _, r := range round {
				m, ok := r.Sign.Measure()
				if !ok || len(r.Values) != m.Values() {
					t.Fatalf("%s round %d: %s with %d values", nhs, i, r.Sign, len(r.Values))
				}
				if _, planned := plans[r.Sign]; !planned {
					t.Errorf("%s round %d: no plan for %s", nhs, i, r.Sign)
				}
				a, dir := judge(r)
				if a != r.Attention || dir != r.Direction {
					t.Errorf("%s round %d: %s %v is %q %q, the plan says %q %q", nhs, i, r.Sign, r.Values, r.Attention, r.Direction, a, dir)
				}
				count[nhs][a]++
			}
		}
	}
	amara := Monitoring["9990000018"]
	if n := len(amara.Rounds); n < 9 || n > 11 || len(amara.Times) != 1 {
		t.Errorf("Amara: %d rounds at %d times a day, want about ten mornings", n, len(amara.Times))
	}
	if c := count["9990000018"]; c[gp.AttentionAmber] < 2 || c[gp.AttentionAmber] > 3 || c[gp.AttentionRed] != 0 {
		t.Errorf("Amara: %d amber, %d red; want 2 or 3 amber and no red", c[gp.AttentionAmber], c[gp.AttentionRed])
	}
	george := Monitoring["9990000042"]
	if len(george.Times) != 2 || len(george.Rounds) != 6 {
		t.Errorf("George: %d rounds at %d times a day, want three days twice a day", len(george.Rounds), len(george.Times))
	}
	for i, round := range george.Rounds {
		signs := map[gp.VitalSign]bool{}
		for _, r := range round {
			signs[r.Sign] = true
		}
		if len(signs) != 4 || !signs[gp.BloodPressure] || !signs[gp.Pulse] || !signs[gp.OxygenSaturation] || !signs[gp.Temperature] {
			t.Errorf("George's round %d has %v, want blood pressure, pulse, oxygen saturation and temperature", i, signs)
		}
	}
	if c := count["9990000042"]; c[gp.AttentionRed] != 0 || c[gp.AttentionAmber] == 0 {
		t.Errorf("George: %d amber, %d red; want some amber and no red", c[gp.AttentionAmber], c[gp.AttentionRed])
	}
}
