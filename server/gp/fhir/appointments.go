package fhir

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// Book takes a slot for a patient in one transaction: the Slot is marked
// busy only if it is still the version read, and the Appointment is
// created only if no Appointment carries this booking's identifier, so of
// any number of concurrent bookings one wins, and a retry after a lost
// answer finds its own booking instead of making a second.
func (s *System) Book(ctx context.Context, b gp.Booking) (gp.Appointment, error) {
	p, pid, err := s.patient(ctx, b.PatientNHS)
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("book: %w", err)
	}
	if p.PracticeODS != b.PracticeODS {
		return gp.Appointment{}, fmt.Errorf("book: patient not registered there: %w", gp.ErrNotFound)
	}
	ctx = withPractice(ctx, b.PracticeODS)
	g, sl, etag, err := s.readSlot(ctx, b.PracticeODS, b.SlotID)
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("book: %w", err)
	}
	key := bookingKey(b, sl.ID)
	if sl.Status != "free" {
		return s.takenOrMine(ctx, key, g, b)
	}
	if g.Start.Before(b.NotBefore) || !g.Start.After(s.now()) {
		return gp.Appointment{}, fmt.Errorf("book: %w", gp.ErrTooLate)
	}
	if b.Limit > 0 {
		if booked, err := s.futureAppointments(ctx, pid); err != nil {
			return gp.Appointment{}, fmt.Errorf("book: %w", err)
		} else if len(booked) >= b.Limit {
			return gp.Appointment{}, fmt.Errorf("book: %w", gp.ErrBookingLimit)
		}
	}
	sl.Status = "busy"
	a := appointment{
		ResourceType: "Appointment", Status: "booked",
		Identifier:  []identifier{{System: BookingSystem, Value: key}},
		ServiceType: sl.ServiceType, AppointmentType: sl.AppointmentType,
		Start: sl.Start, End: sl.End, Slot: []reference{{Reference: ref("Slot", sl.ID)}},
		Created: stamp(s.now()),
		Participant: []participant{
			{Actor: &reference{Reference: ref("Patient", pid)}, Status: "accepted"},
			{Actor: &reference{Reference: ref("PractitionerRole", g.Clinician.ID)}, Status: "accepted"},
		},
	}
	if b.Reason != "" {
		a.ReasonCode = []codeableConcept{{Text: b.Reason}}
	}
	if b.Actor != "" {
		a.Extension = []extension{{URL: ExtBookedBy, ValueString: b.Actor}}
	}
	res, err := s.c.transaction(ctx, []bundleEntry{
		{FullURL: "urn:uuid:" + uuidOf(key), Resource: raw(a),
			Request: &bundleRequest{Method: "POST", URL: "Appointment", IfNoneExist: url.Values{"identifier": {BookingSystem + "|" + key}}.Encode()}},
		{Resource: raw(sl), Request: &bundleRequest{Method: "PUT", URL: ref("Slot", sl.ID), IfMatch: etag}},
	})
	if errors.Is(err, errConflict) {
		return s.takenOrMine(ctx, key, g, b)
	}
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("book: %w", err)
	}
	var made appointment
	if err := decode(res.Entry[0].Resource, &made); err != nil {
		return gp.Appointment{}, fmt.Errorf("book: %w: %w", gp.ErrUnavailable, err)
	}
	if b.Limit > 0 {
		if err := s.keepLimit(ctx, pid, made, b); err != nil {
			return gp.Appointment{}, err
		}
	}
	return appointmentOf(made, g, b.PatientNHS), nil
}

// takenOrMine answers a booking of a slot that is no longer free: someone
// else took it, unless this very request did (a retry after its answer was
// lost), which then gets the appointment it made.
func (s *System) takenOrMine(ctx context.Context, key string, g gp.Slot, b gp.Booking) (gp.Appointment, error) {
	if b.Key != "" {
		mine, ok, err := s.byBookingKey(ctx, key)
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("book: %w", err)
		}
		if ok && mine.Status == "booked" {
			return appointmentOf(mine, g, b.PatientNHS), nil
		}
	}
	return gp.Appointment{}, fmt.Errorf("book: %w", gp.ErrSlotTaken)
}

// keepLimit undoes a booking that two concurrent bookings of one patient
// took past the limit: the GP system checks no limit itself, so each
// booking counts again once it is made, and the later of those past the
// limit is cancelled.
func (s *System) keepLimit(ctx context.Context, pid string, made appointment, b gp.Booking) error {
	booked, err := s.futureAppointments(ctx, pid)
	if err != nil {
		return nil // the booking stands; the limit is checked again next time
	}
	slices.SortFunc(booked, func(x, y appointment) int { return cmp.Or(cmp.Compare(x.Created, y.Created), cmp.Compare(x.ID, y.ID)) })
	if i := slices.IndexFunc(booked, func(x appointment) bool { return x.ID == made.ID }); i < b.Limit {
		return nil
	}
	if _, err := s.Cancel(ctx, gp.Cancellation{PatientNHS: b.PatientNHS, AppointmentID: made.ID, Actor: b.Actor}); err != nil {
		return fmt.Errorf("book: undo past the limit: %w", err)
	}
	return fmt.Errorf("book: %w", gp.ErrBookingLimit)
}

// byBookingKey finds the Appointment a booking made.
func (s *System) byBookingKey(ctx context.Context, key string) (appointment, bool, error) {
	found, err := searchAll[appointment](ctx, s.c, "Appointment", url.Values{"identifier": {BookingSystem + "|" + key}})
	if err != nil {
		return appointment{}, false, err
	}
	for _, a := range found {
		if slices.Contains(a.Identifier, identifier{System: BookingSystem, Value: key}) {
			return a, true, nil
		}
	}
	return appointment{}, false, nil
}

// futureAppointments lists the patient's booked appointments yet to start.
func (s *System) futureAppointments(ctx context.Context, pid string) ([]appointment, error) {
	all, err := searchAll[appointment](ctx, s.c, "Appointment", url.Values{
		"patient": {ref("Patient", pid)}, "status": {"booked"}, "date": {"ge" + stamp(s.now())}, "_count": {"100"},
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	return slices.DeleteFunc(all, func(a appointment) bool {
		start, err := time.Parse(time.RFC3339, a.Start)
		return a.Status != "booked" || !a.has(pid) || err != nil || !start.After(now)
	}), nil
}

// has reports whether the appointment is the patient's.
func (a appointment) has(pid string) bool {
	return slices.ContainsFunc(a.Participant, func(p participant) bool {
		return p.Actor != nil && idOf(*p.Actor, "Patient") == pid
	})
}

// Cancel cancels one of the patient's appointments and frees its slot, in
// one transaction conditional on the versions read.
func (s *System) Cancel(ctx context.Context, c gp.Cancellation) (gp.Appointment, error) {
	p, pid, err := s.patient(ctx, c.PatientNHS)
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("cancel: %w", err)
	}
	ctx = withPractice(ctx, p.PracticeODS)
	for range 3 {
		var a appointment
		aTag, err := s.c.read(ctx, "Appointment", c.AppointmentID, &a)
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("cancel: %w", err)
		}
		if !a.has(pid) || len(a.Slot) == 0 {
			return gp.Appointment{}, fmt.Errorf("cancel: %w", gp.ErrNotFound)
		}
		if a.Status == "cancelled" {
			return gp.Appointment{}, fmt.Errorf("cancel: %w", gp.ErrAlreadyCancelled)
		}
		g, sl, sTag, err := s.readSlot(ctx, p.PracticeODS, idOf(a.Slot[0], "Slot"))
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("cancel: %w", err)
		}
		if g.Start.Before(c.NotBefore) {
			return gp.Appointment{}, fmt.Errorf("cancel: %w", gp.ErrTooLate)
		}
		a.Status = "cancelled"
		a.Extension = append(a.Extension, extension{URL: ExtCancelledAt, ValueTime: stamp(s.now())})
		if c.Actor != "" {
			a.Extension = append(a.Extension, extension{URL: ExtCancelledBy, ValueString: c.Actor})
		}
		sl.Status = "free"
		res, err := s.c.transaction(ctx, []bundleEntry{
			{Resource: raw(a), Request: &bundleRequest{Method: "PUT", URL: ref("Appointment", a.ID), IfMatch: aTag}},
			{Resource: raw(sl), Request: &bundleRequest{Method: "PUT", URL: ref("Slot", sl.ID), IfMatch: sTag}},
		})
		if errors.Is(err, errConflict) {
			continue // changed since read: read again
		}
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("cancel: %w", err)
		}
		var done appointment
		if err := decode(res.Entry[0].Resource, &done); err != nil {
			return gp.Appointment{}, fmt.Errorf("cancel: %w: %w", gp.ErrUnavailable, err)
		}
		return appointmentOf(done, g, c.PatientNHS), nil
	}
	return gp.Appointment{}, fmt.Errorf("cancel: %w: kept changing", gp.ErrUnavailable)
}

// Appointments lists the patient's appointments, booked and cancelled,
// ordered by start.
func (s *System) Appointments(ctx context.Context, patientNHS string) ([]gp.Appointment, error) {
	p, pid, err := s.patient(ctx, patientNHS)
	if errors.Is(err, gp.ErrNotFound) {
		return []gp.Appointment{}, nil // no record, so no appointments
	}
	if err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	ctx = withPractice(ctx, p.PracticeODS)
	all, err := searchAll[appointment](ctx, s.c, "Appointment", url.Values{"patient": {ref("Patient", pid)}, "_count": {"100"}})
	if err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	out := []gp.Appointment{}
	for _, a := range all {
		if !a.has(pid) || len(a.Slot) == 0 || (a.Status != "booked" && a.Status != "cancelled") {
			continue
		}
		g, _, _, err := s.readSlot(ctx, p.PracticeODS, idOf(a.Slot[0], "Slot"))
		if err != nil {
			return nil, fmt.Errorf("appointments: %w", err)
		}
		out = append(out, appointmentOf(a, g, patientNHS))
	}
	slices.SortFunc(out, func(x, y gp.Appointment) int {
		return cmp.Or(x.Slot.Start.Compare(y.Slot.Start), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// appointmentOf maps an Appointment on slot g.
func appointmentOf(a appointment, g gp.Slot, patientNHS string) gp.Appointment {
	out := gp.Appointment{ID: a.ID, PatientNHS: patientNHS, Slot: g, Status: gp.AppointmentStatus(a.Status),
		BookedBy: a.ext(ExtBookedBy), CancelledBy: a.ext(ExtCancelledBy), MovedBy: a.ext(ExtMovedBy), Sequence: a.sequence()}
	if len(a.ReasonCode) > 0 {
		out.Reason = a.ReasonCode[0].Text
	}
	out.BookedAt, _ = time.Parse(time.RFC3339, a.Created)
	if t := a.ext(ExtCancelledAt); t != "" {
		out.CancelledAt, _ = time.Parse(time.RFC3339, t)
	}
	return out
}

// uuidOf shapes a 32-hex-digit key as a UUID, for a transaction's fullUrl.
func uuidOf(key string) string {
	return key[0:8] + "-" + key[8:12] + "-" + key[12:16] + "-" + key[16:20] + "-" + key[20:32]
}
