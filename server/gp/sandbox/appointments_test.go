package sandbox

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp"
)

// twoProcesses returns two sandbox systems with their own Redis clients on
// one redis-server, as two server processes would have, seeded at now.
func twoProcesses(t *testing.T, now time.Time) (a, b *System) {
	t.Helper()
	srv := redistest.MustStart(t)
	clock := func() time.Time { return now }
	a, b = New(srv.Client(t), "test:", clock), New(srv.Client(t), "test:", clock)
	if err := a.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, b
}

func freeSlots(t *testing.T, s *System, now time.Time, typ gp.SlotType) []gp.Slot {
	t.Helper()
	slots, err := s.Slots(context.Background(), gp.SlotQuery{Practice: PilotPractice, From: now, To: now.AddDate(0, 0, 28), Type: typ})
	if err != nil {
		t.Fatal(err)
	}
	return slots
}

// TestConcurrentBookingsOneWinnerPerSlot: 400 patients on two processes
// each try to book every one of the same 20 slots at once. Each slot goes
// to exactly one of them; everyone else is told ErrSlotTaken; the slot and
// appointment records agree.
func TestConcurrentBookingsOneWinnerPerSlot(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 23, 7, 0, 0, 0, london)
	a, b := twoProcesses(t, now)
	patients, err := a.AddPatients(ctx, PilotPractice, 400)
	if err != nil {
		t.Fatal(err)
	}
	slots := freeSlots(t, a, now, gp.SlotGP)[:20]

	var (
		mu      sync.Mutex
		winners = map[string][]gp.Appointment{} // slot → successful bookings
		wrong   []error
		wg      sync.WaitGroup
	)
	start := make(chan struct{})
	for i, patient := range patients {
		sys := a
		if i%2 == 1 {
			sys = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for j := range slots {
				sl := slots[(i+j)%len(slots)]
				ap, err := sys.Book(ctx, gp.Booking{PatientNHS: patient, PracticeODS: PilotPractice, SlotID: sl.ID, NotBefore: now})
				mu.Lock()
				switch {
				case err == nil:
					winners[sl.ID] = append(winners[sl.ID], ap)
				case !errors.Is(err, gp.ErrSlotTaken):
					wrong = append(wrong, err)
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()

	for _, err := range wrong {
		t.Errorf("refused with %v, want only ErrSlotTaken", err)
	}
	held := map[string]gp.Appointment{} // slot → appointment, from the records
	for _, p := range patients {
		list, err := b.Appointments(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, ap := range list {
			if _, dup := held[ap.Slot.ID]; dup {
				t.Errorf("slot %s held twice", ap.Slot.ID)
			}
			held[ap.Slot.ID] = ap
		}
	}
	for _, sl := range slots {
		w := winners[sl.ID]
		if len(w) != 1 {
			t.Errorf("slot %s booked %d times, want once", sl.ID, len(w))
			continue
		}
		if diff := cmp.Diff(w[0], held[sl.ID]); diff != "" {
			t.Errorf("slot %s: booking and stored appointment differ (-booked +stored):\n%s", sl.ID, diff)
		}
		holder, err := a.rdb.HGet(ctx, a.slotKey(PilotPractice, sl.ID), "appt").Result()
		if err != nil || holder != w[0].ID {
			t.Errorf("slot %s record names %q (%v), want appointment %s", sl.ID, holder, err, w[0].ID)
		}
		if _, free, err := b.Slot(ctx, PilotPractice, sl.ID); err != nil || free {
			t.Errorf("slot %s: free=%v, %v after booking", sl.ID, free, err)
		}
	}
	if len(held) != len(slots) {
		t.Errorf("%d appointments stored, want %d", len(held), len(slots))
	}
}

// TestConcurrentBookingsKeepTheLimit: one patient books many different
// slots at once from two processes; the limit holds.
func TestConcurrentBookingsKeepTheLimit(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 23, 7, 0, 0, 0, london)
	a, b := twoProcesses(t, now)
	slots := freeSlots(t, a, now, "")[:60]
	var (
		mu     sync.Mutex
		ok     int
		wrong  []error
		wg     sync.WaitGroup
		starts = make(chan struct{})
	)
	for i, sl := range slots {
		sys := a
		if i%2 == 1 {
			sys = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-starts
			_, err := sys.Book(ctx, gp.Booking{PatientNHS: "9990000018", PracticeODS: PilotPractice, SlotID: sl.ID, Limit: 2, NotBefore: now})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, gp.ErrBookingLimit):
				wrong = append(wrong, err)
			}
		}()
	}
	close(starts)
	wg.Wait()
	if ok != 2 {
		t.Errorf("%d bookings succeeded, want 2", ok)
	}
	for _, err := range wrong {
		t.Errorf("refused with %v, want only ErrBookingLimit", err)
	}
	list, err := a.Appointments(ctx, "9990000018")
	if err != nil || len(list) != 2 {
		t.Errorf("appointments: %d, %v; want 2", len(list), err)
	}
	if n := len(freeSlots(t, b, now, "")); n != len(freeSlots(t, a, now, "")) {
		t.Errorf("the two processes disagree on free slots")
	}
}

func TestBookAndCancelRules(t *testing.T) {
	ctx := context.Background()
	clock := &clockFunc{t: time.Date(2026, 3, 23, 7, 0, 0, 0, london)}
	srv := redistest.MustStart(t)
	s := New(srv.Client(t), "test:", clock.now)
	if err := s.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	slots := freeSlots(t, s, clock.now(), gp.SlotNurse)
	soon, later := slots[0], slots[1]
	amara := "9990000018"
	for _, tc := range []struct {
		name string
		b    gp.Booking
		want error
	}{
		{"slot of another practice", gp.Booking{PatientNHS: amara, PracticeODS: NonPilotPractice, SlotID: soon.ID}, gp.ErrNotFound},
		{"unknown practice", gp.Booking{PatientNHS: amara, PracticeODS: "NOPE99", SlotID: soon.ID}, gp.ErrNotFound},
		{"patient of another practice", gp.Booking{PatientNHS: "9990000050", PracticeODS: PilotPractice, SlotID: soon.ID}, gp.ErrNotFound},
		{"inside the cut-off", gp.Booking{PatientNHS: amara, PracticeODS: PilotPractice, SlotID: soon.ID, NotBefore: soon.Start.Add(time.Second)}, gp.ErrTooLate},
		{"no limit", gp.Booking{PatientNHS: amara, PracticeODS: PilotPractice, SlotID: soon.ID, Limit: 0}, nil},
		{"taken", gp.Booking{PatientNHS: "9990000034", PracticeODS: PilotPractice, SlotID: soon.ID}, gp.ErrSlotTaken},
		{"at the limit", gp.Booking{PatientNHS: amara, PracticeODS: PilotPractice, SlotID: later.ID, Limit: 1}, gp.ErrBookingLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Book(ctx, tc.b)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}

	list, err := s.Appointments(ctx, amara)
	if err != nil || len(list) != 1 {
		t.Fatalf("appointments %+v, %v", list, err)
	}
	ap := list[0]
	if !regexp.MustCompile(`^[a-z2-7]{26}$`).MatchString(ap.ID) {
		t.Errorf("appointment ID %q is not 128 random bits in lower-case base32", ap.ID)
	}

	// Once the slot has started, the appointment can neither be cancelled
	// nor its slot offered again.
	clock.set(soon.Start.Add(time.Minute))
	if _, err := s.Cancel(ctx, gp.Cancellation{PatientNHS: amara, AppointmentID: ap.ID}); !errors.Is(err, gp.ErrTooLate) {
		t.Errorf("cancelling a started appointment: got %v, want ErrTooLate", err)
	}
	// And a past slot cannot be booked, cut-off or not.
	if _, err := s.Book(ctx, gp.Booking{PatientNHS: "9990000034", PracticeODS: PilotPractice, SlotID: soon.ID}); !errors.Is(err, gp.ErrTooLate) {
		t.Errorf("booking a started slot: got %v, want ErrTooLate", err)
	}
	// A past appointment no longer counts towards the limit.
	if _, err := s.Book(ctx, gp.Booking{PatientNHS: amara, PracticeODS: PilotPractice, SlotID: later.ID, Limit: 1}); err != nil {
		t.Errorf("booking after the earlier appointment passed: %v", err)
	}
}
