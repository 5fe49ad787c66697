package booking

import (
	"context"
	"errors"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/reqstate"
)

// ErrOtherType refuses moving an appointment to a slot of another type:
// changing the time keeps what the appointment is for.
var ErrOtherType = fault.New(fault.Invalid, "slot_type_differs", "change.error.type")

// Reschedule moves one of the patient's appointments to another free slot
// of the same type, once per idempotency key: the new slot taken and the
// old one freed as one step in the GP system, or, when the new slot has
// gone, the appointment untouched (slot_taken). The move meets holds,
// claims and the queue as a booking does.
func (s *Service) Reschedule(ctx context.Context, p *access.Patient, id, slotID string, at Attempt) (api.Appointment, error) {
	d := p.Diary()
	if slotID == "" || len(slotID) > 200 || id == "" || len(id) > 200 {
		return api.Appointment{}, fault.ErrBadRequest
	}
	cur, err := s.Appointment(ctx, p, id)
	if err != nil {
		return api.Appointment{}, err
	}
	scope := reqstate.Scope{Actor: p.Actor().Subject, Patient: p.ID(), Route: at.Route}
	req := api.RescheduleRequest{SlotID: slotID}
	if cur.Status == gp.StatusBooked && cur.Slot.ID == slotID {
		// Already there (a retry whose answer was lost): the answer.
		return AppointmentView(cur, d.Rules(), s.now()), nil
	}
	if sl, _, err := d.Slot(ctx, slotID); err == nil && sl.Type != cur.Slot.Type {
		return api.Appointment{}, ErrOtherType
	}
	release, a, done, err := s.gate(ctx, p, try{action: "reschedule", scope: scope, at: at, slotID: slotID, req: req})
	if done {
		return a, err
	}
	defer release()
	return reqstate.Do(ctx, s.Idem, scope, at.Key, req, func() (api.Appointment, error) {
		now := s.now()
		a, err := d.Reschedule(ctx, id, slotID, d.Rules().CancelFrom(now), d.Rules().Earliest(now))
		if errors.Is(err, gp.ErrNotFound) {
			err = ErrSlotTaken // the appointment was found above: the slot is unknown
		}
		err = domain(err)
		outcome, code := access.Outcome(err)
		s.Audit.Record(ctx, p.Event("reschedule", outcome, code, "appointment:"+id+" slot:"+slotID))
		if err != nil {
			return api.Appointment{}, err
		}
		s.claim(ctx, d.Practice(), a.Slot)
		s.unclaim(ctx, d.Practice(), cur.Slot.ID)
		s.releaseHold(ctx, p, slotID)
		s.invalidate(ctx, d)
		s.freed(ctx, p, id, cur.Slot, a.Slot.ID)
		s.remind(ctx, p, a)
		return AppointmentView(a, d.Rules(), now), nil
	})
}
