package gptest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// reschedule moves the appointment id to sl, keeping the error for
// ErrorsNameNoPatient.
func (s *appointmentSuite) reschedule(patient, id string, sl gp.Slot, cancelFrom, notBefore time.Time) (gp.Appointment, error) {
	a, err := s.sys.Reschedule(s.ctx, gp.Move{PatientNHS: patient, AppointmentID: id, SlotID: sl.ID, Actor: "mover",
		CancelFrom: cancelFrom, NotBefore: notBefore})
	s.errs = append(s.errs, err)
	return a, err
}

// checkRescheduling checks moving an appointment to another slot: one
// atomic step that keeps the appointment's ID and reason, and that leaves
// everything as it was when it is refused.
func (s *appointmentSuite) checkRescheduling(t *testing.T) {
	fx, take, book, isFree := s.fx, s.take, s.book, s.isFree
	now := time.Now
	bookNew := func(t *testing.T, patient string) gp.Appointment {
		t.Helper()
		a, err := book(patient, take(t), 0, now())
		if err != nil {
			t.Fatalf("Book: %v", err)
		}
		return a
	}
	// unmoved checks a refused move changed nothing.
	unmoved := func(t *testing.T, patient string, was gp.Appointment, target gp.Slot, targetFree bool) {
		t.Helper()
		list, err := s.sys.Appointments(s.ctx, patient)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(list, func(o gp.Appointment) bool { return o.ID == was.ID })
		if i < 0 || list[i].Slot.ID != was.Slot.ID || list[i].Status != was.Status || list[i].Sequence != was.Sequence {
			t.Errorf("a refused move changed the appointment: %+v, was %+v", list, was)
		}
		if was.Status == gp.StatusBooked && isFree(t, was.Slot) {
			t.Errorf("a refused move freed the appointment's slot %s", was.Slot.ID)
		}
		if isFree(t, target) != targetFree {
			t.Errorf("a refused move changed slot %s", target.ID)
		}
	}

	t.Run("Reschedule", func(t *testing.T) {
		a := bookNew(t, fx.Patient)
		to := take(t)
		moved, err := s.reschedule(fx.Patient, a.ID, to, now(), now())
		if err != nil {
			t.Fatalf("Reschedule: %v", err)
		}
		if moved.ID != a.ID || moved.Slot != to || moved.Reason != a.Reason || moved.Status != gp.StatusBooked ||
			moved.Sequence != a.Sequence+1 || moved.MovedBy != "mover" || moved.BookedBy != a.BookedBy {
			t.Errorf("Reschedule: got %+v, want %s on %s with its reason, sequence %d", moved, a.ID, to.ID, a.Sequence+1)
		}
		if isFree(t, to) {
			t.Errorf("the new slot %s is still free", to.ID)
		}
		if !isFree(t, a.Slot) {
			t.Errorf("the old slot %s was not freed", a.Slot.ID)
		}
		list, err := s.sys.Appointments(s.ctx, fx.Patient)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(slices.DeleteFunc(list, func(o gp.Appointment) bool { return o.ID != a.ID || o.Slot.ID != to.ID })); n != 1 {
			t.Errorf("Appointments: the moved appointment listed %d times on its new slot", n)
		}
		again, err := s.reschedule(fx.Patient, a.ID, to, now(), now())
		if err != nil || again.Slot.ID != to.ID || again.Sequence != moved.Sequence {
			t.Errorf("repeating the move: %+v, %v; want it answered as it stands", again, err)
		}
		if _, err := book(fx.OtherPatient, a.Slot, 0, now()); err != nil {
			t.Errorf("booking the slot a move freed: %v", err)
		}
	})

	t.Run("RescheduleRefused", func(t *testing.T) {
		a := bookNew(t, fx.Patient)
		other := bookNew(t, fx.OtherPatient)
		free := take(t)
		for _, c := range []struct {
			name                  string
			patient, id           string
			to                    gp.Slot
			cancelFrom, notBefore time.Time
			want                  error
			toFree                bool
		}{
			{"to a booked slot", fx.Patient, a.ID, other.Slot, now(), now(), gp.ErrSlotTaken, false},
			{"inside the appointment's cut-off", fx.Patient, a.ID, free, a.Slot.Start.Add(time.Minute), now(), gp.ErrTooLate, true},
			{"to a slot inside the booking cut-off", fx.Patient, a.ID, free, now(), free.Start.Add(time.Minute), gp.ErrTooLate, true},
			{"another patient's appointment", fx.OtherPatient, a.ID, free, now(), now(), gp.ErrNotFound, true},
			{"an unregistered patient", unregistered, a.ID, free, now(), now(), gp.ErrNotFound, true},
			{"an unknown appointment", fx.Patient, "no-such-appointment", free, now(), now(), gp.ErrNotFound, true},
			{"to an unknown slot", fx.Patient, a.ID, gp.Slot{ID: "no-such-slot"}, now(), now(), gp.ErrNotFound, false},
		} {
			if _, err := s.reschedule(c.patient, c.id, c.to, c.cancelFrom, c.notBefore); !errors.Is(err, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			}
			if c.to.ID != "no-such-slot" {
				unmoved(t, fx.Patient, a, c.to, c.toFree)
			}
		}
		cancelled, err := s.cancel(fx.Patient, a.ID, now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.reschedule(fx.Patient, a.ID, free, now(), now()); !errors.Is(err, gp.ErrAlreadyCancelled) {
			t.Errorf("moving a cancelled appointment: got %v, want ErrAlreadyCancelled", err)
		}
		unmoved(t, fx.Patient, cancelled, free, true)
	})

	t.Run("RescheduleRace", func(t *testing.T) {
		mine, theirs := bookNew(t, fx.Patient), bookNew(t, fx.OtherPatient)
		to := take(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, c := range []struct {
			patient string
			a       gp.Appointment
		}{{fx.Patient, mine}, {fx.OtherPatient, theirs}} {
			wg.Go(func() {
				_, errs[i] = s.sys.Reschedule(s.ctx, gp.Move{PatientNHS: c.patient, AppointmentID: c.a.ID, SlotID: to.ID})
			})
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, gp.ErrSlotTaken):
				t.Errorf("move %d: %v, want success or ErrSlotTaken", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of two moves to one slot won, want exactly one", won)
		}
		loser, patient := mine, fx.Patient
		if errs[0] == nil {
			loser, patient = theirs, fx.OtherPatient
		}
		unmoved(t, patient, loser, to, false)
	})
}
