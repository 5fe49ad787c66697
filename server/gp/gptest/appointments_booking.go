package gptest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
)

// checkBooking checks booking a slot: the Book check keeps its appointment
// for the cancelling checks, and refused bookings must leave slots free.
func (s *appointmentSuite) checkBooking(t *testing.T) {
	ctx, sys, fx := s.ctx, s.sys, s.fx
	take, book, cancel, isFree := s.take, s.book, s.cancel, s.isFree
	needBooked, futureBooked := s.needBooked, s.futureBooked

	t.Run("Book", func(t *testing.T) {
		sl := take(t)
		if !isFree(t, sl) {
			t.Fatalf("slot %s not free before booking", sl.ID)
		}
		a, err := book(fx.Patient, sl, 0, time.Now())
		if err != nil {
			t.Fatalf("Book: %v", err)
		}
		want := gp.Appointment{
			ID: a.ID, PatientNHS: fx.Patient, Slot: sl, Reason: "Contract check", Status: gp.StatusBooked,
			BookedAt: a.BookedAt, BookedBy: "actor-" + fx.Patient[7:],
		}
		if diff := cmp.Diff(want, a); diff != "" {
			t.Errorf("Book (-want +got):\n%s", diff)
		}
		if a.ID == "" || a.BookedAt.IsZero() || strings.Contains(a.ID, fx.Patient) {
			t.Errorf("Book: bad ID or booking time: %q, %v", a.ID, a.BookedAt)
		}
		list, err := sys.Appointments(ctx, fx.Patient)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(list, func(o gp.Appointment) bool { return o.ID == a.ID })
		if i < 0 {
			t.Fatalf("Appointments lacks the new appointment")
		}
		if diff := cmp.Diff(a, list[i]); diff != "" {
			t.Errorf("Appointments differs from Book (-book +list):\n%s", diff)
		}
		if isFree(t, sl) {
			t.Errorf("slot %s still free after booking", sl.ID)
		}
		s.booked = a
	})

	t.Run("BookTakenSlot", func(t *testing.T) {
		needBooked(t)
		for _, p := range []string{fx.OtherPatient, fx.Patient} {
			if _, err := book(p, s.booked.Slot, 0, time.Now()); !errors.Is(err, gp.ErrSlotTaken) {
				t.Errorf("second booking of a slot: got %v, want ErrSlotTaken", err)
			}
		}
	})

	// A retry after the answer was lost (the same request, with its key)
	// gets the appointment it made: it is neither booked twice nor told
	// the slot is taken. Anyone else, or another request, is told it is.
	t.Run("BookRetryWithKey", func(t *testing.T) {
		sl := take(t)
		b := gp.Booking{PatientNHS: fx.Patient, PracticeODS: fx.Practice, SlotID: sl.ID, Reason: "Contract check",
			Actor: "actor-" + fx.Patient[7:], Key: "contract-retry-" + sl.ID, NotBefore: time.Now()}
		first, err := sys.Book(ctx, b)
		if err != nil {
			t.Fatalf("Book: %v", err)
		}
		again, err := sys.Book(ctx, b)
		if err != nil || again.ID != first.ID || again.Status != gp.StatusBooked {
			t.Errorf("retried Book: %+v, %v; want the first attempt's appointment %s", again, err, first.ID)
		}
		other, another := b, b
		other.PatientNHS, other.Actor = fx.OtherPatient, "actor-"+fx.OtherPatient[7:]
		another.Key += "-another"
		for _, c := range []gp.Booking{other, another} {
			if _, err := sys.Book(ctx, c); !errors.Is(err, gp.ErrSlotTaken) {
				t.Errorf("booking the slot with key %q for another or with another key: got %v, want ErrSlotTaken", c.Key, err)
			}
		}
		if _, err := cancel(fx.Patient, first.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("BookNotFound", func(t *testing.T) {
		sl := take(t)
		for _, c := range []struct {
			name    string
			patient string
			slot    gp.Slot
		}{
			{"unknown slot", fx.Patient, gp.Slot{ID: fx.Practice + "-no-such-slot"}},
			{"empty slot", fx.Patient, gp.Slot{}},
			{"patient elsewhere", fx.Elsewhere, sl},
			{"unregistered patient", unregistered, sl},
			{"not an NHS number", "12345", sl},
		} {
			if _, err := book(c.patient, c.slot, 0, time.Now()); !errors.Is(err, gp.ErrNotFound) {
				t.Errorf("%s: got %v, want ErrNotFound", c.name, err)
			}
		}
		if !isFree(t, sl) {
			t.Errorf("refused bookings took slot %s", sl.ID)
		}
		if _, _, err := sys.Slot(ctx, fx.Practice, fx.Practice+"-no-such-slot"); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("Slot(unknown): got %v, want ErrNotFound", err)
		}
	})

	t.Run("BookTooLate", func(t *testing.T) {
		sl := take(t)
		if _, err := book(fx.Patient, sl, 0, sl.Start.Add(time.Minute)); !errors.Is(err, gp.ErrTooLate) {
			t.Errorf("booking inside the cut-off: got %v, want ErrTooLate", err)
		}
		if !isFree(t, sl) {
			t.Errorf("refused booking took slot %s", sl.ID)
		}
		if _, err := book(fx.Patient, sl, 0, sl.Start); err != nil {
			t.Errorf("booking exactly at the cut-off: %v", err)
		}
	})

	t.Run("BookingLimit", func(t *testing.T) {
		limit := futureBooked(t, fx.OtherPatient) + 1
		first, second := take(t), take(t)
		a, err := book(fx.OtherPatient, first, limit, time.Now())
		if err != nil {
			t.Fatalf("booking up to the limit: %v", err)
		}
		if _, err := book(fx.OtherPatient, second, limit, time.Now()); !errors.Is(err, gp.ErrBookingLimit) {
			t.Errorf("booking past the limit: got %v, want ErrBookingLimit", err)
		}
		if !isFree(t, second) {
			t.Errorf("refused booking took slot %s", second.ID)
		}
		// Cancelled appointments do not count.
		if _, err := cancel(fx.OtherPatient, a.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := book(fx.OtherPatient, second, limit, time.Now()); err != nil {
			t.Errorf("booking after cancelling: %v", err)
		}
	})
}
