package wire

import (
	"context"
	"time"

	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
	"github.com/nhs-companion/companion/server/monitoring"
)

// seedPlans puts two of the sandbox cast on monitoring plans, unless they
// have one: Amara Okafor sends a home blood pressure each morning (NICE's
// home targets), and George Whitfield, on a virtual ward after a chest
// infection, sends four readings twice a day (NEWS2 bands), which Priya
// Shah may send for him. Their readings are in the sandbox GP system.
func seedPlans(ctx context.Context, store monitoring.Store, now time.Time) error {
	plan := func(nhsNumber string, startDays, days int, signs ...gp.VitalSign) monitoring.Plan {
		start := now.AddDate(0, 0, -startDays).Truncate(time.Hour)
		p := monitoring.Plan{PatientNHS: nhsNumber, PracticeODS: sandbox.PilotPractice, Start: start, End: start.AddDate(0, 0, days),
			SetBy: "Dr Sandbox", Updated: start}
		for _, s := range signs {
			sign, _ := monitoring.SignOf(s)
			p.Signs = append(p.Signs, monitoring.PlanSign{Sign: s, EveryHours: sign.EveryHours, Limits: sign.Defaults})
		}
		return p
	}
	for _, p := range []monitoring.Plan{
		plan("9990000018", 11, 28, gp.BloodPressure),
		plan("9990000042", 4, 14, gp.BloodPressure, gp.Pulse, gp.OxygenSaturation, gp.Temperature),
	} {
		if p.PatientNHS == "9990000042" {
			p.Signs[0].EveryHours = 12
		}
		if _, ok, err := store.Plan(ctx, p.PracticeODS, p.PatientNHS); err != nil || ok {
			if err != nil {
				return err
			}
			continue
		}
		if err := store.Put(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
