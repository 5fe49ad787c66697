package gptest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
)

// unregistered is a valid test-range NHS number no adapter registers.
const unregistered = "9999999999"

// AppointmentFixture names what the appointments contract needs. The suite
// books and cancels slots of the next two weeks, reading the wall clock.
type AppointmentFixture struct {
	// Patient is the NHS number of a patient registered at Practice, the
	// ODS code of a practice with at least 20 free slots in the next two
	// weeks.
	Patient, Practice string
	// OtherPatient is another patient registered at Practice.
	OtherPatient string
	// Elsewhere is a patient registered at another practice.
	Elsewhere string
	// System, if set, gives the part a system of its own: Run calls it
	// with the part's subtest instead of using its own system.
	System func(t *testing.T) gp.System
	// Unsupported, if set, declares that the adapter does not offer this
	// part, and why; Run then skips it with that reason, and the other
	// fields must be left empty.
	Unsupported string
}

// runAppointments checks the diary part of the port. Each booking takes a
// slot of its own from a pool, so the checks cannot disturb each other.
func runAppointments(t *testing.T, sys gp.System, fx AppointmentFixture) {
	ctx := context.Background()
	now := time.Now()
	// Leave the next hours alone: slots there may start while the suite
	// runs, and cut-offs are checked against them.
	from, to := now.Add(2*time.Hour), now.AddDate(0, 0, 14)
	all, err := sys.Slots(ctx, gp.SlotQuery{Practice: fx.Practice, From: from, To: to})
	if err != nil {
		t.Fatalf("Slots: %v", err)
	}
	if len(all) < 20 {
		t.Fatalf("Slots: %d free slots in two weeks, want plenty to test with", len(all))
	}
	s := &appointmentSuite{ctx: ctx, sys: sys, fx: fx, from: from, to: to, all: all, pool: slices.Clone(all)}
	s.checkSlots(t)
	s.checkBooking(t)
	s.checkCancelling(t)
	s.checkRescheduling(t)

	t.Run("ErrorsNameNoPatient", func(t *testing.T) {
		for _, err := range s.errs {
			if err == nil {
				continue
			}
			for _, p := range []string{fx.Patient, fx.OtherPatient, fx.Elsewhere, unregistered} {
				if strings.Contains(err.Error(), p) {
					t.Errorf("error %q contains an NHS number", err)
				}
			}
		}
	})
}

// appointmentSuite is what runAppointments' checks share: the free slots
// of the next two weeks, the pool bookings take them from, the errors the
// port returned and the appointment the Book check made.
type appointmentSuite struct {
	ctx      context.Context
	sys      gp.System
	fx       AppointmentFixture
	from, to time.Time
	all      []gp.Slot
	pool     []gp.Slot
	errs     []error // every error the port returns, checked for NHS numbers
	booked   gp.Appointment
}

// take hands out the next slot of the pool, one no other check uses.
func (s *appointmentSuite) take(t *testing.T) gp.Slot {
	t.Helper()
	if len(s.pool) == 0 {
		t.Fatal("out of slots")
	}
	sl := s.pool[0]
	s.pool = s.pool[1:]
	return sl
}

// book books sl for patient, keeping the error for ErrorsNameNoPatient.
func (s *appointmentSuite) book(patient string, sl gp.Slot, limit int, notBefore time.Time) (gp.Appointment, error) {
	a, err := s.sys.Book(s.ctx, gp.Booking{
		PatientNHS: patient, PracticeODS: s.fx.Practice, SlotID: sl.ID, Reason: "Contract check",
		Actor: "actor-" + patient[len(patient)-3:], Limit: limit, NotBefore: notBefore,
	})
	s.errs = append(s.errs, err)
	return a, err
}

// cancel cancels the appointment id, keeping the error for ErrorsNameNoPatient.
func (s *appointmentSuite) cancel(patient, id string, notBefore time.Time) (gp.Appointment, error) {
	a, err := s.sys.Cancel(s.ctx, gp.Cancellation{PatientNHS: patient, AppointmentID: id, Actor: "canceller", NotBefore: notBefore})
	s.errs = append(s.errs, err)
	return a, err
}

// isFree reports whether sl is free, checking that Slot and Slots agree.
func (s *appointmentSuite) isFree(t *testing.T, sl gp.Slot) bool {
	t.Helper()
	got, free, err := s.sys.Slot(s.ctx, s.fx.Practice, sl.ID)
	if err != nil {
		t.Fatalf("Slot(%s): %v", sl.ID, err)
	}
	if diff := cmp.Diff(sl, got); diff != "" {
		t.Errorf("Slot(%s) differs from the listed slot (-listed +got):\n%s", sl.ID, diff)
	}
	listed, err := s.sys.Slots(s.ctx, gp.SlotQuery{Practice: s.fx.Practice, From: sl.Start, To: sl.End})
	if err != nil {
		t.Fatalf("Slots: %v", err)
	}
	inList := slices.ContainsFunc(listed, func(o gp.Slot) bool { return o.ID == sl.ID })
	if inList != free {
		t.Errorf("slot %s: Slot says free=%v, Slots lists it: %v", sl.ID, free, inList)
	}
	return free
}

// futureBooked counts the patient's booked appointments yet to start.
func (s *appointmentSuite) futureBooked(t *testing.T, patient string) int {
	t.Helper()
	list, err := s.sys.Appointments(s.ctx, patient)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range list {
		if a.Status == gp.StatusBooked && a.Slot.Start.After(time.Now()) {
			n++
		}
	}
	return n
}

// needBooked stops a check that needs the Book check's appointment.
func (s *appointmentSuite) needBooked(t *testing.T) {
	t.Helper()
	if s.booked.ID == "" {
		t.Fatal("needs the Book check to pass")
	}
}

func filter(slots []gp.Slot, keep func(gp.Slot) bool) []gp.Slot {
	out := []gp.Slot{}
	for _, s := range slots {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}
