// Package booking is finding, booking and cancelling GP appointments: the
// practice's rules (cut-offs, reasons), the shared cache of free slots, the
// admission queue at busy practices, idempotent bookings and their audit
// trail. HTTP handlers decode a request, call it and render what it returns.
//
// It is server-only, and must not import the HTTP package (server) or app/ui.
package booking

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/admission"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/coalesce"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/notify"
	"github.com/nhs-companion/companion/server/reqstate"
	"github.com/nhs-companion/companion/server/text"
)

// Refusals.
var (
	ErrSlotTaken        = fault.New(fault.Conflict, "slot_taken", "book.error.slotTaken")
	ErrBookingLimit     = fault.New(fault.Conflict, "booking_limit", "book.error.limit")
	ErrTooLate          = fault.New(fault.Conflict, "too_late", "book.error.tooLate")
	ErrAlreadyCancelled = fault.New(fault.Conflict, "already_cancelled", "cancel.error.already")
	ErrReasonNeeded     = fault.New(fault.Invalid, "reason_required", "book.error.reasonRequired")
	ErrReasonTooLong    = fault.New(fault.Invalid, "reason_too_long", "book.error.reasonTooLong")
	ErrTypeRequired     = fault.New(fault.Invalid, "type_required", "book.error.type")
	ErrDayRequired      = fault.New(fault.Invalid, "day_required", "book.error.day")
	// ErrNoAppointment: the patient (whom the person may act for) has no
	// appointment with that ID. Distinct from not_found, which refuses the
	// patient.
	ErrNoAppointment = fault.New(fault.NotFound, "appointment_not_found", "error.notFound")
	// ErrQueued: the practice is busy; the request waits its turn (see
	// Queued for where).
	ErrQueued = fault.New(fault.TooMany, "queued", "queue.error")
)

// Need is what booking needs of the person acting for a patient: the
// appointments permission and the practice's flag.
var Need = access.Need{Feature: flags.Appointments, Permission: nhs.PermAppointments}

// Window is how far ahead people can book online.
const Window = 28 * 24 * time.Hour

// Types are the kinds of appointment people can book, in the order the
// booking page offers them.
var Types = []string{string(gp.SlotGP), string(gp.SlotNurse), string(gp.SlotBloodTest)}

// ValidType reports whether t is one of Types.
func ValidType(t string) bool {
	for _, x := range Types {
		if t == x {
			return true
		}
	}
	return false
}

// Service books appointments. Its fields are set at wiring time.
type Service struct {
	// Slots caches practices' free slots for a few seconds: one GP read for
	// any number of readers. Admission queues requests at busy practices.
	Slots *coalesce.Cache[[]gp.Slot]
	// Claims are the slots known to be taken (nil: none are known, and
	// every attempt asks the GP system).
	Claims *Claims
	// Holds keep chosen times for their choosers (nil: nothing is held).
	Holds *Holds
	// Waitlist offers freed times to those who asked for earlier ones
	// (nil: there is no list).
	Waitlist  *Waitlist
	Admission *admission.Gate
	// Notify hears of reminders to schedule and offers made (nil: none).
	Notify *notify.Service
	Idem   *reqstate.Idempotency
	Audit  *audit.Trail
	Log    *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Queued is a request waiting for its place at a busy practice: it is
// errors.Is ErrQueued (with the wait as RetryAfter) and errors.As the
// admission ticket that keeps the person's place.
type Queued struct{ *admission.Queued }

func (q Queued) Error() string   { return "queued: " + q.Queued.Error() }
func (q Queued) Unwrap() []error { return []error{ErrQueued.Retry(q.RetryAfter), q.Queued} }

// Admit takes a place among the practice's requests in flight, or reports
// where in the queue the person is (Queued). ticket, from an earlier Queued,
// keeps their place.
func (s *Service) Admit(ctx context.Context, practice, ticket string) (release func(), err error) {
	pass, err := s.Admission.Enter(ctx, practice, ticket)
	var q *admission.Queued
	if errors.As(err, &q) {
		return nil, Queued{q}
	}
	if err != nil {
		return nil, err
	}
	if pass.Unguarded != nil {
		s.Log.WarnContext(ctx, "admission unguarded", "err", pass.Unguarded)
	}
	return func() { _ = pass.Release(context.WithoutCancel(ctx)) }, nil
}

// FreeSlots is the practice's free slots of a type over the booking window,
// from the shared cache: one read of the GP system per practice and type
// every few seconds, however many people are looking. Slots inside the
// booking cut-off are left out.
func (s *Service) FreeSlots(ctx context.Context, d access.Diary, typ string) ([]gp.Slot, error) {
	zone := d.Zone()
	now := s.now().In(zone)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	to := from.Add(Window + 24*time.Hour)
	key := typ + "|" + from.Format(time.DateOnly)
	all, err := s.Slots.Get(ctx, d.Practice(), key, func(ctx context.Context) ([]gp.Slot, error) {
		return d.Slots(ctx, gp.SlotQuery{From: from, To: to, Type: gp.SlotType(typ)})
	})
	if err != nil {
		return nil, err
	}
	// Slots booked since the cache was filled are left out at once.
	taken := map[string]bool{}
	if s.Claims != nil {
		if taken, err = s.Claims.All(ctx, d.Practice()); err != nil {
			s.Log.WarnContext(ctx, "slot claims", "err", err)
		}
	}
	earliest := d.Rules().Earliest(s.now())
	out := make([]gp.Slot, 0, len(all))
	for _, sl := range all {
		if !sl.Start.Before(earliest) && !taken[sl.ID] {
			out = append(out, sl)
		}
	}
	return out, nil
}

// SlotQuery asks for free slots of a type between two dates (YYYY-MM-DD,
// inclusive, in the practice's zone; the whole booking window when empty).
type SlotQuery struct{ Type, From, To, Ticket string }

// Find lists free slots, under admission control.
func (s *Service) Find(ctx context.Context, p *access.Patient, q SlotQuery) ([]api.Slot, error) {
	d := p.Diary()
	if q.Type == "" {
		q.Type = string(gp.SlotGP)
	}
	if !ValidType(q.Type) {
		return nil, fault.ErrBadRequest
	}
	var from, to time.Time
	for _, f := range []struct {
		v   string
		dst *time.Time
	}{{q.From, &from}, {q.To, &to}} {
		if f.v != "" {
			t, err := time.ParseInLocation(time.DateOnly, f.v, d.Zone())
			if err != nil {
				return nil, fault.ErrBadRequest
			}
			*f.dst = t
		}
	}
	release, err := s.Admit(ctx, d.Practice(), q.Ticket)
	if err != nil {
		return nil, err
	}
	defer release()
	slots, err := s.FreeSlots(ctx, d, q.Type)
	if err != nil {
		return nil, err
	}
	slots, err = s.withoutOthersHolds(ctx, p, slots)
	if err != nil {
		return nil, err
	}
	out := []api.Slot{}
	for _, sl := range slots {
		if (!from.IsZero() && sl.Start.Before(from)) || (!to.IsZero() && !sl.Start.Before(to.AddDate(0, 0, 1))) {
			continue
		}
		out = append(out, SlotView(sl))
	}
	return out, nil
}

// CheckReason applies the practice's rules to the reason given.
func CheckReason(reason string, rules gp.BookingRules) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case utf8.RuneCountInString(reason) > rules.MaxReason():
		return "", ErrReasonTooLong
	case reason == "" && rules.ReasonRequired:
		return "", ErrReasonNeeded
	case text.Unsafe(reason):
		return "", fault.ErrBadRequest
	}
	return reason, nil
}

// Attempt is how a request to book was made: its Idempotency-Key, its
// admission ticket, the route it came by (keys are per route), and the
// hold on the slot it brings, if any.
type Attempt struct{ Key, Ticket, Route, Hold string }

// domain turns the GP system's refusals into booking's own.
func domain(err error) error {
	for _, m := range []struct{ gp, as error }{
		{gp.ErrSlotTaken, ErrSlotTaken}, {gp.ErrBookingLimit, ErrBookingLimit},
		{gp.ErrTooLate, ErrTooLate}, {gp.ErrAlreadyCancelled, ErrAlreadyCancelled},
	} {
		if errors.Is(err, m.gp) {
			return m.as
		}
	}
	return err
}

// Book books a slot for the patient under the practice's rules, once per
// idempotency key, invalidating the practice's cached free slots.
func (s *Service) Book(ctx context.Context, p *access.Patient, slotID, reason string, at Attempt) (api.Appointment, error) {
	d := p.Diary()
	if slotID == "" || len(slotID) > 200 {
		return api.Appointment{}, fault.ErrBadRequest
	}
	reason, err := CheckReason(reason, d.Rules())
	if err != nil {
		return api.Appointment{}, err
	}
	scope := reqstate.Scope{Actor: p.Actor().Subject, Patient: p.ID(), Route: at.Route}
	req := api.BookRequest{SlotID: slotID, Reason: reason}
	release, a, done, err := s.gate(ctx, p, try{action: "book", scope: scope, at: at, slotID: slotID, req: req})
	if done {
		return a, err
	}
	defer release()
	return reqstate.Do(ctx, s.Idem, scope, at.Key, req, func() (api.Appointment, error) {
		a, err := d.Book(ctx, slotID, reason, at.Key, d.Rules().Earliest(s.now()))
		err = domain(err)
		outcome, code := access.Outcome(err)
		s.Audit.Record(ctx, p.Event("book", outcome, code, "slot:"+slotID))
		if err != nil {
			return api.Appointment{}, err
		}
		s.claim(ctx, d.Practice(), a.Slot)
		s.releaseHold(ctx, p, slotID)
		s.invalidate(ctx, d)
		s.remind(ctx, p, a)
		return AppointmentView(a, d.Rules(), s.now()), nil
	})
}

// claim records the slot as taken; a failure only costs the next attempt
// a trip through the queue.
func (s *Service) claim(ctx context.Context, practice string, slot gp.Slot) {
	if s.Claims == nil {
		return
	}
	if err := s.Claims.Add(context.WithoutCancel(ctx), practice, slot.ID, slot.Start); err != nil {
		s.Log.WarnContext(ctx, "claim slot", "err", err)
	}
}

// unclaim frees a slot's claim (its appointment was cancelled or moved).
func (s *Service) unclaim(ctx context.Context, practice, slotID string) {
	if s.Claims == nil {
		return
	}
	if err := s.Claims.Remove(context.WithoutCancel(ctx), practice, slotID); err != nil {
		s.Log.WarnContext(ctx, "free slot claim", "err", err)
	}
}

// Cancel cancels one of the patient's appointments, up to the cut-off.
func (s *Service) Cancel(ctx context.Context, p *access.Patient, id string) (api.Appointment, error) {
	d := p.Diary()
	a, err := d.Cancel(ctx, id, d.Rules().CancelFrom(s.now()))
	if errors.Is(err, gp.ErrNotFound) {
		err = ErrNoAppointment
	}
	err = domain(err)
	outcome, code := access.Outcome(err)
	s.Audit.Record(ctx, p.Event("cancel", outcome, code, "appointment:"+id))
	if err != nil {
		return api.Appointment{}, err
	}
	s.unclaim(ctx, d.Practice(), a.Slot.ID)
	s.invalidate(ctx, d)
	s.freed(ctx, p, id, a.Slot, "")
	return AppointmentView(a, d.Rules(), s.now()), nil
}

func (s *Service) invalidate(ctx context.Context, d access.Diary) {
	if err := s.Slots.Invalidate(ctx, d.Practice()); err != nil {
		s.Log.WarnContext(ctx, "invalidate slots", "err", err)
	}
}
