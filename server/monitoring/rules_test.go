package monitoring

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

func TestDefaultsJudgeAsNEWS2AndNICE(t *testing.T) {
	defaults := func(s gp.VitalSign) []Limits { sign, _ := SignOf(s); return sign.Defaults }
	for _, tt := range []struct {
		sign   gp.VitalSign
		values []float64
		want   gp.Attention
		dir    string
	}{
		{gp.OxygenSaturation, []float64{96}, gp.AttentionNone, ""},
		{gp.OxygenSaturation, []float64{95}, gp.AttentionAmber, "low"},
		{gp.OxygenSaturation, []float64{92}, gp.AttentionAmber, "low"},
		{gp.OxygenSaturation, []float64{91}, gp.AttentionRed, "low"},
		{gp.Temperature, []float64{38.0}, gp.AttentionNone, ""},
		{gp.Temperature, []float64{38.1}, gp.AttentionAmber, "high"},
		{gp.Temperature, []float64{36.0}, gp.AttentionAmber, "low"},
		{gp.Temperature, []float64{35.0}, gp.AttentionRed, "low"},
		{gp.Pulse, []float64{51}, gp.AttentionNone, ""},
		{gp.Pulse, []float64{131}, gp.AttentionRed, "high"},
		{gp.RespiratoryRate, []float64{25}, gp.AttentionRed, "high"},
		{gp.RespiratoryRate, []float64{12}, gp.AttentionNone, ""},
		{gp.BloodPressure, []float64{134, 84}, gp.AttentionNone, ""},
		{gp.BloodPressure, []float64{134, 85}, gp.AttentionAmber, "high"},
		{gp.BloodPressure, []float64{150, 125}, gp.AttentionRed, "high"}, // the diastolic is red
		{gp.BloodPressure, []float64{90, 60}, gp.AttentionRed, "low"},
		{gp.BloodGlucose, []float64{3.9}, gp.AttentionAmber, "low"},
		{gp.Weight, []float64{200}, gp.AttentionNone, ""}, // no threshold until the practice sets one
	} {
		if got, dir := Assess(defaults(tt.sign), tt.values); got != tt.want || dir != tt.dir {
			t.Errorf("%s %v: %q %q, want %q %q", tt.sign, tt.values, got, dir, tt.want, tt.dir)
		}
	}
}

func TestEveryDefaultIsInOrderAndEverySignHasAMessage(t *testing.T) {
	l := i18n.MustDefault().Localizer("en-GB")
	if len(Signs) != len(gp.VitalSigns) {
		t.Fatalf("%d signs in the table, %d in the port", len(Signs), len(gp.VitalSigns))
	}
	for i, s := range Signs {
		if ok, _, _ := checkLimits(s, s.Defaults); s.Sign != gp.VitalSigns[i] || !ok || s.EveryHours == 0 {
			t.Errorf("%s: defaults out of order or not in the port's order", s.Sign)
		}
		for j, part := range s.Parts {
			msg := l.T(fault.Of(Implausible(s.Sign, fieldOf(s, j))).Message)
			for _, n := range []float64{part.Min, part.Max} {
				if !strings.Contains(msg, strconv.FormatFloat(n, 'f', -1, 64)) {
					t.Errorf("%s %s: %q does not name %v", s.Sign, part.Name, msg, n)
				}
			}
		}
	}
}

func TestTyposAreRefusedNeverStored(t *testing.T) {
	now := time.Date(2026, 12, 8, 10, 0, 0, 0, gp.UK)
	for _, tt := range []struct {
		form  api.ReadingForm
		field string
		code  string
	}{
		{api.ReadingForm{Sign: "oxygen_saturation", Values: []string{"9"}}, "value", "implausible_reading"},
		{api.ReadingForm{Sign: "temperature", Values: []string{"3.7"}}, "value", "implausible_reading"},
		{api.ReadingForm{Sign: "temperature", Values: []string{"37..5"}}, "value", "reading_not_a_number"},
		{api.ReadingForm{Sign: "temperature", Values: []string{"1e2"}}, "value", "reading_not_a_number"},
		{api.ReadingForm{Sign: "temperature", Values: []string{""}}, "value", "reading_not_a_number"},
		{api.ReadingForm{Sign: "blood_pressure", Values: []string{"120", "x"}}, "diastolic", "reading_not_a_number"},
		{api.ReadingForm{Sign: "blood_pressure", Values: []string{"70", "80"}}, "systolic", "systolic_not_above_diastolic"},
		{api.ReadingForm{Sign: "pulse", Values: []string{"70"}, When: "earlier", Time: "7.5"}, "time", "bad_time"},
		{api.ReadingForm{Sign: "pulse", Values: []string{"70"}, When: "earlier", Time: "11:00"}, "time", "bad_time"}, // later today
	} {
		e, field, err := FormEntry(tt.form, now)
		if err == nil {
			sign, _ := SignOf(e.Sign)
			field, err = check(sign, &e, now)
		}
		if field != tt.field || fault.Code(err) != tt.code {
			t.Errorf("%+v: %s %v, want %s %s", tt.form, field, err, tt.field, tt.code)
		}
	}
	// What people type: a comma for a point, spaces, and a time earlier today.
	e, _, err := FormEntry(api.ReadingForm{Sign: "temperature", Values: []string{" 37,84 "}, When: "earlier", Time: "07:30", Note: "  felt hot "}, now)
	sign, _ := SignOf(gp.Temperature)
	if _, cerr := check(sign, &e, now); err != nil || cerr != nil || e.Values[0] != 37.8 || e.Note != "felt hot" ||
		!e.Taken.Equal(time.Date(2026, 12, 8, 7, 30, 0, 0, gp.UK)) {
		t.Errorf("a temperature as typed: %+v %v %v", e, err, cerr)
	}
}

func TestPlanForms(t *testing.T) {
	f := NewPlanForm("9990000018")
	for i := range f.Signs {
		if f.Signs[i].Sign == "temperature" {
			f.Signs[i].Chosen = true
		}
	}
	plan, days, field, err := FormPlan(f)
	if err != nil || days != DefaultDays || len(plan.Signs) != 1 || plan.Signs[0].EveryHours != 12 || *plan.Signs[0].Limits[0].AmberHigh != 38.1 {
		t.Fatalf("the default temperature plan: %+v %d %s %v", plan, days, field, err)
	}
	back := PlanFormOf(Plan{Signs: plan.Signs, End: time.Now().Add(47 * time.Hour)}, "9990000018", time.Now())
	if back.Days != "2" {
		t.Errorf("a plan ending in 47 hours runs %s more days", back.Days)
	}
	for _, tt := range []struct {
		change func(f *api.PlanForm)
		field  string
	}{
		{func(f *api.PlanForm) {
			for i := range f.Signs {
				f.Signs[i].Chosen = false
			}
		}, "sign"},
		{func(f *api.PlanForm) { f.Signs[3].EveryHours = "5" }, "every-temperature"},
		{func(f *api.PlanForm) { f.Signs[3].Limits[0][2] = "39.5" }, "temperature-0-red_low"},                            // amber high, no red high: fine
		{func(f *api.PlanForm) { f.Signs[3].Limits[0][0] = "36.5" }, "temperature-0-amber_low"},                          // red low above amber low
		{func(f *api.PlanForm) { f.Signs[3].Limits[0][3] = "99" }, "temperature-0-red_high"},                             // beyond what anyone has
		{func(f *api.PlanForm) { f.Signs[0].Chosen, f.Signs[0].Limits[1][3] = true, "80" }, "blood_pressure-1-red_high"}, // the diastolic's
		{func(f *api.PlanForm) { f.Signs[3].Limits[0][1] = "abc" }, "temperature-0-amber_low"},
		{func(f *api.PlanForm) { f.Days = "0" }, "days"},
	} {
		g := NewPlanForm("9990000018")
		g.Signs[3].Chosen = true
		tt.change(&g)
		_, _, field, err := FormPlan(g)
		if tt.field == "temperature-0-red_low" && g.Signs[3].Limits[0][2] == "39.5" {
			if err != nil {
				t.Errorf("a changed amber high refused: %s %v", field, err)
			}
			continue
		}
		if field != tt.field || err == nil {
			t.Errorf("field %s %v, want %s refused", field, err, tt.field)
		}
	}
}
