package booking_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/featuretest"
	"github.com/nhs-companion/companion/server/admission"
	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/gp"
)

// held is a booking service with claims and holds of ttl; two of them on
// one Redis stand for two processes.
func held(e *featuretest.Env, limit int, ttl time.Duration) *booking.Service {
	s := service(e, limit)
	s.Claims = booking.NewClaims(e.Redis, "ft:claimed:")
	s.Holds = booking.NewHolds(e.Redis, "ft:hold:", ttl, s.Claims)
	return s
}

// TestAHoldBlocksOthersUntilBookedOrExpired: Amara holds a time on one
// process; on the other, Priya cannot hold or book it and does not see it
// listed, even while the practice is full; Amara books it with her hold
// without queueing. A second hold of Amara's releases her first. A hold
// left alone expires and frees its slot.
func TestAHoldBlocksOthersUntilBookedOrExpired(t *testing.T) {
	e := featuretest.MustStart(t)
	one, other := held(e, 1, time.Minute), held(e, 1, time.Minute)
	ctx := context.Background()
	amara := e.Patient(t, featuretest.Amara, featuretest.Amara, booking.Need)
	priya := e.Patient(t, featuretest.Priya, featuretest.Priya, booking.Need)
	slots, err := one.Find(ctx, amara, booking.SlotQuery{Type: "gp"})
	if err != nil || len(slots) < 3 {
		t.Fatalf("Find: %d slots, %v", len(slots), err)
	}
	first, second := slots[len(slots)-1].ID, slots[len(slots)-2].ID
	h, err := one.Hold(ctx, amara, first)
	if err != nil || h.SlotID != first || h.ID == "" || time.Until(time.UnixMilli(h.Expires)) < 50*time.Second {
		t.Fatalf("hold: %+v %v", h, err)
	}
	if _, err := other.Hold(ctx, priya, first); !errors.Is(err, booking.ErrSlotTaken) {
		t.Errorf("Priya holding Amara's time: %v, want slot_taken", err)
	}
	listed := func(s *booking.Service, who, slot string) bool {
		pat := priya
		if who == "amara" {
			pat = amara
		}
		got, err := s.Find(ctx, pat, booking.SlotQuery{Type: "gp"})
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(got, func(sl api.Slot) bool { return sl.ID == slot })
	}
	if listed(other, "priya", first) || !listed(one, "amara", first) {
		t.Error("a held time is listed to others, or not to its holder")
	}

	// The practice is full from here: Priya's attempt is refused at once,
	// and Amara's booking with her hold does not queue.
	pass, err := one.Admission.Enter(ctx, amara.Diary().Practice(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer pass.Release(ctx)
	if _, err := other.Book(ctx, priya, first, "", booking.Attempt{Key: "p1", Route: "test"}); !errors.Is(err, booking.ErrSlotTaken) {
		t.Errorf("Priya booking Amara's held time: %v, want slot_taken", err)
	}

	// A new hold releases the old one.
	h2, err := one.Hold(ctx, amara, second)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := one.CurrentHold(ctx, amara); !ok {
		t.Fatal("Amara's new hold is not hers")
	}
	roomy := held(e, 10, time.Minute)
	roomy.Admission = admission.New(e.Redis, "ft:admission-roomy:", admission.Options{Limit: 10})
	if !listed(roomy, "priya", first) {
		t.Error("the time Amara held first is still kept from others after her second hold")
	}
	a, err := other.Book(ctx, amara, second, "", booking.Attempt{Key: "a1", Route: "test", Hold: h2.ID})
	if err != nil || a.Slot.ID != second {
		t.Fatalf("Amara booking with her hold while the practice is full: %+v %v", a, err)
	}
	if _, ok, _ := one.CurrentHold(ctx, amara); ok {
		t.Error("the hold outlived its booking")
	}
	if err := one.ReleaseHold(ctx, amara, h2.ID); !errors.Is(err, booking.ErrNoHold) {
		t.Errorf("releasing a hold already used: %v", err)
	}

	// A hold left alone expires.
	brief := held(e, 10, 1500*time.Millisecond)
	if _, err := brief.Hold(ctx, priya, first); err != nil {
		t.Fatal(err)
	}
	if _, err := brief.Hold(ctx, amara, first); !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("a live hold let another hold: %v", err)
	}
	time.Sleep(1700 * time.Millisecond)
	if _, err := brief.Hold(ctx, amara, first); err != nil {
		t.Errorf("after the hold expired: %v", err)
	}
}

// TestConcurrentHoldsOneWinner: 40 people on two processes hold one time at
// once: exactly one gets it.
func TestConcurrentHoldsOneWinner(t *testing.T) {
	e := featuretest.MustStart(t)
	claims := booking.NewClaims(e.Redis, "ft:claimed:")
	procs := []*booking.Holds{booking.NewHolds(e.Redis, "ft:hold:", time.Minute, claims), booking.NewHolds(e.Redis, "ft:hold:", time.Minute, claims)}
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, refused := 0, 0
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := procs[i%2].Place(ctx, "Z00001", fmt.Sprintf("person-%d|patient-%d", i, i), "slot-1")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, booking.ErrSlotTaken):
				refused++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || refused != 39 {
		t.Errorf("%d holds won, %d refused; want 1 and 39", won, refused)
	}
	// A booked (claimed) time cannot be held.
	if err := claims.Add(ctx, "Z00001", "slot-2", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := procs[0].Place(ctx, "Z00001", "someone|p", "slot-2"); !errors.Is(err, booking.ErrSlotTaken) {
		t.Errorf("holding a booked time: %v", err)
	}
}

// slowGP holds every booking at the GP system until told to go on.
type slowGP struct {
	gp.System
	entered chan struct{}
	proceed chan struct{}
}

func (g *slowGP) Book(ctx context.Context, b gp.Booking) (gp.Appointment, error) {
	g.entered <- struct{}{}
	<-g.proceed
	return g.System.Book(ctx, b)
}

// TestNoHoldOnATimeBeingBooked: while Priya's booking (made without a hold)
// is with the GP system, Amara cannot hold that time, so a hold is never
// granted that its booking would then lose; once Priya's booking is
// answered, her time is not held by anyone.
func TestNoHoldOnATimeBeingBooked(t *testing.T) {
	e := featuretest.MustStart(t)
	g := &slowGP{System: e.GP, entered: make(chan struct{}), proceed: make(chan struct{})}
	e.Gate.GP = g
	s := held(e, 10, time.Minute)
	ctx := context.Background()
	amara := e.Patient(t, featuretest.Amara, featuretest.Amara, booking.Need)
	priya := e.Patient(t, featuretest.Priya, featuretest.Priya, booking.Need)
	slots, err := s.Find(ctx, priya, booking.SlotQuery{Type: "gp"})
	if err != nil || len(slots) < 2 {
		t.Fatalf("Find: %d slots, %v", len(slots), err)
	}
	slot := slots[len(slots)-1].ID
	booked := make(chan error, 1)
	go func() {
		_, err := s.Book(ctx, priya, slot, "", booking.Attempt{Key: "p1", Route: "test"})
		booked <- err
	}()
	<-g.entered
	if _, err := s.Hold(ctx, amara, slot); !errors.Is(err, booking.ErrSlotTaken) {
		t.Errorf("Amara holding a time being booked: %v, want slot_taken", err)
	}
	close(g.proceed)
	if err := <-booked; err != nil {
		t.Fatalf("Priya's booking: %v", err)
	}
	if _, ok, err := s.Holds.Of(ctx, priya.Diary().Practice(), booking.HolderOf(priya)); err != nil || ok {
		t.Errorf("Priya's time is still held after booking: %v %v", ok, err)
	}
}

// TestRetryFindsItsBookingPastAnotherHold: Amara's first try booked a time
// in the GP system, but its answer was lost (it was answered unavailable),
// and meanwhile Priya came to hold the time. Amara's retry, the same
// request with its key, is answered with her appointment, not slot_taken;
// a request without a key still is.
func TestRetryFindsItsBookingPastAnotherHold(t *testing.T) {
	e := featuretest.MustStart(t)
	s := held(e, 10, time.Minute)
	ctx := context.Background()
	amara := e.Patient(t, featuretest.Amara, featuretest.Amara, booking.Need)
	priya := e.Patient(t, featuretest.Priya, featuretest.Priya, booking.Need)
	slots, err := s.Find(ctx, amara, booking.SlotQuery{Type: "gp"})
	if err != nil || len(slots) == 0 {
		t.Fatalf("Find: %d slots, %v", len(slots), err)
	}
	slot := slots[len(slots)-1].ID
	if _, err := s.Hold(ctx, priya, slot); err != nil {
		t.Fatal(err)
	}
	made, err := amara.Diary().Book(ctx, slot, "", "a1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Book(ctx, amara, slot, "", booking.Attempt{Key: "a1", Route: "test"})
	if err != nil || a.ID != made.ID {
		t.Errorf("Amara's retry: %+v, %v; want her appointment %s", a, err, made.ID)
	}
	if _, err := s.Book(ctx, amara, slot, "", booking.Attempt{Route: "test"}); !errors.Is(err, booking.ErrSlotTaken) {
		t.Errorf("a request without a key: %v, want slot_taken", err)
	}
}
