package booking

import (
	"context"
	"errors"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/reqstate"
)

// try is an attempt to take a slot (to book, or to move an appointment
// to): the audit action, the idempotency scope and request, and how it was
// made.
type try struct {
	action string
	scope  reqstate.Scope
	at     Attempt
	slotID string
	req    any
}

// gate lets an attempt to take slotID through to the GP system: at once
// when the person holds the slot (a holder's attempt cannot lose to anyone,
// so it neither queues nor meets another claim), else once it is admitted
// at the practice. done is set when the attempt is answered without the GP
// system (a, err are the answer): the slot is known taken, or no place in
// the queue came in time (Queued). release gives the place back.
func (s *Service) gate(ctx context.Context, p *access.Patient, t try) (release func(), a api.Appointment, done bool, err error) {
	st, err := s.slotStateOf(ctx, p, t.slotID)
	if err != nil {
		return nil, api.Appointment{}, true, fault.Unreachable(err)
	}
	if st.mineSlot == t.slotID && (t.at.Hold == "" || t.at.Hold == st.mine) {
		return func() {}, api.Appointment{}, false, nil
	}
	if a, known, err := s.knownTaken(ctx, p, t, &st); known {
		// A place it queued for earlier is given up.
		if lerr := s.Admission.Leave(ctx, p.Diary().Practice(), t.at.Ticket); lerr != nil {
			s.Log.WarnContext(ctx, "leave queue", "err", lerr)
		}
		return nil, a, true, err
	}
	release, a, known, err := s.admitToBook(ctx, p, t)
	if known || err != nil {
		return release, a, true, err
	}
	return s.holdInFlight(ctx, p, t, release)
}

// inFlight is how long an admitted attempt holds its slot while the GP
// system is asked: longer than any GP call takes, and let go as soon as the
// attempt is answered.
const inFlight = 30 * time.Second

// holdInFlight holds the slot for an admitted attempt made without a hold,
// for as long as the GP system is being asked: nobody can hold a time that
// is being booked, so a booking made with a hold never fails because of
// someone else's booking through Companion. When someone holds it (or
// another attempt is booking it) the attempt is answered slot_taken at once.
func (s *Service) holdInFlight(ctx context.Context, p *access.Patient, t try, release func()) (func(), api.Appointment, bool, error) {
	if s.Holds == nil {
		return release, api.Appointment{}, false, nil
	}
	practice := p.Diary().Practice()
	h, err := s.Holds.PlaceFor(ctx, practice, holder(p), t.slotID, inFlight)
	if errors.Is(err, ErrSlotTaken) {
		release()
		a, _, err := s.knownTaken(ctx, p, t, &slotState{heldByOther: true})
		return nil, a, true, err
	}
	if err != nil {
		s.Log.WarnContext(ctx, "hold in flight", "err", err)
		return release, api.Appointment{}, false, nil // the GP system still decides
	}
	return func() {
		// Booked: already let go with the booking; refused: let go now.
		if err := s.Holds.Release(context.WithoutCancel(ctx), practice, holder(p), h.ID); err != nil && !errors.Is(err, ErrNoHold) {
			s.Log.WarnContext(ctx, "release hold in flight", "err", err)
		}
		release()
	}, api.Appointment{}, false, nil
}

// queueWait is how long a booking attempt at a busy practice waits in the
// server for a place before it is answered 429 queued, looking every
// queuePoll for a place, or for its slot to have gone (then it is answered
// slot_taken at once): in a rush most people learn their outcome within it.
const (
	queueWait = 1500 * time.Millisecond
	queuePoll = 100 * time.Millisecond
)

// admitToBook takes a place to book, waiting up to queueWait; known is set
// when, meanwhile, the slot was taken (then a and err are the answer). It
// answers Queued, with the ticket that keeps the person's place, when no
// place came.
func (s *Service) admitToBook(ctx context.Context, p *access.Patient, t try) (release func(), a api.Appointment, known bool, err error) {
	// Real time, whatever the service's clock says.
	deadline := time.Now().Add(queueWait)
	ticket := t.at.Ticket
	for {
		release, err = s.Admit(ctx, p.Diary().Practice(), ticket)
		var q Queued
		if !errors.As(err, &q) || !time.Now().Before(deadline) {
			return release, api.Appointment{}, false, err
		}
		ticket = q.Ticket
		select {
		case <-ctx.Done():
			return nil, api.Appointment{}, false, err
		case <-time.After(queuePoll):
		}
		if a, known, err := s.knownTaken(ctx, p, t, nil); known {
			// Out of the queue at once: those behind move up.
			if lerr := s.Admission.Leave(ctx, p.Diary().Practice(), ticket); lerr != nil {
				s.Log.WarnContext(ctx, "leave queue", "err", lerr)
			}
			return nil, a, true, err
		}
	}
}

// knownTaken answers an attempt to book a slot already known to be taken
// without queueing or asking the GP system: slot_taken (too_late once the
// slot is inside the cut-off, as the GP system answers), audited as any
// refusal, unless the same request was made before with this key (the
// winner retrying after a lost answer), which gets its first answer back.
// known is false when the slot is not known to be taken, or the claims
// cannot be read (the GP system decides, as it always can).
func (s *Service) knownTaken(ctx context.Context, p *access.Patient, t try, st *slotState) (api.Appointment, bool, error) {
	d := p.Diary()
	if st == nil {
		read, err := s.slotStateOf(ctx, p, t.slotID)
		if err != nil {
			return api.Appointment{}, false, nil
		}
		st = &read
	}
	if !st.taken() {
		return api.Appointment{}, false, nil
	}
	start := st.start
	if a, found, err := reqstate.Replay[api.Appointment](ctx, s.Idem, t.scope, t.at.Key, t.req); found || err != nil {
		return a, true, err
	}
	// Held, not booked through Companion: the slot may be the person's own,
	// booked by an earlier try of this request whose answer was lost (the
	// GP system answered unavailable after the booking was written, and
	// someone's hold came after it), so the GP system says whether it is.
	if !st.claimed && t.at.Key != "" {
		if a, mine, err := s.ownOn(ctx, p, t.slotID); mine || err != nil {
			if err == nil {
				outcome, code := access.Outcome(nil)
				s.Audit.Record(ctx, p.Event(t.action, outcome, code, "slot:"+t.slotID))
			}
			return a, true, err
		}
	}
	refusal := ErrSlotTaken
	if !start.IsZero() && start.Before(d.Rules().Earliest(s.now())) {
		refusal = ErrTooLate
	}
	outcome, code := access.Outcome(refusal)
	s.Audit.Record(ctx, p.Event(t.action, outcome, code, "slot:"+t.slotID))
	return api.Appointment{}, true, refusal
}

// ownOn is the patient's booked appointment on the slot, if they have one
// there; an error when the GP system cannot say.
func (s *Service) ownOn(ctx context.Context, p *access.Patient, slotID string) (api.Appointment, bool, error) {
	d := p.Diary()
	list, err := d.Appointments(ctx)
	if err != nil {
		return api.Appointment{}, false, err
	}
	for _, a := range list {
		if a.Slot.ID == slotID && a.Status == gp.StatusBooked {
			return AppointmentView(a, d.Rules(), s.now()), true, nil
		}
	}
	return api.Appointment{}, false, nil
}
