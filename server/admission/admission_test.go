package admission

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nhs-companion/companion/internal/redistest"
)

const practice = "Z00001"

func mustEnter(tb testing.TB, g *Gate, ticket string) *Pass {
	tb.Helper()
	p, err := g.Enter(context.Background(), practice, ticket)
	if err != nil {
		tb.Fatalf("Enter(%q): %v, want admitted", ticket, err)
	}
	if p.Unguarded != nil {
		tb.Fatalf("Enter(%q): unguarded: %v", ticket, p.Unguarded)
	}
	return p
}

func mustQueue(tb testing.TB, g *Gate, ticket string) *Queued {
	tb.Helper()
	p, err := g.Enter(context.Background(), practice, ticket)
	var q *Queued
	if !errors.As(err, &q) {
		tb.Fatalf("Enter(%q): pass %v, err %v; want *Queued", ticket, p, err)
	}
	return q
}

func TestConcurrencyNeverExceedsLimit(t *testing.T) {
	srv := redistest.MustStart(t)
	opt := Options{Limit: 5, Hold: 10 * time.Second, TicketTTL: 2 * time.Second, RetryAfter: 2 * time.Second}
	gates := []*Gate{New(srv.Client(t), "test", opt), New(srv.Client(t), "test", opt)}

	var inside, most, admitted atomic.Int64
	var queuedOnce atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 200 {
		g := gates[i%2]
		wg.Go(func() {
			<-start
			ctx := context.Background()
			ticket := ""
			for {
				p, err := g.Enter(ctx, practice, ticket)
				var q *Queued
				if errors.As(err, &q) {
					if ticket == "" {
						queuedOnce.Add(1)
					}
					ticket = q.Ticket
					// Real clients wait q.RetryAfter; the test polls faster.
					time.Sleep(time.Duration(3+rand.IntN(5)) * time.Millisecond)
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				if p.Unguarded != nil {
					t.Error(p.Unguarded)
				}
				n := inside.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(2 * time.Millisecond)
				inside.Add(-1)
				if err := p.Release(ctx); err != nil {
					t.Error(err)
				}
				admitted.Add(1)
				return
			}
		})
	}
	begin := time.Now()
	close(start)
	wg.Wait()
	t.Logf("200 requests through Limit 5 in %v; at most %d inside; %d were queued", time.Since(begin), most.Load(), queuedOnce.Load())
	if m := most.Load(); m > 5 {
		t.Fatalf("%d inside at once, want at most 5", m)
	}
	if m := most.Load(); m < 3 {
		t.Errorf("at most %d inside at once: capacity left idle", m)
	}
	if n := admitted.Load(); n != 200 {
		t.Fatalf("%d of 200 admitted", n)
	}
}

// Whatever order waiters come back in, freed places go to tickets in the
// order they were issued, and newcomers join the back.
func TestAdmitsInArrivalOrder(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 2})
	holders := []*Pass{mustEnter(t, g, ""), mustEnter(t, g, "")}

	var waiting []string // tickets, oldest first
	for i := range 6 {
		q := mustQueue(t, g, "")
		if q.Position != i+1 {
			t.Fatalf("ticket %d: position %d, want %d", i, q.Position, i+1)
		}
		waiting = append(waiting, q.Ticket)
	}
	issued := append([]string(nil), waiting...)

	var order []string
	for len(waiting) > 0 {
		if err := holders[0].Release(t.Context()); err != nil {
			t.Fatal(err)
		}
		holders = holders[1:]
		if len(order) < 3 {
			// A newcomer cannot take the freed place.
			q := mustQueue(t, g, "")
			if q.Position != len(waiting)+1 {
				t.Fatalf("newcomer: position %d, want %d (the back)", q.Position, len(waiting)+1)
			}
			waiting = append(waiting, q.Ticket)
			issued = append(issued, q.Ticket)
		}
		head := waiting[0]
		retry := append([]string(nil), waiting...)
		rand.Shuffle(len(retry), func(i, j int) { retry[i], retry[j] = retry[j], retry[i] })
		for _, ticket := range retry {
			p, err := g.Enter(t.Context(), practice, ticket)
			if err == nil {
				if ticket != head {
					t.Fatalf("ticket %d admitted before the head of the queue", indexOf(issued, ticket))
				}
				order = append(order, ticket)
				holders = append(holders, p)
				continue
			}
			var q *Queued
			if !errors.As(err, &q) {
				t.Fatal(err)
			}
			if q.Ticket != ticket {
				t.Fatalf("a live ticket was replaced")
			}
		}
		if len(order) == 0 || order[len(order)-1] != head {
			t.Fatalf("the head of the queue was not admitted")
		}
		waiting = waiting[1:]
	}
	if diff := cmp.Diff(issued, order); diff != "" {
		t.Fatalf("admission order (-issued +admitted):\n%s", diff)
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// With several places free, each of the earliest waiters may take one (in
// whatever order they come back), but nobody behind them may.
func TestFreePlacesAreReservedForTheEarliest(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 2})
	a, b := mustEnter(t, g, ""), mustEnter(t, g, "")
	first, second, third := mustQueue(t, g, ""), mustQueue(t, g, ""), mustQueue(t, g, "")
	a.Release(t.Context())
	b.Release(t.Context())
	if q := mustQueue(t, g, third.Ticket); q.Position != 3 {
		t.Fatalf("third waiter: position %d, want 3 and not admitted", q.Position)
	}
	mustQueue(t, g, "") // nor a newcomer
	mustEnter(t, g, second.Ticket)
	mustEnter(t, g, first.Ticket)
	if q := mustQueue(t, g, third.Ticket); q.Position != 1 {
		t.Fatalf("third waiter: position %d, want 1", q.Position)
	}
}

// TestLeavingMovesTheQueueUp: a waiter who no longer needs a place leaves,
// and the one behind is admitted at once rather than after the ticket's
// expiry; leaving twice, or with no ticket, does nothing.
func TestLeavingMovesTheQueueUp(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 1})
	a := mustEnter(t, g, "")
	first, second := mustQueue(t, g, ""), mustQueue(t, g, "")
	a.Release(t.Context())
	if q := mustQueue(t, g, second.Ticket); q.Position != 2 {
		t.Fatalf("second waiter: position %d, want 2", q.Position)
	}
	for _, ticket := range []string{first.Ticket, first.Ticket, ""} {
		if err := g.Leave(t.Context(), practice, ticket); err != nil {
			t.Fatal(err)
		}
	}
	mustEnter(t, g, second.Ticket)
}

func TestPositions(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 1, RetryAfter: 3 * time.Second})
	holder := mustEnter(t, g, "")

	var tickets []string
	for i := range 3 {
		q := mustQueue(t, g, "")
		want := &Queued{Ticket: q.Ticket, Position: i + 1, Ahead: i, RetryAfter: 3 * time.Second}
		if diff := cmp.Diff(want, q); diff != "" {
			t.Fatalf("arrival %d (-want +got):\n%s", i, diff)
		}
		if len(q.Ticket) < 22 {
			t.Fatalf("ticket %q is too short to be unguessable", q.Ticket)
		}
		tickets = append(tickets, q.Ticket)
	}
	if tickets[0] == tickets[1] || tickets[1] == tickets[2] {
		t.Fatal("tickets repeat")
	}

	tests := []struct {
		name      string
		ticket    string
		wantPos   int
		newTicket bool
	}{
		{"retry keeps its place (last)", tickets[2], 3, false},
		{"retry keeps its place (first)", tickets[0], 1, false},
		{"retry keeps its place (middle)", tickets[1], 2, false},
		{"unknown ticket joins the back", "forged-ticket", 4, true},
	}
	for _, tt := range tests {
		q := mustQueue(t, g, tt.ticket)
		if q.Position != tt.wantPos || q.Ahead != tt.wantPos-1 {
			t.Errorf("%s: position %d ahead %d, want %d and %d", tt.name, q.Position, q.Ahead, tt.wantPos, tt.wantPos-1)
		}
		if got := q.Ticket != tt.ticket; got != tt.newTicket {
			t.Errorf("%s: new ticket %v, want %v", tt.name, got, tt.newTicket)
		}
	}

	// The head leaves: everyone moves up.
	if err := holder.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustEnter(t, g, tickets[0])
	if q := mustQueue(t, g, tickets[2]); q.Position != 2 || q.Ahead != 1 {
		t.Errorf("after the head was admitted: position %d ahead %d, want 2 and 1", q.Position, q.Ahead)
	}
}

func TestFastPathLeavesNoQueue(t *testing.T) {
	srv := redistest.MustStart(t)
	rdb := srv.Client(t)
	g := New(rdb, "test", Options{Limit: 2})
	p := mustEnter(t, g, "")
	k := g.keys(practice)
	if n := rdb.Exists(t.Context(), k[0], k[1], k[2]).Val(); n != 0 {
		t.Errorf("an unqueued admission created %d queue keys", n)
	}
	if n := rdb.ZCard(t.Context(), k[3]).Val(); n != 1 {
		t.Errorf("in flight: %d, want 1", n)
	}
	if err := p.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := rdb.ZCard(t.Context(), k[3]).Val(); n != 0 {
		t.Errorf("in flight after Release: %d, want 0", n)
	}
	if ttl := rdb.PTTL(t.Context(), k[3]).Val(); ttl > 32*time.Second {
		t.Errorf("in-flight key TTL %v: idle practices must not leak keys", ttl)
	}
}

func TestAbandonedTicketStopsBlocking(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 1, TicketTTL: 300 * time.Millisecond})
	holder := mustEnter(t, g, "")
	abandoned := mustQueue(t, g, "")
	q := mustQueue(t, g, "")
	abandonedAt := time.Now()
	if err := holder.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	if q = mustQueue(t, g, q.Ticket); q.Position != 2 {
		t.Fatalf("behind a live ticket: position %d, want 2", q.Position)
	}
	for {
		p, err := g.Enter(t.Context(), practice, q.Ticket)
		if err == nil {
			if d := time.Since(abandonedAt); d < 250*time.Millisecond {
				t.Fatalf("admitted %v after the other ticket was last seen: before TicketTTL", d)
			}
			p.Release(t.Context())
			break
		}
		if !errors.As(err, &q) {
			t.Fatal(err)
		}
		if time.Since(abandonedAt) > 2*time.Second {
			t.Fatalf("an abandoned ticket still blocks the queue after %v", time.Since(abandonedAt))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The abandoned ticket has lost its place: it is a new arrival now.
	p, err := g.Enter(t.Context(), practice, abandoned.Ticket)
	if err != nil {
		t.Fatalf("expired ticket with nobody waiting: %v, want admitted as a new arrival", err)
	}
	p.Release(t.Context())
}

func TestDeadHolderIsReaped(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 1, Hold: 300 * time.Millisecond})
	dead := mustEnter(t, g, "")
	enteredAt := time.Now()
	q := mustQueue(t, g, "")
	var p *Pass
	for {
		var err error
		p, err = g.Enter(t.Context(), practice, q.Ticket)
		if err == nil {
			if d := time.Since(enteredAt); d < 250*time.Millisecond {
				t.Fatalf("admitted %v after the holder entered: before Hold", d)
			}
			break
		}
		if !errors.As(err, &q) {
			t.Fatal(err)
		}
		if time.Since(enteredAt) > 2*time.Second {
			t.Fatalf("a dead holder still holds its place after %v", time.Since(enteredAt))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The presumed-dead holder's late Release must not free the new place.
	if err := dead.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustQueue(t, g, "")
	p.Release(t.Context())
}

func TestReleaseIsIdempotent(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 1})
	a := mustEnter(t, g, "")
	for range 2 {
		if err := a.Release(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	b := mustEnter(t, g, "")
	if err := a.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustQueue(t, g, "") // b still holds the only place
	if err := b.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	var nilPass *Pass
	if err := nilPass.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestReleaseSurvivesCancelledContext(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 1})
	p := mustEnter(t, g, "")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := p.Release(ctx); err != nil {
		t.Fatal(err)
	}
	mustEnter(t, g, "")
}

func TestKeysAreIndependent(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 1})
	mustEnter(t, g, "")
	if _, err := g.Enter(t.Context(), "Z00002", ""); err != nil {
		t.Fatalf("another practice: %v, want admitted", err)
	}
}

func TestFailsOpenWithoutRedis(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{Limit: 1})
	g.bypassFor = 300 * time.Millisecond
	mustEnter(t, g, "")
	srv.Stop()

	p, err := g.Enter(t.Context(), practice, "")
	if err != nil {
		t.Fatalf("Redis down: %v, want admitted", err)
	}
	if p.Unguarded == nil {
		t.Fatal("Redis down: Unguarded is nil")
	}
	if err := p.Release(t.Context()); err != nil {
		t.Fatalf("Release of an unguarded pass: %v", err)
	}
	begin := time.Now()
	if p, err := g.Enter(t.Context(), practice, "some-ticket"); err != nil || p.Unguarded == nil {
		t.Fatalf("Redis still down: %v, %v; want an unguarded pass", p, err)
	}
	if d := time.Since(begin); d > 50*time.Millisecond {
		t.Errorf("Enter during an outage took %v, want no wait on Redis", d)
	}

	srv.Restart(t)
	time.Sleep(g.bypassFor)
	mustEnter(t, g, "") // guarded again
	mustQueue(t, g, "")
}

func TestEnterHonoursContext(t *testing.T) {
	srv := redistest.MustStart(t)
	g := New(srv.Client(t), "test", Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := g.Enter(ctx, practice, ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("Enter with a cancelled context: %v, want context.Canceled", err)
	}
}
