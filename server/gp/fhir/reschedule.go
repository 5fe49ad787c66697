package fhir

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/nhs-companion/companion/server/gp"
)

// Reschedule moves one of the patient's booked appointments to a free slot
// in one transaction conditional on the versions read: the Appointment
// rewritten onto the new Slot, the new Slot marked busy and the old one
// free, or, if any of the three changed meanwhile, nothing (then it reads
// again). The Appointment keeps its ID, identifier and reason.
func (s *System) Reschedule(ctx context.Context, m gp.Move) (gp.Appointment, error) {
	p, pid, err := s.patient(ctx, m.PatientNHS)
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("reschedule: %w", err)
	}
	if m.AppointmentID == "" || m.SlotID == "" {
		return gp.Appointment{}, fmt.Errorf("reschedule: %w", gp.ErrNotFound)
	}
	ctx = withPractice(ctx, p.PracticeODS)
	for range 3 {
		var a appointment
		aTag, err := s.c.read(ctx, "Appointment", m.AppointmentID, &a)
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w", err)
		}
		if !a.has(pid) || len(a.Slot) == 0 {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w", gp.ErrNotFound)
		}
		oldID := idOf(a.Slot[0], "Slot")
		if oldID == m.SlotID && a.Status == "booked" {
			// Already there: a retry after a lost answer.
			g, _, _, err := s.readSlot(ctx, p.PracticeODS, oldID)
			if err != nil {
				return gp.Appointment{}, fmt.Errorf("reschedule: %w", err)
			}
			return appointmentOf(a, g, m.PatientNHS), nil
		}
		if a.Status != "booked" {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w", gp.ErrAlreadyCancelled)
		}
		oldG, oldSl, oldTag, err := s.readSlot(ctx, p.PracticeODS, oldID)
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w", err)
		}
		if oldG.Start.Before(m.CancelFrom) || !oldG.Start.After(s.now()) {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w", gp.ErrTooLate)
		}
		g, sl, tag, err := s.readSlot(ctx, p.PracticeODS, m.SlotID)
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w", err)
		}
		if g.Start.Before(m.NotBefore) || !g.Start.After(s.now()) {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w", gp.ErrTooLate)
		}
		if sl.Status != "free" {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w", gp.ErrSlotTaken)
		}
		a.moveTo(sl, g, m.Actor, stamp(s.now()))
		sl.Status, oldSl.Status = "busy", "free"
		res, err := s.c.transaction(ctx, []bundleEntry{
			{Resource: raw(a), Request: &bundleRequest{Method: "PUT", URL: ref("Appointment", a.ID), IfMatch: aTag}},
			{Resource: raw(sl), Request: &bundleRequest{Method: "PUT", URL: ref("Slot", sl.ID), IfMatch: tag}},
			{Resource: raw(oldSl), Request: &bundleRequest{Method: "PUT", URL: ref("Slot", oldSl.ID), IfMatch: oldTag}},
		})
		if errors.Is(err, errConflict) {
			continue // one of the three changed since read: read again
		}
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w", err)
		}
		var done appointment
		if err := decode(res.Entry[0].Resource, &done); err != nil {
			return gp.Appointment{}, fmt.Errorf("reschedule: %w: %w", gp.ErrUnavailable, err)
		}
		return appointmentOf(done, g, m.PatientNHS), nil
	}
	return gp.Appointment{}, fmt.Errorf("reschedule: %w: kept changing", gp.ErrUnavailable)
}

// moveTo rewrites the appointment onto slot sl (g mapped): its times, type,
// mode and clinician, who moved it and when, and one more in its sequence.
func (a *appointment) moveTo(sl slot, g gp.Slot, actor, at string) {
	a.Start, a.End = sl.Start, sl.End
	a.Slot = []reference{{Reference: ref("Slot", sl.ID)}}
	a.ServiceType, a.AppointmentType = sl.ServiceType, sl.AppointmentType
	for i, pt := range a.Participant {
		if pt.Actor != nil && idOf(*pt.Actor, "PractitionerRole") != "" {
			a.Participant[i].Actor = &reference{Reference: ref("PractitionerRole", g.Clinician.ID)}
		}
	}
	seq := a.sequence() + 1
	a.Extension = slices.DeleteFunc(a.Extension, func(e extension) bool {
		return e.URL == ExtMovedBy || e.URL == ExtMovedAt || e.URL == ExtSequence
	})
	a.Extension = append(a.Extension, extension{URL: ExtMovedAt, ValueTime: at}, extension{URL: ExtSequence, ValueInt: seq})
	if actor != "" {
		a.Extension = append(a.Extension, extension{URL: ExtMovedBy, ValueString: actor})
	}
}

// sequence is how many times the appointment has been moved.
func (a appointment) sequence() int {
	for _, e := range a.Extension {
		if e.URL == ExtSequence {
			return e.ValueInt
		}
	}
	return 0
}
