package monitoring

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

// Refusals of the practice's side.
var (
	ErrBadNHSNumber  = fault.New(fault.Invalid, "bad_nhs_number", "messages.error.nhsNumber")
	ErrNotRegistered = fault.New(fault.Unprocessable, "patient_not_registered", "messages.error.notRegistered")
	ErrNoSigns       = fault.New(fault.Invalid, "no_readings_chosen", "monitoring.plan.error.signs")
	ErrInterval      = fault.New(fault.Invalid, "bad_interval", "monitoring.plan.error.interval")
	ErrLimits        = fault.New(fault.Invalid, "bad_thresholds", "monitoring.plan.error.limits")
	ErrDays          = fault.New(fault.Invalid, "bad_days", "monitoring.plan.error.days")
)

// Intervals are the hours a plan may ask for a reading every.
var Intervals = []int{4, 6, 8, 12, 24, 48, 168}

// MaxDays is the longest a plan runs before the practice renews it.
const MaxDays = 180

// Staff is the member of staff acting: their opaque subject, session and
// name, for the audit trail and the plan's record.
type Staff struct{ Subject, Session, Name string }

func (s *Service) record(ctx context.Context, who Staff, action, pid, object string) {
	s.Audit.Record(ctx, audit.Event{Action: action, Outcome: "success", Actor: who.Subject, Session: who.Session, Patient: pid, Object: object})
}

// Board is the practice's patients on plans, who needs attention first: an
// unreviewed red reading, then amber, then an overdue reading, then the
// rest; within each, the latest reading first.
func (s *Service) Board(ctx context.Context, who Staff, practice gp.Practice) (*api.MonitoringBoard, error) {
	plans, err := s.Plans.Plans(ctx, practice.ODS)
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	out := &api.MonitoringBoard{Practice: practice.ODS, PracticeName: practice.Name, Patients: []api.MonitoredPatient{}}
	latest := map[string]int64{}
	for _, plan := range plans {
		row, list, err := s.standing(ctx, plan)
		if err != nil {
			return nil, err
		}
		if len(list) > 0 {
			latest[row.Patient] = list[0].Taken.UnixMilli()
		}
		kept := row.Readings[:0]
		for _, r := range row.Readings {
			if r.Attention != "" && !r.Reviewed {
				kept = append(kept, r)
			}
		}
		row.Readings = kept
		out.Patients = append(out.Patients, row)
	}
	slices.SortStableFunc(out.Patients, func(a, b api.MonitoredPatient) int {
		return cmp.Or(cmp.Compare(urgency(b), urgency(a)), cmp.Compare(latest[b.Patient], latest[a.Patient]), strings.Compare(a.Name, b.Name))
	})
	// Each patient the list names is audited as seen, before it is shown.
	for _, p := range out.Patients {
		if err := s.Audit.Access(ctx, audit.Event{Action: "staff_view_monitoring", Outcome: "success", Actor: who.Subject, Session: who.Session,
			Patient: p.Patient, Object: practice.ODS}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// urgency orders the board: red 3, amber 2, overdue 1, otherwise 0.
func urgency(p api.MonitoredPatient) int {
	switch {
	case p.Attention == string(gp.AttentionRed):
		return 3
	case p.Attention == string(gp.AttentionAmber):
		return 2
	case len(p.Missed) > 0:
		return 1
	case p.Moved:
		return -1
	}
	return 0
}

// NeedingAttention is the practice's patients with a red or amber reading
// not yet reviewed, red first, for the top of its inbox.
func (s *Service) NeedingAttention(ctx context.Context, who Staff, practice gp.Practice) ([]api.MonitoredPatient, error) {
	b, err := s.Board(ctx, who, practice)
	if err != nil {
		return nil, err
	}
	out := []api.MonitoredPatient{}
	for _, p := range b.Patients {
		if p.Attention != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

// standing is one patient on a plan, named from the GP record, with their
// readings since the plan began and what they need of the practice.
func (s *Service) standing(ctx context.Context, plan Plan) (api.MonitoredPatient, []gp.Reading, error) {
	row := api.MonitoredPatient{Patient: s.IDs.For(plan.PatientNHS), ReviewedBy: plan.ReviewedBy}
	if !plan.ReviewedUpTo.IsZero() {
		row.Reviewed = plan.ReviewedUpTo.UnixMilli()
	}
	who, err := s.GP.Patient(ctx, plan.PatientNHS)
	if err != nil && !errors.Is(err, gp.ErrNotFound) {
		return row, nil, err
	}
	row.Name, row.BirthDate = strings.TrimSpace(who.GivenName+" "+who.FamilyName), who.BirthDate.String()
	if who.PracticeODS != plan.PracticeODS {
		// Moved away, or no longer known: their readings are their new
		// practice's now, and this plan asks for nothing more.
		row.Moved, row.Plan = true, s.planView(Plan{PracticeODS: plan.PracticeODS, Start: plan.Start, End: plan.Start}, nil)
		row.Readings = []api.Reading{}
		return row, nil, nil
	}
	list, err := s.GP.Readings(ctx, plan.PatientNHS, plan.Start)
	if errors.Is(err, gp.ErrNotFound) {
		list, err = nil, nil
	}
	if err != nil {
		return row, nil, err
	}
	row.Plan, row.Readings = s.planView(plan, list), s.views(list, plan.ReviewedUpTo)
	for _, r := range row.Readings {
		if !r.Reviewed && rank(gp.Attention(r.Attention)) > rank(gp.Attention(row.Attention)) {
			row.Attention = r.Attention
		}
	}
	for _, ps := range row.Plan.Signs {
		if ps.Missed {
			row.Missed = append(row.Missed, ps.Sign)
		}
	}
	return row, list, nil
}

// planOf is the plan of the patient with opaque ID pid at the practice.
func (s *Service) planOf(ctx context.Context, practice gp.Practice, pid string) (Plan, error) {
	nhsNumber, err := s.IDs.NHSNumber(pid)
	if err != nil {
		return Plan{}, ErrNoPlan
	}
	plan, ok, err := s.Plans.Plan(ctx, practice.ODS, nhsNumber)
	switch {
	case err != nil:
		return Plan{}, fault.Unreachable(err)
	case !ok:
		return Plan{}, ErrNoPlan
	}
	return plan, nil
}

// Patient is one patient's plan and every reading since it began, for the
// practice's staff; the view is audited against the patient.
func (s *Service) Patient(ctx context.Context, who Staff, practice gp.Practice, pid string) (*api.MonitoredPatient, error) {
	plan, err := s.planOf(ctx, practice, pid)
	if err != nil {
		return nil, err
	}
	row, _, err := s.standing(ctx, plan)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Access(ctx, audit.Event{Action: "staff_view_readings", Outcome: "success", Actor: who.Subject, Session: who.Session, Patient: row.Patient}); err != nil {
		return nil, err
	}
	return &row, nil
}

// Review records that the practice reviewed the patient's readings sent
// up to upTo: the newest its page showed, so a reading that arrived while
// the page was open still needs review (never later than now, and a review
// never moves back).
func (s *Service) Review(ctx context.Context, who Staff, practice gp.Practice, pid string, upTo time.Time) error {
	plan, err := s.planOf(ctx, practice, pid)
	if err != nil {
		return err
	}
	if now := s.now(); upTo.After(now) {
		upTo = now
	}
	if upTo.Unix() <= 0 {
		return nil // nothing was shown to review
	}
	if err := s.Plans.Review(ctx, practice.ODS, plan.PatientNHS, upTo, who.Name); err != nil {
		return fault.Unreachable(err)
	}
	s.record(ctx, who, "review_readings", pid, upTo.UTC().Format(time.RFC3339))
	return nil
}

// Registered is the patient with the NHS number as typed, who must be
// registered at the practice.
func (s *Service) Registered(ctx context.Context, practice gp.Practice, nhsNumber string) (gp.Patient, error) {
	nhsNumber = strings.ReplaceAll(strings.TrimSpace(nhsNumber), " ", "")
	if !nhs.ValidNumber(nhsNumber) {
		return gp.Patient{}, ErrBadNHSNumber
	}
	who, err := s.GP.Patient(ctx, nhsNumber)
	switch {
	case errors.Is(err, gp.ErrNotFound) || (err == nil && who.PracticeODS != practice.ODS):
		return gp.Patient{}, ErrNotRegistered
	case err != nil:
		return gp.Patient{}, fault.Unreachable(err)
	}
	return who, nil
}

// SavePlan puts the patient on the plan as the form sets it, or changes
// their plan, running for the form's days from now; a changed plan keeps
// its start and its review. It returns the patient's opaque ID, or the
// field refused.
func (s *Service) SavePlan(ctx context.Context, who Staff, practice gp.Practice, f api.PlanForm) (string, string, error) {
	patient, err := s.Registered(ctx, practice, f.NHSNumber)
	if err != nil {
		return "", "nhs_number", err
	}
	plan, days, field, err := FormPlan(f)
	if err != nil {
		return "", field, err
	}
	now := s.now()
	plan.PatientNHS, plan.PracticeODS, plan.SetBy, plan.Updated = patient.NHSNumber, practice.ODS, who.Name, now
	plan.Start, plan.End = now, now.AddDate(0, 0, days)
	old, ok, err := s.Plans.Plan(ctx, practice.ODS, patient.NHSNumber)
	if err != nil {
		return "", "", fault.Unreachable(err)
	}
	if ok && old.Active(now) {
		plan.Start = old.Start
	}
	if err := s.Plans.Put(ctx, plan); err != nil {
		return "", "", fault.Unreachable(err)
	}
	pid := s.IDs.For(patient.NHSNumber)
	signs := make([]string, 0, len(plan.Signs))
	for _, ps := range plan.Signs {
		signs = append(signs, string(ps.Sign))
	}
	s.record(ctx, who, "set_monitoring_plan", pid, strings.Join(signs, ","))
	return pid, "", nil
}
