package notify

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// TestQueueOnTheSandboxRedis runs the queue's scripts on miniredis, the
// sandbox's default store: a job is due once, claimed by one worker for a
// lease, due again when the lease runs out, and gone when done.
func TestQueueOnTheSandboxRedis(t *testing.T) {
	mr := miniredis.RunT(t)
	q := NewQueue(redis.NewClient(&redis.Options{Addr: mr.Addr()}), "t:")
	ctx := context.Background()
	t0 := time.UnixMilli(1_800_000_000_000)
	j := Job{ID: "a", Type: jobEvent, Event: Event{Kind: Message, Key: "1"}}
	if err := q.Add(ctx, j, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := q.Add(ctx, Job{ID: "a", Type: jobEvent, Event: Event{Kind: Message, Key: "2"}}, t0); err != nil {
		t.Fatal(err)
	}
	if got, _ := q.Claim(ctx, t0, 10); len(got) != 0 {
		t.Fatalf("claimed before due (or Add replaced a queued job): %+v", got)
	}
	got, err := q.Claim(ctx, t0.Add(time.Second), 10)
	if err != nil || len(got) != 1 || got[0].Event.Key != "1" {
		t.Fatalf("claim: %v %+v", err, got)
	}
	if again, _ := q.Claim(ctx, t0.Add(2*time.Second), 10); len(again) != 0 {
		t.Fatalf("claimed twice within the lease: %+v", again)
	}
	later := t0.Add(time.Second + q.Lease)
	if again, _ := q.Claim(ctx, later, 10); len(again) != 1 {
		t.Fatalf("not due again after the lease: %+v", again)
	}
	j.Attempt = 1
	if err := q.Again(ctx, j, later.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if next, ok, _ := q.Next(ctx); !ok || !next.Equal(later.Add(time.Minute)) {
		t.Errorf("next %v %v", next, ok)
	}
	got, _ = q.Claim(ctx, later.Add(time.Minute), 10)
	if len(got) != 1 || got[0].Attempt != 1 {
		t.Fatalf("retried job %+v", got)
	}
	if err := q.Done(ctx, got[0]); err != nil {
		t.Fatal(err)
	}
	if n, _ := q.Len(ctx); n != 0 {
		t.Errorf("%d jobs left", n)
	}
}

func TestQuietHours(t *testing.T) {
	uk := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, ukLoc(t)) }
	for _, c := range []struct {
		at, until time.Time
	}{
		{uk(12, 4, 21, 59), time.Time{}},
		{uk(12, 4, 22, 0), uk(12, 5, 6, 0)},
		{uk(12, 5, 3, 0), uk(12, 5, 6, 0)},
		{uk(12, 5, 6, 0), time.Time{}},
		{uk(3, 28, 23, 30), uk(3, 29, 6, 0)},     // the clocks go forward overnight
		{uk(7, 1, 22, 30).UTC(), uk(7, 2, 6, 0)}, // summer time, asked in UTC
	} {
		if got := quietUntil(c.at); !got.Equal(c.until) {
			t.Errorf("quietUntil(%s) = %s, want %s", c.at, got, c.until)
		}
	}
}

func ukLoc(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return l
}
