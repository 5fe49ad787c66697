package booking_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/featuretest"
	"github.com/nhs-companion/companion/server/admission"
	"github.com/nhs-companion/companion/server/booking"
)

// TestLosersLearnAtOnce: once a slot is booked, another attempt at it is
// answered slot_taken (audited) without a place in the admission queue,
// even while the practice is full; the slot leaves every list at once,
// before the slot cache is read again; the winner's retry with the same key
// still gets the booking; a cancellation frees the slot for the next person.
func TestLosersLearnAtOnce(t *testing.T) {
	e := featuretest.MustStart(t)
	s := service(e, 1)
	s.Claims = booking.NewClaims(e.Redis, "ft:claimed:")
	ctx := context.Background()
	amara := e.Patient(t, featuretest.Amara, featuretest.Amara, booking.Need)
	priya := e.Patient(t, featuretest.Priya, featuretest.Priya, booking.Need)
	slots, err := s.Find(ctx, amara, booking.SlotQuery{Type: "gp"})
	if err != nil || len(slots) < 2 {
		t.Fatalf("Find: %d slots, %v", len(slots), err)
	}
	slot := slots[len(slots)-1].ID
	won, err := s.Book(ctx, amara, slot, "", booking.Attempt{Key: "amara-1", Route: "test"})
	if err != nil {
		t.Fatal(err)
	}

	// The practice is full: anyone who needs the queue is queued.
	pass, err := s.Admission.Enter(ctx, amara.Diary().Practice(), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Book(ctx, priya, slot, "", booking.Attempt{Key: "priya-1", Route: "test"})
	if !errors.Is(err, booking.ErrSlotTaken) || errors.Is(err, booking.ErrQueued) {
		t.Errorf("an attempt at a booked slot while the practice is full: %v, want slot_taken at once", err)
	}
	if n := len(e.Audit.Events); n == 0 || e.Audit.Events[n-1].Action != "book" || e.Audit.Events[n-1].Reason != "slot_taken" {
		t.Errorf("the refusal is not audited: %+v", e.Audit.Events)
	}
	again, err := s.Book(ctx, amara, slot, "", booking.Attempt{Key: "amara-1", Route: "test"})
	if err != nil || again.ID != won.ID {
		t.Errorf("the winner's retry: %v %v, want %s", again.ID, err, won.ID)
	}
	if _, err := s.Book(ctx, priya, slots[0].ID, "", booking.Attempt{Key: "priya-2", Route: "test"}); !errors.Is(err, booking.ErrQueued) {
		t.Errorf("an attempt that can still win: %v, want queued", err)
	}
	pass.Release(ctx)
	// Priya's queued attempt keeps its place ahead of anyone new: list from
	// here on through a gate with room.
	s.Admission = admission.New(e.Redis, "ft:admission-roomy:", admission.Options{Limit: 10})

	// The cache still holds the list from before the booking (TTL 1 s,
	// invalidated, then refilled here): the booked slot is not in it.
	listed := func() bool {
		got, err := s.Find(ctx, priya, booking.SlotQuery{Type: "gp"})
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(got, func(sl api.Slot) bool { return sl.ID == slot })
	}
	if listed() {
		t.Error("the booked slot is still offered")
	}
	if _, err := s.Cancel(ctx, amara, won.ID); err != nil {
		t.Fatal(err)
	}
	if !listed() {
		t.Error("the cancelled slot is not offered again")
	}
	if _, err := s.Book(ctx, priya, slot, "", booking.Attempt{Key: "priya-3", Route: "test"}); err != nil {
		t.Errorf("booking the freed slot: %v", err)
	}
}

// TestClaimsExpire: a claim counts for ten minutes, so a slot freed in the
// GP system itself is offered again; a claim read back keeps its start.
func TestClaimsExpire(t *testing.T) {
	e := featuretest.MustStart(t)
	c := booking.NewClaims(e.Redis, "ft:claimed:")
	ctx := context.Background()
	start := time.Now().Add(48 * time.Hour).Truncate(time.Millisecond)
	if err := c.Add(ctx, "Z00001", "s1", start); err != nil {
		t.Fatal(err)
	}
	taken, at, err := c.Taken(ctx, "Z00001", "s1")
	if err != nil || !taken || !at.Equal(start) {
		t.Fatalf("Taken: %v %v %v", taken, at, err)
	}
	if taken, _, _ := c.Taken(ctx, "Z00002", "s1"); taken {
		t.Error("a claim at one practice counts at another")
	}
	booking.ClaimClock(c, func() time.Time { return time.Now().Add(11 * time.Minute) })
	if taken, _, _ := c.Taken(ctx, "Z00001", "s1"); taken {
		t.Error("a claim older than ten minutes still counts")
	}
	if all, err := c.All(ctx, "Z00001"); err != nil || len(all) != 0 {
		t.Errorf("All after expiry: %v %v", all, err)
	}
}
