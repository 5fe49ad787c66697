package ui

import (
	"strings"
	"testing"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

func f(x float64) *float64 { return &x }

// A blood pressure plan's readings are two charts (top and bottom number),
// each with the band within the amber thresholds, a diamond for a reading
// that needed attention, its attention in words in the table, and every
// value as it was sent.
func TestReadingsAreChartedWithThePlansBand(t *testing.T) {
	s := newStore("/monitoring", &api.User{ProofingLevel: "P9"})
	plan := &api.MonitoringPlan{Active: true, Signs: []api.PlanSign{
		{Sign: "blood_pressure", Unit: "mm[Hg]", EveryHours: 24, Parts: []api.SignPart{
			{Name: "systolic", Min: 50, Max: 300, Limits: api.Limits{RedLow: f(90), AmberLow: f(100), AmberHigh: f(135), RedHigh: f(180)}},
			{Name: "diastolic", Min: 20, Max: 200, Limits: api.Limits{AmberHigh: f(85), RedHigh: f(120)}}}},
		{Sign: "pulse", Unit: "/min", EveryHours: 12, Parts: []api.SignPart{{Min: 20, Max: 250}}},
	}}
	day := int64(24 * 3600 * 1000)
	readings := []api.Reading{ // newest first
		{ID: "3", Sign: "blood_pressure", Values: []float64{186, 104}, Unit: "mm[Hg]", Taken: 1_796_700_000_000 + 2*day, Attention: "red", Direction: "high"},
		{ID: "2", Sign: "blood_pressure", Values: []float64{138, 84}, Unit: "mm[Hg]", Taken: 1_796_700_000_000 + day, Attention: "amber", Direction: "high"},
		{ID: "p", Sign: "pulse", Values: []float64{72}, Unit: "/min", Taken: 1_796_700_000_000},
		{ID: "1", Sign: "blood_pressure", Values: []float64{128, 80}, Unit: "mm[Hg]", Taken: 1_796_700_000_000},
	}
	out := app.HTMLString(app.Div().Body(monitoringCharts(s, plan, readings)...))
	if n := strings.Count(out, `class="companion-chart__svg"`); n != 2 {
		t.Fatalf("%d charts, want the two numbers of a blood pressure (one pulse reading is no chart)", n)
	}
	for _, want := range []string{
		"Blood pressure: Top number (systolic): 3 readings over time",
		"above 100 and below 135",         // the systolic band
		"below 85",                        // the diastolic band: no amber low
		"186 mmHg", "104 mmHg", "80 mmHg", // every value, with its unit
		"Red: much higher than the range your practice set",
		"Amber: higher than the range your practice set",
		`class="companion-chart__out"`, // a diamond
		`class="companion-chart__range"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the charts lack %q", want)
		}
	}
	// Oldest on the left: the first value written is the oldest.
	if i, j := strings.Index(out, ">128<"), strings.Index(out, ">186<"); i < 0 || j < 0 || i > j {
		t.Errorf("not oldest first: 128 at %d, 186 at %d", i, j)
	}
}
