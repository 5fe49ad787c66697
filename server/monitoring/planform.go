package monitoring

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

// limitNames are the form's names of a part's four thresholds, in Limits
// order.
var limitNames = [4]string{"red_low", "amber_low", "amber_high", "red_high"}

// DefaultDays is how long a new plan runs.
const DefaultDays = 28

// LimitField is the plan form's field of one threshold of a sign's part.
func LimitField(sign string, part, k int) string {
	return sign + "-" + strconv.Itoa(part) + "-" + limitNames[k]
}

// NewPlanForm is the plan form for a patient not on a plan: every reading
// offered with its defaults, none chosen.
func NewPlanForm(nhsNumber string) api.PlanForm {
	f := api.PlanForm{NHSNumber: nhsNumber, Days: strconv.Itoa(DefaultDays)}
	for _, sign := range Signs {
		f.Signs = append(f.Signs, formSign(sign, PlanSign{Sign: sign.Sign, EveryHours: sign.EveryHours, Limits: sign.Defaults}, false))
	}
	return f
}

// PlanFormOf is the form of a patient's plan as it stands, running for the
// days it has left.
func PlanFormOf(p Plan, nhsNumber string, now time.Time) api.PlanForm {
	f := NewPlanForm(nhsNumber)
	f.Days = strconv.Itoa(max(1, int(math.Ceil(p.End.Sub(now).Hours()/24))))
	for i, sign := range Signs {
		if ps, ok := p.Asks(sign.Sign); ok {
			f.Signs[i] = formSign(sign, ps, true)
		}
	}
	return f
}

func formSign(sign Sign, ps PlanSign, chosen bool) api.PlanFormSign {
	out := api.PlanFormSign{Sign: string(sign.Sign), Unit: sign.Unit, Chosen: chosen, EveryHours: strconv.Itoa(ps.EveryHours)}
	for i, part := range sign.Parts {
		out.Parts = append(out.Parts, part.Name)
		var row [4]string
		if i < len(ps.Limits) {
			l := ps.Limits[i]
			for k, e := range []*float64{l.RedLow, l.AmberLow, l.AmberHigh, l.RedHigh} {
				if e != nil {
					row[k] = strconv.FormatFloat(*e, 'f', -1, 64)
				}
			}
		}
		out.Limits = append(out.Limits, row)
	}
	return out
}

// ReadPlanForm reads the plan form as posted: values(name) is every value
// of a field (the chosen readings), get(name) the first.
func ReadPlanForm(get func(string) string, values func(string) []string) api.PlanForm {
	f := api.PlanForm{NHSNumber: get("nhs_number"), Days: get("days")}
	chosen := values("sign")
	for _, sign := range Signs {
		s := string(sign.Sign)
		fs := api.PlanFormSign{Sign: s, Unit: sign.Unit, Chosen: slices.Contains(chosen, s), EveryHours: get("every-" + s)}
		for i, part := range sign.Parts {
			fs.Parts = append(fs.Parts, part.Name)
			var row [4]string
			for k := range row {
				row[k] = strings.TrimSpace(get(LimitField(s, i, k)))
			}
			fs.Limits = append(fs.Limits, row)
		}
		f.Signs = append(f.Signs, fs)
	}
	return f
}

// FormPlan checks a plan form: at least one reading, each at one of the
// Intervals, thresholds inside the plausible range in order (red beyond
// amber, lows below highs), and 1 to MaxDays days. It returns the plan's
// readings and days, or the field refused.
func FormPlan(f api.PlanForm) (Plan, int, string, error) {
	var plan Plan
	for _, fs := range f.Signs {
		if !fs.Chosen {
			continue
		}
		sign, ok := SignOf(gp.VitalSign(fs.Sign))
		if !ok {
			return Plan{}, 0, "sign", ErrNoSigns
		}
		hours, err := strconv.Atoi(strings.TrimSpace(fs.EveryHours))
		if err != nil || !slices.Contains(Intervals, hours) {
			return Plan{}, 0, "every-" + fs.Sign, ErrInterval
		}
		ps := PlanSign{Sign: sign.Sign, EveryHours: hours}
		for i, part := range sign.Parts {
			var l Limits
			ends := []**float64{&l.RedLow, &l.AmberLow, &l.AmberHigh, &l.RedHigh}
			for k, end := range ends {
				raw := ""
				if i < len(fs.Limits) {
					raw = fs.Limits[i][k]
				}
				if raw == "" {
					continue
				}
				x, ok := parseValue(raw, part)
				if !ok {
					return Plan{}, 0, LimitField(fs.Sign, i, k), ErrLimits
				}
				*end = &x
			}
			ps.Limits = append(ps.Limits, l)
		}
		if ok, part, k := checkLimits(sign, ps.Limits); !ok {
			return Plan{}, 0, LimitField(fs.Sign, part, k), ErrLimits
		}
		plan.Signs = append(plan.Signs, ps)
	}
	if len(plan.Signs) == 0 {
		return Plan{}, 0, "sign", ErrNoSigns
	}
	days, err := strconv.Atoi(strings.TrimSpace(f.Days))
	if err != nil || days < 1 || days > MaxDays {
		return Plan{}, 0, "days", ErrDays
	}
	return plan, days, "", nil
}

// PlanForm is the form of the plan of the patient with opaque ID pid, as
// it stands, naming them from the GP record.
func (s *Service) PlanForm(ctx context.Context, practice gp.Practice, pid string) (api.PlanForm, error) {
	plan, err := s.planOf(ctx, practice, pid)
	if err != nil {
		return api.PlanForm{}, err
	}
	return s.PlanFormFor(ctx, practice, gp.Patient{NHSNumber: plan.PatientNHS})
}

// PlanFormFor is the plan form for a patient registered at the practice:
// their plan as it stands, or a new one.
func (s *Service) PlanFormFor(ctx context.Context, practice gp.Practice, patient gp.Patient) (api.PlanForm, error) {
	if patient.GivenName == "" {
		who, err := s.GP.Patient(ctx, patient.NHSNumber)
		if err != nil {
			return api.PlanForm{}, err
		}
		patient = who
	}
	plan, ok, err := s.Plans.Plan(ctx, practice.ODS, patient.NHSNumber)
	if err != nil {
		return api.PlanForm{}, fault.Unreachable(err)
	}
	f := NewPlanForm(patient.NHSNumber)
	if ok && plan.Active(s.now()) {
		f = PlanFormOf(plan, patient.NHSNumber, s.now())
	}
	f.Name, f.BirthDate = patient.GivenName+" "+patient.FamilyName, patient.BirthDate.String()
	return f, nil
}
