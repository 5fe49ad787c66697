package monitoring

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nhs-companion/companion/server/gp"
)

// Limits are the thresholds of one measurement: at or beyond an amber one
// the practice reviews the reading; at or beyond a red one the patient is
// told to get urgent help at once. A nil end has no threshold.
type Limits struct {
	RedLow    *float64 `json:"red_low,omitempty"`
	AmberLow  *float64 `json:"amber_low,omitempty"`
	AmberHigh *float64 `json:"amber_high,omitempty"`
	RedHigh   *float64 `json:"red_high,omitempty"`
}

// Part is one measurement of a sign (a blood pressure has two): the range
// of values a person could really have, beyond which an entry is a typo
// (a saturation of 9 %, a temperature of 3.7 °C) and is refused, and the
// decimals it is entered with.
type Part struct {
	// Name is "systolic" or "diastolic" for a blood pressure, "" otherwise.
	Name     string
	Min, Max float64
	Decimals int
}

// Sign is what Companion knows of a vital sign: its UCUM unit, its parts,
// and the thresholds a new plan starts from.
type Sign struct {
	Sign  gp.VitalSign
	Unit  string
	Parts []Part
	// Defaults are the thresholds of each part, as a practice's plan
	// starts: NEWS2 bands for the vital signs (RCP, 2017), NICE NG136's
	// home targets for a high blood pressure, and none where the right
	// value is the patient's own (weight, peak flow).
	Defaults []Limits
	// EveryHours is how often a new plan asks for the reading.
	EveryHours int
}

func v(f float64) *float64 { return &f }

// Signs is every vital sign a plan may ask for, in gp.VitalSigns order.
var Signs = []Sign{
	{Sign: gp.BloodPressure, Unit: "mm[Hg]", EveryHours: 24,
		Parts: []Part{{Name: "systolic", Min: 50, Max: 300}, {Name: "diastolic", Min: 20, Max: 200}},
		// Low from NEWS2's systolic bands; high from NICE's home targets
		// (135/85) and its same-day referral (180/120).
		Defaults: []Limits{{RedLow: v(90), AmberLow: v(100), AmberHigh: v(135), RedHigh: v(180)}, {AmberHigh: v(85), RedHigh: v(120)}}},
	{Sign: gp.Pulse, Unit: "/min", EveryHours: 12, Parts: []Part{{Min: 20, Max: 250}},
		Defaults: []Limits{{RedLow: v(40), AmberLow: v(50), AmberHigh: v(91), RedHigh: v(131)}}},
	{Sign: gp.OxygenSaturation, Unit: "%", EveryHours: 12, Parts: []Part{{Min: 50, Max: 100}},
		Defaults: []Limits{{RedLow: v(91), AmberLow: v(95)}}},
	{Sign: gp.Temperature, Unit: "Cel", EveryHours: 12, Parts: []Part{{Min: 30, Max: 45, Decimals: 1}},
		Defaults: []Limits{{RedLow: v(35), AmberLow: v(36), AmberHigh: v(38.1)}}},
	{Sign: gp.RespiratoryRate, Unit: "/min", EveryHours: 12, Parts: []Part{{Min: 4, Max: 60}},
		Defaults: []Limits{{RedLow: v(8), AmberLow: v(11), AmberHigh: v(21), RedHigh: v(25)}}},
	{Sign: gp.Weight, Unit: "kg", EveryHours: 24, Parts: []Part{{Min: 2, Max: 350, Decimals: 1}}, Defaults: []Limits{{}}},
	{Sign: gp.PeakFlow, Unit: "L/min", EveryHours: 12, Parts: []Part{{Min: 50, Max: 900}}, Defaults: []Limits{{}}},
	{Sign: gp.BloodGlucose, Unit: "mmol/L", EveryHours: 24, Parts: []Part{{Min: 0.5, Max: 50, Decimals: 1}},
		Defaults: []Limits{{RedLow: v(2.9), AmberLow: v(3.9), AmberHigh: v(11.1), RedHigh: v(20)}}},
}

// SignOf is the sign's table entry; ok is false for one Companion does not
// know.
func SignOf(s gp.VitalSign) (Sign, bool) {
	i := slices.IndexFunc(Signs, func(x Sign) bool { return x.Sign == s })
	if i < 0 {
		return Sign{}, false
	}
	return Signs[i], true
}

// Assess judges values against limits (one per part): red beats amber,
// and a low beats a high only when it is worse. Direction is "high" or
// "low" ("" within the thresholds).
func Assess(limits []Limits, values []float64) (gp.Attention, string) {
	att, dir := gp.AttentionNone, ""
	for i, x := range values {
		if i >= len(limits) {
			break
		}
		l := limits[i]
		a, d := gp.AttentionNone, ""
		switch {
		case l.RedLow != nil && x <= *l.RedLow:
			a, d = gp.AttentionRed, "low"
		case l.RedHigh != nil && x >= *l.RedHigh:
			a, d = gp.AttentionRed, "high"
		case l.AmberLow != nil && x <= *l.AmberLow:
			a, d = gp.AttentionAmber, "low"
		case l.AmberHigh != nil && x >= *l.AmberHigh:
			a, d = gp.AttentionAmber, "high"
		}
		if rank(a) > rank(att) {
			att, dir = a, d
		}
	}
	return att, dir
}

// rank orders attention: none, amber, red.
func rank(a gp.Attention) int {
	switch a {
	case gp.AttentionRed:
		return 2
	case gp.AttentionAmber:
		return 1
	}
	return 0
}

// parseValue reads a number as a person types it ("37.8", " 128 ",
// "37,8"), to the part's decimals; ok is false for anything else.
func parseValue(s string, p Part) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if s == "" || strings.ContainsAny(s, "eEinfINF+-_xX") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	scale := math.Pow(10, float64(p.Decimals))
	return math.Round(f*scale) / scale, true
}

// checkLimits reports whether a plan's limits for a sign are in order:
// each inside the plausible range, red beyond amber, lows below highs. When
// they are not, part and k name the first threshold out of order (k in
// Limits order: red low, amber low, amber high, red high).
func checkLimits(s Sign, limits []Limits) (ok bool, part, k int) {
	if len(limits) != len(s.Parts) {
		return false, 0, 0
	}
	for i, l := range limits {
		p := s.Parts[i]
		prev := math.Inf(-1)
		for k, e := range []*float64{l.RedLow, l.AmberLow, l.AmberHigh, l.RedHigh} {
			if e == nil {
				continue
			}
			if math.IsNaN(*e) || *e < p.Min || *e > p.Max || *e <= prev {
				return false, i, k
			}
			prev = *e
		}
	}
	return true, 0, 0
}
