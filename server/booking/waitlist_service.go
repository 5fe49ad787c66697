package booking

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/notify"
)

// WaitlistNeed is what the waitlist needs: the appointments permission and
// the practice's waitlist flag.
var WaitlistNeed = access.Need{Feature: flags.AppointmentWaitlist, Permission: nhs.PermAppointments}

// Waitlist refusals.
var (
	// ErrNotWaiting: the appointment is not on the list.
	ErrNotWaiting = fault.New(fault.NotFound, "waitlist_not_found", "error.notFound")
	// ErrNoOffer: no earlier time is offered for the appointment (it was
	// never offered, expired or was declined).
	ErrNoOffer = fault.New(fault.Conflict, "offer_not_found", "waitlist.error.noOffer")
	// ErrWaitlistDate: the latest date is not a date from today up to the
	// appointment's.
	ErrWaitlistDate = fault.New(fault.Invalid, "waitlist_date", "waitlist.error.date")
)

// JoinWaitlist asks for an earlier time for one of the patient's
// appointments (still outside the cancelling cut-off), up to req.Before,
// with its clinician only or any; asking again changes what suits it,
// keeping its place.
func (s *Service) JoinWaitlist(ctx context.Context, p *access.Patient, id string, req api.WaitlistRequest) (api.WaitlistEntry, error) {
	if s.Waitlist == nil {
		return api.WaitlistEntry{}, fault.ErrNotFound
	}
	cur, err := s.Appointment(ctx, p, id)
	if err != nil {
		return api.WaitlistEntry{}, err
	}
	d := p.Diary()
	now := s.now()
	if cur.Status != gp.StatusBooked {
		return api.WaitlistEntry{}, ErrAlreadyCancelled
	}
	if !d.Rules().Cancellable(cur, now) {
		return api.WaitlistEntry{}, ErrTooLate
	}
	e := entry{Appointment: id, Patient: p.ID(), Holder: holder(p), Type: string(cur.Slot.Type),
		Current: cur.Slot.Start.UnixMilli(), Latest: cur.Slot.Start.UnixMilli(), Cutoff: d.Rules().BookCutoff.Milliseconds(),
		Joined: now.UnixMilli(), Before: req.Before}
	if req.SameClinician {
		e.Clinician = cur.Slot.Clinician.ID
	}
	if req.Before != "" {
		day, err := time.ParseInLocation(time.DateOnly, req.Before, d.Zone())
		today := now.In(d.Zone()).Format(time.DateOnly)
		if err != nil || req.Before < today || day.After(cur.Slot.Start) {
			return api.WaitlistEntry{}, ErrWaitlistDate
		}
		e.Latest = min(e.Latest, day.AddDate(0, 0, 1).UnixMilli()-1)
	}
	e, err = s.Waitlist.Join(ctx, d.Practice(), e)
	outcome, code := access.Outcome(err)
	s.Audit.Record(ctx, p.Event("waitlist_join", outcome, code, "appointment:"+id))
	if err != nil {
		return api.WaitlistEntry{}, err
	}
	return e.view(now), nil
}

// WaitlistEntry is the appointment's place on the list (nil when it has
// none, or there is no list).
func (s *Service) WaitlistEntry(ctx context.Context, p *access.Patient, id string) (*api.WaitlistEntry, error) {
	if s.Waitlist == nil {
		return nil, nil
	}
	e, ok, err := s.Waitlist.Entry(ctx, p.Diary().Practice(), id)
	if err != nil || !ok || e.Patient != p.ID() {
		return nil, err
	}
	v := e.view(s.now())
	return &v, nil
}

// WaitlistOffers are the earlier times offered to the person for the
// patient now, for the home page.
func (s *Service) WaitlistOffers(ctx context.Context, p *access.Patient) ([]api.WaitlistOffer, error) {
	if s.Waitlist == nil {
		return nil, nil
	}
	list, err := s.Waitlist.Of(ctx, p.Diary().Practice(), p.ID())
	if err != nil {
		return nil, err
	}
	out := []api.WaitlistOffer{}
	for _, e := range list {
		if v := e.view(s.now()); v.Offer != nil && e.Holder == holder(p) {
			out = append(out, *v.Offer)
		}
	}
	return out, nil
}

// LeaveWaitlist takes the appointment off the list; an earlier time offered
// to it passes to the next person.
func (s *Service) LeaveWaitlist(ctx context.Context, p *access.Patient, id string) error {
	if _, err := s.Appointment(ctx, p, id); err != nil {
		return err
	}
	if s.Waitlist == nil {
		return ErrNotWaiting
	}
	d := p.Diary()
	if e, ok, err := s.Waitlist.Entry(ctx, d.Practice(), id); err != nil {
		return err
	} else if !ok || e.Patient != p.ID() {
		return ErrNotWaiting
	}
	s.declineOffer(ctx, p, id, "")
	_, _, err := s.Waitlist.Remove(ctx, d.Practice(), id)
	outcome, code := access.Outcome(err)
	s.Audit.Record(ctx, p.Event("waitlist_leave", outcome, code, "appointment:"+id))
	return err
}

// AcceptOffer moves the appointment to the earlier time offered to it (a
// reschedule with the offer's hold); it then leaves the list. When the time
// has gone meanwhile, the offer ends and the appointment stays as it was.
func (s *Service) AcceptOffer(ctx context.Context, p *access.Patient, id string, at Attempt) (api.Appointment, error) {
	if _, err := s.Appointment(ctx, p, id); err != nil {
		return api.Appointment{}, err
	}
	v, err := s.WaitlistEntry(ctx, p, id)
	if err != nil {
		return api.Appointment{}, err
	}
	if v == nil || v.Offer == nil {
		return api.Appointment{}, ErrNoOffer
	}
	at.Hold = v.Offer.HoldID
	a, err := s.Reschedule(ctx, p, id, v.Offer.Slot.ID, at)
	if errors.Is(err, ErrSlotTaken) || errors.Is(err, ErrTooLate) {
		s.declineOffer(ctx, p, id, "")
	}
	return a, err
}

// DeclineOffer turns down the earlier time offered; it passes to the next
// person, and the appointment stays on the list for another.
func (s *Service) DeclineOffer(ctx context.Context, p *access.Patient, id string) error {
	if _, err := s.Appointment(ctx, p, id); err != nil {
		return err
	}
	v, err := s.WaitlistEntry(ctx, p, id)
	if err != nil {
		return err
	}
	if v == nil || v.Offer == nil {
		return ErrNoOffer
	}
	s.declineOffer(ctx, p, id, "")
	s.Audit.Record(ctx, p.Event("waitlist_decline", "success", "", "appointment:"+id))
	return nil
}

// declineOffer ends the appointment's offer, releasing its hold, and
// passes the time on, unless it is the slot taken (the offer accepted).
func (s *Service) declineOffer(ctx context.Context, p *access.Patient, id, taken string) {
	ctx = context.WithoutCancel(ctx)
	d := p.Diary()
	sl, done, err := s.Waitlist.Settle(ctx, d.Practice(), id)
	if err != nil || !done || sl.ID == "" || sl.ID == taken {
		return
	}
	_ = s.Holds.ReleaseOn(ctx, d.Practice(), holder(p), sl.ID)
	s.offer(ctx, d.Practice(), sl)
}

// freed offers a slot just freed at the practice (by a cancellation, or a
// move to the slot taken) to the list, if the practice has one, and takes
// the appointment that freed it off the list.
func (s *Service) freed(ctx context.Context, p *access.Patient, appt string, sl gp.Slot, taken string) {
	if s.Waitlist == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	d := p.Diary()
	s.declineOffer(ctx, p, appt, taken)
	if _, _, err := s.Waitlist.Remove(ctx, d.Practice(), appt); err != nil {
		s.Log.WarnContext(ctx, "waitlist remove", "err", err)
	}
	if p.Flag(ctx, flags.AppointmentWaitlist) {
		s.offer(ctx, d.Practice(), sl)
	}
}

// offer offers the slot to the first on the practice's list it suits.
func (s *Service) offer(ctx context.Context, practice string, sl gp.Slot) {
	e, ok, err := s.Waitlist.Offer(ctx, practice, sl, s.now())
	if err != nil {
		s.Log.WarnContext(ctx, "waitlist offer", "err", err)
		return
	}
	if ok {
		s.Log.InfoContext(ctx, "waitlist offer made", "practice", practice, "joined", e.Joined)
		s.Notify.Emit(ctx, notify.Event{Kind: notify.WaitlistOffer, Patient: e.Patient, Key: e.Appointment + ":" + sl.ID,
			Path: "/", Need: WaitlistNeed, Expires: e.Offer.Expires})
	}
}

// pass passes on an expired offer, if this process is the one to.
func (s *Service) pass(ctx context.Context, practice, id string) {
	sl, done, err := s.Waitlist.Settle(ctx, practice, id)
	if err == nil && done && sl.ID != "" {
		s.offer(ctx, practice, sl)
	}
}

// SweepWaitlist passes on every expired offer at every practice, every
// interval, until ctx ends: offers expire by themselves whether or not
// anyone is looking.
func (s *Service) SweepWaitlist(ctx context.Context, every time.Duration) {
	if s.Waitlist == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		expired, err := s.Waitlist.Expired(ctx, s.now())
		if errors.Is(err, redis.ErrClosed) {
			return // the process is closing down
		}
		if err != nil {
			continue
		}
		for practice, ids := range expired {
			for _, id := range ids {
				s.pass(ctx, practice, id)
			}
		}
	}
}
