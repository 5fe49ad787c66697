package gptest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
)

// checkCancelling checks cancelling the Book check's appointment and
// listing a patient's appointments.
func (s *appointmentSuite) checkCancelling(t *testing.T) {
	ctx, sys, fx := s.ctx, s.sys, s.fx
	cancel, isFree, book, needBooked := s.cancel, s.isFree, s.book, s.needBooked

	t.Run("CancelNotFound", func(t *testing.T) {
		needBooked(t)
		for _, c := range []struct{ name, patient, id string }{
			{"another patient's", fx.OtherPatient, s.booked.ID},
			{"unregistered patient", unregistered, s.booked.ID},
			{"unknown appointment", fx.Patient, "no-such-appointment"},
			{"empty id", fx.Patient, ""},
		} {
			if _, err := cancel(c.patient, c.id, time.Now()); !errors.Is(err, gp.ErrNotFound) {
				t.Errorf("%s: got %v, want ErrNotFound", c.name, err)
			}
		}
	})

	t.Run("CancelTooLate", func(t *testing.T) {
		needBooked(t)
		if _, err := cancel(fx.Patient, s.booked.ID, s.booked.Slot.Start.Add(time.Minute)); !errors.Is(err, gp.ErrTooLate) {
			t.Errorf("cancelling inside the cut-off: got %v, want ErrTooLate", err)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		needBooked(t)
		a, err := cancel(fx.Patient, s.booked.ID, time.Now())
		if err != nil {
			t.Fatalf("Cancel: %v", err)
		}
		want := s.booked
		want.Status, want.CancelledAt, want.CancelledBy = gp.StatusCancelled, a.CancelledAt, "canceller"
		if diff := cmp.Diff(want, a); diff != "" {
			t.Errorf("Cancel (-want +got):\n%s", diff)
		}
		if a.CancelledAt.IsZero() {
			t.Error("Cancel: no cancellation time")
		}
		if !isFree(t, s.booked.Slot) {
			t.Errorf("cancelled slot %s not free again", s.booked.Slot.ID)
		}
		list, err := sys.Appointments(ctx, fx.Patient)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(list, func(o gp.Appointment) bool { return o.ID == a.ID })
		if i < 0 || list[i].Status != gp.StatusCancelled {
			t.Errorf("Appointments: cancelled appointment missing or not cancelled")
		}
		if _, err := cancel(fx.Patient, s.booked.ID, time.Now()); !errors.Is(err, gp.ErrAlreadyCancelled) {
			t.Errorf("cancelling twice: got %v, want ErrAlreadyCancelled", err)
		}
		if _, err := book(fx.OtherPatient, s.booked.Slot, 0, time.Now()); err != nil {
			t.Errorf("booking a freed slot: %v", err)
		}
	})

	t.Run("AppointmentsOrderedAndOwn", func(t *testing.T) {
		for _, p := range []string{fx.Patient, fx.OtherPatient} {
			list, err := sys.Appointments(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) == 0 {
				t.Errorf("no appointments listed")
			}
			for i, a := range list {
				if a.PatientNHS != p {
					t.Errorf("another patient's appointment %s listed", a.ID)
				}
				if i > 0 && a.Slot.Start.Before(list[i-1].Slot.Start) {
					t.Errorf("appointment %s out of order", a.ID)
				}
			}
		}
		if list, err := sys.Appointments(ctx, unregistered); err != nil || len(list) != 0 {
			t.Errorf("Appointments(unregistered): %v, %v; want none", list, err)
		}
	})
}
