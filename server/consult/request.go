package consult

import (
	"context"
	"errors"
	"log/slog"
	"slices"
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
	"github.com/nhs-companion/companion/server/safety"
	"github.com/nhs-companion/companion/server/text"
)

// Refusals of a request to the practice.
var (
	ErrClosed        = fault.New(fault.Conflict, "closed", "contact.error.closed")
	ErrDayFull       = fault.New(fault.Conflict, "full", "contact.error.full")
	ErrOverLimit     = fault.New(fault.Conflict, "patient_limit", "contact.error.patientLimit")
	ErrUrgent999     = fault.New(fault.Unprocessable, "urgent", "contact.error.urgent999")
	ErrUrgent111     = fault.New(fault.Unprocessable, "urgent", "contact.error.urgent111")
	ErrNotScreened   = fault.New(fault.Invalid, "screening_required", "contact.error.screening")
	ErrKindRequired  = fault.New(fault.Invalid, "kind_required", "contact.error.kind")
	ErrTopicRequired = fault.New(fault.Invalid, "topic_required", "contact.error.topic")
	ErrDuration      = fault.New(fault.Invalid, "duration_required", "contact.error.duration")
	ErrTrend         = fault.New(fault.Invalid, "trend_required", "contact.error.trend")
	ErrMedicineName  = fault.New(fault.Invalid, "medicine_name_required", "contact.error.medicine")
	ErrTextRequired  = fault.New(fault.Invalid, "text_required", "contact.error.text")
	ErrTextTooLong   = fault.New(fault.Invalid, "text_too_long", "contact.error.textTooLong")
	ErrNoRequest     = fault.New(fault.NotFound, "request_not_found", "error.notFound")
)

// Need is what contacting the practice needs: the practice's flag; high
// identity proofing (P9), since requests describe symptoms and medicines
// and the practice's replies carry clinical advice, which a practice must
// not send to an identity NHS login has only checked to P5; and for someone
// acting for the patient, the appointments permission (a carer who may
// book for someone may also ask their practice for them).
var Need = access.Need{Feature: flags.OnlineConsultation, Permission: nhs.PermAppointments, P9: true}

// TextMax is the longest request, in characters.
const TextMax = 2000

// MaxScreening bounds the screening answers one request may carry.
const MaxScreening = 50

// The answers a request's structured questions take.
var (
	Topics    = []string{"fit_note", "letter", "test_result", "other"}
	Durations = []string{"days", "week", "month", "longer"}
	Trends    = []string{"better", "same", "worse"}
)

// Labels puts a request's answers into words in the patient's language,
// as the practice will read them.
type Labels interface {
	// Question is the question with the i18n key.
	Question(key string) string
	// Answer is an answer to one of the structured questions ("duration",
	// "trend", "topic").
	Answer(question, value string) string
}

// View is a request's wire form.
func View(c gp.ContactRequest) api.ContactRequest {
	v := api.ContactRequest{ID: c.ID, Kind: string(c.Kind), Topic: c.Topic, Text: c.Text, Sent: c.Submitted.UnixMilli(),
		ReplyBy: c.ReplyBy.UnixMilli(), Status: string(c.Status), Reply: c.Reply}
	for _, a := range c.Answers {
		v.Answers = append(v.Answers, api.ContactAnswer{Question: a.Question, Answer: a.Answer})
	}
	if !c.Responded.IsZero() {
		v.Responded = c.Responded.UnixMilli()
	}
	return v
}

// NewRequest turns the patient's answers into a request for the practice,
// checking each: the emergency questions first.
func NewRequest(lb Labels, req api.ContactSubmit, child bool) (gp.ContactRequest, error) {
	kind := gp.ContactKind(req.Kind)
	if !slices.Contains(gp.ContactKinds, kind) {
		return gp.ContactRequest{}, ErrKindRequired
	}
	c := gp.ContactRequest{Kind: kind}
	answer := func(q, a string) { c.Answers = append(c.Answers, gp.Answer{Question: lb.Question(q), Answer: a}) }
	switch kind {
	case gp.ContactMedical:
		stop, advice, _, err := Screening.Screen(child, req.Screening)
		if err != nil {
			return c, ErrNotScreened
		}
		if stop {
			return c, urgent(advice)
		}
		c.Screening = Screening.Version
		if !slices.Contains(Durations, req.Duration) {
			return c, ErrDuration
		}
		if !slices.Contains(Trends, req.Trend) {
			return c, ErrTrend
		}
		answer("contact.duration.question", lb.Answer("duration", req.Duration))
		answer("contact.trend.question", lb.Answer("trend", req.Trend))
	case gp.ContactMedication:
		m := strings.TrimSpace(req.Medicine)
		if m == "" || utf8.RuneCountInString(m) > 200 || text.Unsafe(m) {
			return c, ErrMedicineName
		}
		answer("contact.medicine.label", m)
	case gp.ContactAdmin:
		if !slices.Contains(Topics, req.Topic) {
			return c, ErrTopicRequired
		}
		c.Topic = req.Topic
		answer("contact.topic.question", lb.Answer("topic", req.Topic))
	}
	c.Text = strings.TrimSpace(req.Text)
	switch {
	case c.Text == "":
		return c, ErrTextRequired
	case utf8.RuneCountInString(c.Text) > TextMax:
		return c, ErrTextTooLong
	case text.Unsafe(c.Text):
		return c, fault.ErrBadRequest
	}
	return c, nil
}

// urgent is the refusal for screening answers that need urgent care.
func urgent(advice string) *fault.Error {
	if advice == "999" {
		return ErrUrgent999
	}
	return ErrUrgent111
}

// Service sends requests to practices. Its fields are set at wiring time.
type Service struct {
	Store *Store
	Idem  *reqstate.Idempotency
	Audit *audit.Trail
	Log   *slog.Logger
	// Safety is told of red-flag stops and full days (nil: told nothing).
	Safety *safety.Log
}

// stopped records a request the emergency answers stopped (err is
// ErrUrgent999 or ErrUrgent111): audited, and raised to the practice.
func (s *Service) stopped(ctx context.Context, p *access.Patient, err error) {
	s.Audit.Record(ctx, p.Event("contact_red_flag", "stopped", fault.Of(err).Message, ""))
	advice := "111"
	if errors.Is(err, ErrUrgent999) {
		advice = "999"
	}
	s.Safety.Raise(ctx, safety.Event{Kind: safety.RedFlag, Practice: p.Contact().Practice().ODS, Patient: p.ID(), Detail: advice})
}

// Status is the practice's settings and whether it takes requests at now
// (its hours, bank holidays and any pause); the daily counts are left to
// Take, which checks them atomically.
func (s *Service) Status(ctx context.Context, practice gp.Practice, now time.Time) (Settings, Status, error) {
	settings, err := s.Store.Settings(ctx, practice.ODS)
	if err != nil {
		return settings, Status{}, fault.Unreachable(err)
	}
	susp, err := s.Store.Suspension(ctx, practice.ODS, now)
	if err != nil {
		return settings, Status{}, fault.Unreachable(err)
	}
	return settings, settings.StatusAt(now, practice.Country, susp), nil
}

// Availability says whether the practice takes requests of each kind now,
// for this patient ("" for the practice's own view).
func (s *Service) Availability(ctx context.Context, practice gp.Practice, patientID string) (api.ContactAvailability, Settings, error) {
	now := time.Now()
	settings, st, err := s.Status(ctx, practice, now)
	if err != nil {
		return api.ContactAvailability{}, settings, err
	}
	av := api.ContactAvailability{Open: st.Open, Why: st.Why, BankHoliday: st.BankHoliday, Hours: FormatWindows(settings.Windows),
		Practice: practice.Name, Phone: practice.Phone}
	if st.Suspension != nil {
		av.Suspended = st.Suspension.Reason
	}
	if !st.Reopens.IsZero() {
		av.Reopens = st.Reopens.UnixMilli()
	}
	day := Day(now)
	used, err := s.Store.Used(ctx, practice.ODS, day)
	if err != nil {
		return api.ContactAvailability{}, settings, fault.Unreachable(err)
	}
	mine := 0
	if patientID != "" {
		if mine, err = s.Store.PatientUsed(ctx, patientID, day); err != nil {
			return api.ContactAvailability{}, settings, fault.Unreachable(err)
		}
	}
	for _, k := range gp.ContactKinds {
		ks := api.ContactKindState{Kind: string(k), Open: st.Open}
		switch {
		case !st.Open:
		case settings.PatientDaily > 0 && mine >= settings.PatientDaily:
			ks.Open, ks.Why = false, "patient_limit"
		case settings.Caps[k] > 0 && used[k] >= settings.Caps[k]:
			ks.Open, ks.Why = false, "full"
		}
		av.Kinds = append(av.Kinds, ks)
	}
	return av, settings, nil
}

// KindOpen is whether the practice takes requests of kind now, and if not,
// the refusal saying why.
func KindOpen(av api.ContactAvailability, kind string) error {
	for _, k := range av.Kinds {
		if k.Kind != kind {
			continue
		}
		switch {
		case k.Open:
			return nil
		case k.Why == "full":
			return ErrDayFull
		case k.Why == "patient_limit":
			return ErrOverLimit
		}
	}
	return ErrClosed
}

// Send checks a request and sends it to the practice, once per idempotency
// key (scoped to route): emergency answers stop it (audited), a closed
// practice or a full day refuses it, and the day's place is taken
// atomically before the GP system is asked, and given back if it refuses.
func (s *Service) Send(ctx context.Context, p *access.Patient, lb Labels, req api.ContactSubmit, key, route string) (api.ContactRequest, error) {
	if len(req.Screening) > MaxScreening {
		return api.ContactRequest{}, fault.ErrBadRequest
	}
	scope := reqstate.Scope{Actor: p.Actor().Subject, Patient: p.ID(), Route: route}
	return reqstate.Do(ctx, s.Idem, scope, key, req, func() (api.ContactRequest, error) {
		x := p.Contact()
		practice := x.Practice()
		c, err := NewRequest(lb, req, x.Child(ChildAge))
		if errors.Is(err, ErrUrgent999) || errors.Is(err, ErrUrgent111) {
			s.stopped(ctx, p, err)
			return api.ContactRequest{}, err
		}
		if err != nil {
			return api.ContactRequest{}, err
		}
		now := time.Now()
		settings, status, err := s.Status(ctx, practice, now)
		if err != nil {
			return api.ContactRequest{}, err
		}
		if !status.Open {
			return api.ContactRequest{}, ErrClosed
		}
		ticket, err := s.Store.Take(ctx, practice.ODS, p.ID(), c.Kind, Day(now), settings)
		switch {
		case errors.Is(err, ErrFull):
			s.Safety.Raise(ctx, safety.Event{Kind: safety.CapReached, Practice: practice.ODS, Detail: string(c.Kind)})
			return api.ContactRequest{}, ErrDayFull
		case errors.Is(err, ErrPatientLimit):
			return api.ContactRequest{}, ErrOverLimit
		case err != nil:
			return api.ContactRequest{}, fault.Unreachable(err)
		}
		c.Submitted, c.ReplyBy = now, settings.ReplyBy(now, practice.Country)
		sent, err := x.Submit(ctx, c)
		if err != nil {
			if rerr := s.Store.Release(context.WithoutCancel(ctx), ticket); rerr != nil {
				s.Log.WarnContext(ctx, "release contact place", "err", rerr)
			}
			return api.ContactRequest{}, err
		}
		s.Audit.Record(ctx, p.Event("contact_practice", "success", string(c.Kind), "contact:"+sent.ID))
		return View(sent), nil
	})
}

// List is the patient's requests and whether they can send another.
func (s *Service) List(ctx context.Context, p *access.Patient) (api.ContactList, error) {
	x := p.Contact()
	av, _, err := s.Availability(ctx, x.Practice(), p.ID())
	if err != nil {
		return api.ContactList{}, err
	}
	list, err := x.Requests(ctx)
	if err != nil {
		return api.ContactList{}, err
	}
	out := api.ContactList{Availability: av, Requests: []api.ContactRequest{}}
	for _, c := range list {
		out.Requests = append(out.Requests, View(c))
	}
	return out, nil
}

// Recent are the patient's requests sent or answered in the last
// api.ContactRecent, for the home page.
func (s *Service) Recent(ctx context.Context, p *access.Patient) ([]api.ContactRequest, error) {
	list, err := p.Contact().Requests(ctx)
	if err != nil {
		return nil, err
	}
	var out []api.ContactRequest
	since := time.Now().Add(-api.ContactRecent)
	for _, c := range list {
		if c.Submitted.After(since) || c.Responded.After(since) {
			out = append(out, View(c))
		}
	}
	return out, nil
}
