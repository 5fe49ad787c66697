package gptest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nhs-companion/companion/server/gp"
)

// unregistered is a valid test-range NHS number no adapter registers.
const unregistered = "9999999999"

// runAppointments checks the diary part of the port. Each booking takes a
// slot of its own from a pool, so the checks cannot disturb each other.
func runAppointments(t *testing.T, sys gp.System, fx Fixture) {
	ctx := context.Background()
	if fx.OtherPatient == "" || fx.Elsewhere == "" {
		t.Fatal("Fixture needs OtherPatient and Elsewhere for the appointments contract")
	}
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
	pool := slices.Clone(all)
	take := func(t *testing.T) gp.Slot {
		t.Helper()
		if len(pool) == 0 {
			t.Fatal("out of slots")
		}
		sl := pool[0]
		pool = pool[1:]
		return sl
	}
	var errs []error // every error the port returns, checked for NHS numbers
	book := func(patient string, sl gp.Slot, limit int, notBefore time.Time) (gp.Appointment, error) {
		a, err := sys.Book(ctx, gp.Booking{
			PatientNHS: patient, PracticeODS: fx.Practice, SlotID: sl.ID, Reason: "Contract check",
			Actor: "actor-" + patient[len(patient)-3:], Limit: limit, NotBefore: notBefore,
		})
		errs = append(errs, err)
		return a, err
	}
	cancel := func(patient, id string, notBefore time.Time) (gp.Appointment, error) {
		a, err := sys.Cancel(ctx, gp.Cancellation{PatientNHS: patient, AppointmentID: id, Actor: "canceller", NotBefore: notBefore})
		errs = append(errs, err)
		return a, err
	}
	isFree := func(t *testing.T, sl gp.Slot) bool {
		t.Helper()
		got, free, err := sys.Slot(ctx, fx.Practice, sl.ID)
		if err != nil {
			t.Fatalf("Slot(%s): %v", sl.ID, err)
		}
		if diff := cmp.Diff(sl, got); diff != "" {
			t.Errorf("Slot(%s) differs from the listed slot (-listed +got):\n%s", sl.ID, diff)
		}
		listed, err := sys.Slots(ctx, gp.SlotQuery{Practice: fx.Practice, From: sl.Start, To: sl.End})
		if err != nil {
			t.Fatalf("Slots: %v", err)
		}
		inList := slices.ContainsFunc(listed, func(o gp.Slot) bool { return o.ID == sl.ID })
		if inList != free {
			t.Errorf("slot %s: Slot says free=%v, Slots lists it: %v", sl.ID, free, inList)
		}
		return free
	}
	futureBooked := func(t *testing.T, patient string) int {
		t.Helper()
		list, err := sys.Appointments(ctx, patient)
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

	t.Run("BookingRules", func(t *testing.T) {
		p, err := sys.Practice(ctx, fx.Practice)
		if err != nil {
			t.Fatal(err)
		}
		if p.Booking.ReasonMax <= 0 || p.Booking.BookCutoff < 0 || p.Booking.CancelCutoff < 0 {
			t.Errorf("Practice: implausible booking rules %+v", p.Booking)
		}
	})

	t.Run("Clinicians", func(t *testing.T) {
		cs, err := sys.Clinicians(ctx, fx.Practice)
		if err != nil || len(cs) == 0 {
			t.Fatalf("Clinicians: %v, %v", cs, err)
		}
		byID := map[string]gp.Clinician{}
		for _, c := range cs {
			if c.ID == "" || c.Name == "" || c.Role == "" {
				t.Errorf("incomplete clinician %+v", c)
			}
			byID[c.ID] = c
		}
		for _, sl := range all {
			if diff := cmp.Diff(byID[sl.Clinician.ID], sl.Clinician); diff != "" {
				t.Fatalf("slot %s: clinician not as listed (-listed +slot):\n%s", sl.ID, diff)
			}
		}
		if _, err := sys.Clinicians(ctx, "NOPE99"); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("Clinicians(NOPE99): got %v, want ErrNotFound", err)
		}
	})

	t.Run("SlotsInRangeOrderedFree", func(t *testing.T) {
		for i, sl := range all {
			if sl.ID == "" || sl.PracticeODS != fx.Practice || sl.Type == "" || sl.Mode == "" || !sl.End.After(sl.Start) {
				t.Errorf("incomplete slot %+v", sl)
			}
			if sl.Start.Before(from) || !sl.Start.Before(to) {
				t.Errorf("slot %s starts %v, outside [%v, %v)", sl.ID, sl.Start, from, to)
			}
			if i > 0 && sl.Start.Before(all[i-1].Start) {
				t.Errorf("slot %s out of order", sl.ID)
			}
		}
		// A narrower window is the matching part of the wider one.
		dayFrom := all[len(all)/2].Start
		dayTo := dayFrom.Add(24 * time.Hour)
		got, err := sys.Slots(ctx, gp.SlotQuery{Practice: fx.Practice, From: dayFrom, To: dayTo})
		if err != nil {
			t.Fatal(err)
		}
		want := filter(all, func(s gp.Slot) bool { return !s.Start.Before(dayFrom) && s.Start.Before(dayTo) })
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Slots over one day (-want +got):\n%s", diff)
		}
		if _, err := sys.Slots(ctx, gp.SlotQuery{Practice: fx.Practice}); err == nil {
			t.Error("Slots with no From and To: no error, want one")
		}
		if _, err := sys.Slots(ctx, gp.SlotQuery{Practice: "NOPE99", From: from, To: to}); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("Slots(NOPE99): got %v, want ErrNotFound", err)
		}
	})

	t.Run("SlotsFiltered", func(t *testing.T) {
		type filterCase struct {
			name  string
			q     gp.SlotQuery
			match func(gp.Slot) bool
		}
		var cases []filterCase
		seen := map[string]bool{}
		for _, sl := range all {
			if k := "type=" + string(sl.Type); !seen[k] {
				seen[k] = true
				typ := sl.Type
				cases = append(cases, filterCase{k, gp.SlotQuery{Type: typ}, func(s gp.Slot) bool { return s.Type == typ }})
			}
			if k := "mode=" + string(sl.Mode); !seen[k] {
				seen[k] = true
				mode := sl.Mode
				cases = append(cases, filterCase{k, gp.SlotQuery{Mode: mode}, func(s gp.Slot) bool { return s.Mode == mode }})
			}
			if k := "clinician=" + sl.Clinician.ID; !seen[k] {
				seen[k] = true
				id, typ := sl.Clinician.ID, sl.Type
				cases = append(cases, filterCase{k + "," + string(typ), gp.SlotQuery{ClinicianID: id, Type: typ},
					func(s gp.Slot) bool { return s.Clinician.ID == id && s.Type == typ }})
			}
		}
		cases = append(cases, filterCase{"no such type", gp.SlotQuery{Type: "no_such_type"}, func(gp.Slot) bool { return false }})
		if len(cases) < 4 {
			t.Errorf("only %d distinct filters in the practice's slots; want types, modes and clinicians to vary", len(cases))
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				q := c.q
				q.Practice, q.From, q.To = fx.Practice, from, to
				got, err := sys.Slots(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(filter(all, c.match), got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("Slots(%+v) (-want +got):\n%s", c.q, diff)
				}
			})
		}
	})

	var booked gp.Appointment
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
		booked = a
	})
	needBooked := func(t *testing.T) {
		t.Helper()
		if booked.ID == "" {
			t.Fatal("needs the Book check to pass")
		}
	}

	t.Run("BookTakenSlot", func(t *testing.T) {
		needBooked(t)
		for _, p := range []string{fx.OtherPatient, fx.Patient} {
			if _, err := book(p, booked.Slot, 0, time.Now()); !errors.Is(err, gp.ErrSlotTaken) {
				t.Errorf("second booking of a slot: got %v, want ErrSlotTaken", err)
			}
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

	t.Run("CancelNotFound", func(t *testing.T) {
		needBooked(t)
		for _, c := range []struct{ name, patient, id string }{
			{"another patient's", fx.OtherPatient, booked.ID},
			{"unregistered patient", unregistered, booked.ID},
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
		if _, err := cancel(fx.Patient, booked.ID, booked.Slot.Start.Add(time.Minute)); !errors.Is(err, gp.ErrTooLate) {
			t.Errorf("cancelling inside the cut-off: got %v, want ErrTooLate", err)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		needBooked(t)
		a, err := cancel(fx.Patient, booked.ID, time.Now())
		if err != nil {
			t.Fatalf("Cancel: %v", err)
		}
		want := booked
		want.Status, want.CancelledAt, want.CancelledBy = gp.StatusCancelled, a.CancelledAt, "canceller"
		if diff := cmp.Diff(want, a); diff != "" {
			t.Errorf("Cancel (-want +got):\n%s", diff)
		}
		if a.CancelledAt.IsZero() {
			t.Error("Cancel: no cancellation time")
		}
		if !isFree(t, booked.Slot) {
			t.Errorf("cancelled slot %s not free again", booked.Slot.ID)
		}
		list, err := sys.Appointments(ctx, fx.Patient)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(list, func(o gp.Appointment) bool { return o.ID == a.ID })
		if i < 0 || list[i].Status != gp.StatusCancelled {
			t.Errorf("Appointments: cancelled appointment missing or not cancelled")
		}
		if _, err := cancel(fx.Patient, booked.ID, time.Now()); !errors.Is(err, gp.ErrAlreadyCancelled) {
			t.Errorf("cancelling twice: got %v, want ErrAlreadyCancelled", err)
		}
		if _, err := book(fx.OtherPatient, booked.Slot, 0, time.Now()); err != nil {
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

	t.Run("ErrorsNameNoPatient", func(t *testing.T) {
		for _, err := range errs {
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

func filter(slots []gp.Slot, keep func(gp.Slot) bool) []gp.Slot {
	out := []gp.Slot{}
	for _, s := range slots {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}
