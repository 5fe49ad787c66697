// Package monitoring is remote monitoring for virtual wards and long-term
// conditions: a practice's staff put a patient on a plan (which readings,
// how often, for how long, the thresholds that need attention); the patient,
// or a proxy the relationship allows, sends readings; a reading past a red
// threshold tells them to get urgent help at once and is first on the
// practice's list, an amber one is flagged for review, and a reading not
// sent within the plan's interval shows as overdue. Readings are stored in
// the GP record through the port as vital-sign observations; plans are
// Companion's own records (PostgreSQL in production, Redis in the sandbox).
// Every reading, view and plan change is audited.
//
// It is server-only: it must not import app/ui nor server.
package monitoring

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/reqstate"
	"github.com/nhs-companion/companion/server/text"
)

// Need is what sending and seeing a patient's readings needs: the
// practice's flag, the monitoring permission for a proxy, and P9 (readings
// are clinical data).
var Need = access.Need{Feature: flags.RemoteMonitoring, Permission: nhs.PermMonitoring, P9: true}

// NoteMax bounds a reading's note.
const NoteMax = 500

// Refusals.
var (
	ErrNoPlan    = fault.New(fault.NotFound, "no_plan", "monitoring.error.noPlan")
	ErrNotAsked  = fault.New(fault.NotFound, "reading_not_in_plan", "monitoring.error.notAsked")
	ErrNotNumber = fault.New(fault.Invalid, "reading_not_a_number", "monitoring.error.number")
	ErrSystolic  = fault.New(fault.Unprocessable, "systolic_not_above_diastolic", "monitoring.error.systolic")
	ErrTime      = fault.New(fault.Invalid, "bad_time", "monitoring.error.time")
	ErrNote      = fault.New(fault.Invalid, "bad_note", "monitoring.error.note")
)

// implausible are the refusals of a value no one could have, by the field
// of its sign's part: each message names the range (a test checks them
// against Signs).
var implausible = map[string]*fault.Error{
	"blood_pressure.systolic":  fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.range.systolic"),
	"blood_pressure.diastolic": fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.range.diastolic"),
	"pulse.value":              fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.range.pulse"),
	"oxygen_saturation.value":  fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.range.oxygen_saturation"),
	"temperature.value":        fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.range.temperature"),
	"respiratory_rate.value":   fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.range.respiratory_rate"),
	"weight.value":             fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.range.weight"),
	"peak_flow.value":          fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.range.peak_flow"),
	"blood_glucose.value":      fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.range.blood_glucose"),
}

// Implausible is the refusal of a value outside the range of a sign's part.
func Implausible(sign gp.VitalSign, field string) error {
	if e, ok := implausible[string(sign)+"."+field]; ok {
		return e
	}
	return fault.New(fault.Unprocessable, "implausible_reading", "monitoring.error.number")
}

// GP is what monitoring reaches of the GP system for a practice's staff:
// who its patients are, and their readings.
type GP interface {
	gp.Directory
	gp.Monitoring
}

// Service is remote monitoring. Its fields are set at wiring time.
type Service struct {
	GP    GP
	Plans Store
	// IDs tells a reading the patient sent from a proxy's, and names
	// patients on the practice's pages without their NHS number.
	IDs   *access.IDs
	Audit *audit.Trail
	// Idem makes a reading sent with an idempotency key count once.
	Idem *reqstate.Idempotency
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Entry is a reading as sent, before it is checked.
type Entry struct {
	Sign   gp.VitalSign
	Values []float64
	// Taken is when it was taken (zero: now).
	Taken time.Time
	Note  string
}

// Page is the patient's plan and readings, audited as a view.
func (s *Service) Page(ctx context.Context, p *access.Patient) (*api.Monitoring, error) {
	m := p.Monitoring()
	plan, ok, err := s.Plans.Plan(ctx, p.Summary().Practice.ODS, m.NHSNumber())
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	since := s.now().AddDate(0, 0, -90)
	if ok {
		since = plan.Start
	}
	list, err := m.Readings(ctx, since)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.Access(ctx, p.Event("view_monitoring", "success", "", "")); err != nil {
		return nil, err
	}
	out := &api.Monitoring{Patient: p.Summary().Name(), Readings: s.views(list, time.Time{})}
	if ok {
		out.Plan = s.planView(plan, list)
	}
	return out, nil
}

// Submit checks a reading against the patient's plan and stores it, once
// per idempotency key; the field refused comes with a refusal.
func (s *Service) Submit(ctx context.Context, p *access.Patient, e Entry, key, route string) (api.Reading, string, error) {
	m := p.Monitoring()
	now := s.now()
	plan, ok, err := s.Plans.Plan(ctx, p.Summary().Practice.ODS, m.NHSNumber())
	switch {
	case err != nil:
		return api.Reading{}, "", fault.Unreachable(err)
	case !ok || !plan.Active(now):
		return api.Reading{}, "", ErrNoPlan
	}
	ps, ok := plan.Asks(e.Sign)
	sign, known := SignOf(e.Sign)
	if !ok || !known {
		return api.Reading{}, "", ErrNotAsked
	}
	asSent := e // what a retry sends again, before the time is filled in
	asSent.Values = slices.Clone(e.Values)
	if field, err := check(sign, &e, now); err != nil {
		return api.Reading{}, field, err
	}
	if e.Taken.Before(plan.Start) {
		return api.Reading{}, "time", ErrTime // the plan did not ask for it then
	}
	att, dir := Assess(ps.Limits, e.Values)
	r := gp.Reading{Sign: e.Sign, Values: e.Values, Taken: e.Taken, Submitted: now, Note: e.Note, Attention: att, Direction: dir}
	scope := reqstate.Scope{Actor: p.Actor().Subject, Patient: p.ID(), Route: route}
	out, err := reqstate.Do(ctx, s.Idem, scope, key, asSent, func() (api.Reading, error) {
		saved, err := m.Record(ctx, r)
		if err != nil {
			return api.Reading{}, err
		}
		s.Audit.Record(ctx, p.Event("send_reading", "success", string(att), string(e.Sign)))
		return s.view(saved, time.Time{}), nil
	})
	return out, "", err
}

// check validates an entry in place: as many values as the sign has
// parts, each one a person could have, a blood pressure's top number
// above its bottom, taken in the last week and not in the future, and a
// note of plain text.
func check(sign Sign, e *Entry, now time.Time) (string, error) {
	if len(e.Values) != len(sign.Parts) {
		return fieldOf(sign, 0), ErrNotNumber
	}
	for i, part := range sign.Parts {
		// To the decimals the thresholds are written in, so a value from
		// the API cannot fall between two of them (a pulse of 40.5).
		scale := math.Pow(10, float64(part.Decimals))
		e.Values[i] = math.Round(e.Values[i]*scale) / scale
		if math.IsNaN(e.Values[i]) || e.Values[i] < part.Min || e.Values[i] > part.Max {
			return fieldOf(sign, i), Implausible(sign.Sign, fieldOf(sign, i))
		}
	}
	if sign.Sign == gp.BloodPressure && e.Values[0] <= e.Values[1] {
		return fieldOf(sign, 0), ErrSystolic
	}
	if e.Taken.IsZero() {
		e.Taken = now
	}
	if e.Taken.After(now.Add(2*time.Minute)) || e.Taken.Before(now.AddDate(0, 0, -7)) {
		return "time", ErrTime
	}
	e.Note = strings.TrimSpace(e.Note)
	if utf8.RuneCountInString(e.Note) > NoteMax || text.Unsafe(e.Note) {
		return "note", ErrNote
	}
	return "", nil
}

// fieldOf names the form field of a sign's part: "systolic" and
// "diastolic", or "value".
func fieldOf(sign Sign, i int) string {
	if i < len(sign.Parts) && sign.Parts[i].Name != "" {
		return sign.Parts[i].Name
	}
	return "value"
}

// FormEntry reads a reading's page as typed: a value for each part, and
// the time it was taken today when not just now (UK time).
func (s *Service) FormEntry(f api.ReadingForm) (Entry, string, error) {
	return FormEntry(f, s.now())
}

// FormEntry reads a reading's page as typed, today being now's day.
func FormEntry(f api.ReadingForm, now time.Time) (Entry, string, error) {
	sign, ok := SignOf(gp.VitalSign(f.Sign))
	if !ok {
		return Entry{}, "", ErrNotAsked
	}
	e := Entry{Sign: sign.Sign, Note: f.Note}
	for i, part := range sign.Parts {
		raw := ""
		if i < len(f.Values) {
			raw = f.Values[i]
		}
		x, ok := parseValue(raw, part)
		if !ok {
			return Entry{}, fieldOf(sign, i), ErrNotNumber
		}
		e.Values = append(e.Values, x)
	}
	if f.When == "earlier" {
		at, ok := clockToday(f.Time, now)
		if !ok {
			return Entry{}, "time", ErrTime
		}
		e.Taken = at
	}
	return e, "", nil
}

// clockToday reads "HH:MM" as that time today in the UK.
func clockToday(hhmm string, now time.Time) (time.Time, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(strings.ReplaceAll(hhmm, ".", ":")), ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 || len(m) != 2 {
		return time.Time{}, false
	}
	y, mo, d := now.In(gp.UK).Date()
	return time.Date(y, mo, d, hour, minute, 0, 0, gp.UK), true
}

// APIEntry is a reading sent to the API.
func APIEntry(in api.NewReading) Entry {
	e := Entry{Sign: gp.VitalSign(in.Sign), Values: in.Values, Note: in.Note}
	if in.Taken != 0 {
		e.Taken = time.UnixMilli(in.Taken)
	}
	return e
}

// view is a reading as its pages show it; reviewed is when the practice
// last reviewed the patient's readings (zero for the patient's own view).
func (s *Service) view(r gp.Reading, reviewed time.Time) api.Reading {
	unit := ""
	if sign, ok := SignOf(r.Sign); ok {
		unit = sign.Unit
	}
	return api.Reading{ID: r.ID, Sign: string(r.Sign), Values: r.Values, Unit: unit, Taken: r.Taken.UnixMilli(),
		Submitted: r.Submitted.UnixMilli(), Note: r.Note, Attention: string(r.Attention), Direction: r.Direction,
		ByProxy: r.SubmittedBy != "" && r.SubmittedBy != s.IDs.For(r.PatientNHS),
		// By when it was sent: one taken before a review but sent after it
		// was never seen.
		Reviewed: !reviewed.IsZero() && !r.Submitted.After(reviewed)}
}

func (s *Service) views(list []gp.Reading, reviewed time.Time) []api.Reading {
	out := make([]api.Reading, 0, len(list))
	for _, r := range list {
		out = append(out, s.view(r, reviewed))
	}
	return out
}

// planView is the plan with where each reading stands: its latest, when
// the next is due, and whether that has passed while the plan runs.
func (s *Service) planView(plan Plan, newestFirst []gp.Reading) *api.MonitoringPlan {
	now := s.now()
	out := &api.MonitoringPlan{Practice: plan.PracticeODS, Start: plan.Start.UnixMilli(), End: plan.End.UnixMilli(), Active: plan.Active(now)}
	for _, ps := range plan.Signs {
		sign, ok := SignOf(ps.Sign)
		if !ok {
			continue
		}
		v := api.PlanSign{Sign: string(ps.Sign), Unit: sign.Unit, EveryHours: ps.EveryHours}
		for i, part := range sign.Parts {
			var l Limits
			if i < len(ps.Limits) {
				l = ps.Limits[i]
			}
			v.Parts = append(v.Parts, api.SignPart{Name: part.Name, Min: part.Min, Max: part.Max, Decimals: part.Decimals,
				Limits: api.Limits{RedLow: l.RedLow, AmberLow: l.AmberLow, AmberHigh: l.AmberHigh, RedHigh: l.RedHigh}})
		}
		from := plan.Start
		for _, r := range newestFirst {
			if r.Sign == ps.Sign {
				last := s.view(r, time.Time{})
				v.Last, from = &last, r.Taken
				break
			}
		}
		due := from.Add(time.Duration(ps.EveryHours) * time.Hour)
		v.Due, v.Missed = due.UnixMilli(), out.Active && now.After(due)
		out.Signs = append(out.Signs, v)
	}
	return out
}
