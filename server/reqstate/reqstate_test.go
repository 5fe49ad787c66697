package reqstate_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/reqstate"
)

var errRefused = fault.New(fault.Conflict, "taken", "test.taken")

func start(t *testing.T) (*reqstate.Idempotency, *reqstate.Drafts) {
	rdb := redistest.MustStart(t).Client(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return reqstate.NewIdempotency(rdb, "t:idem:", log), reqstate.NewDrafts(rdb, "t:draft:", time.Minute)
}

type result struct{ N int }

func TestDoReplaysTheFirstAnswer(t *testing.T) {
	idem, _ := start(t)
	ctx := context.Background()
	scope := reqstate.Scope{Actor: "a", Patient: "p", Route: "POST /x"}
	var runs atomic.Int32
	do := func() (result, error) { return result{int(runs.Add(1))}, nil }
	first, err := reqstate.Do(ctx, idem, scope, "k1", "req", do)
	if err != nil {
		t.Fatal(err)
	}
	again, err := reqstate.Do(ctx, idem, scope, "k1", "req", do)
	if err != nil || again != first || runs.Load() != 1 {
		t.Errorf("retry: %v %v, %d runs", again, err, runs.Load())
	}
	if _, err := reqstate.Do(ctx, idem, scope, "k1", "other request", do); !errors.Is(err, reqstate.ErrIdempotencyMismatch) {
		t.Errorf("reused key: %v", err)
	}
	other := scope
	other.Patient = "q"
	if _, err := reqstate.Do(ctx, idem, other, "k1", "req", do); err != nil || runs.Load() != 2 {
		t.Errorf("same key for another patient is another request: %v, %d runs", err, runs.Load())
	}
	if _, err := reqstate.Do(ctx, idem, scope, string(make([]byte, reqstate.MaxKey+1)), "req", do); !errors.Is(err, fault.ErrBadRequest) {
		t.Errorf("long key: %v", err)
	}
}

// TestDoReplaysRefusalsNotOurFailures: a refusal comes back as the same
// error (errors.Is its sentinel); a failure of ours is not kept, so a retry
// runs again.
func TestDoReplaysRefusalsNotOurFailures(t *testing.T) {
	idem, _ := start(t)
	ctx := context.Background()
	scope := reqstate.Scope{Actor: "a", Patient: "p", Route: "POST /x"}
	refuse := func() (result, error) { return result{}, errRefused }
	if _, err := reqstate.Do(ctx, idem, scope, "r", 1, refuse); !errors.Is(err, errRefused) {
		t.Fatal(err)
	}
	if _, err := reqstate.Do(ctx, idem, scope, "r", 1, func() (result, error) { return result{1}, nil }); !errors.Is(err, errRefused) {
		t.Errorf("replayed refusal: %v", err)
	}
	calls := 0
	broken := func() (result, error) { calls++; return result{}, fault.Unreachable(errors.New("down")) }
	if _, err := reqstate.Do(ctx, idem, scope, "b", 1, broken); !fault.Ours(err) {
		t.Fatal(err)
	}
	if _, err := reqstate.Do(ctx, idem, scope, "b", 1, broken); calls != 2 || !fault.Ours(err) {
		t.Errorf("our failure was kept: %d calls, %v", calls, err)
	}
}

// TestClaimIsSettledOnceRedisAnswersAgain: a request fails on our side
// while Redis is down (a master failing over), so its claim on the key
// cannot be released then; Redis comes back with the claim. A retry meanwhile is told
// in_progress, with a second's Retry-After; once Redis answers again the
// claim is released in the background and a retry runs, long before the
// claim would have expired.
func TestClaimIsSettledOnceRedisAnswersAgain(t *testing.T) {
	srv := redistest.MustStartDurableNode(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond,
		MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	idem := reqstate.NewIdempotency(rdb, "t:idem:", slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	scope := reqstate.Scope{Actor: "a", Patient: "p", Route: "POST /x"}
	var runs atomic.Int32
	frozen := func() (result, error) {
		runs.Add(1)
		srv.Stop()
		return result{}, fault.ErrUnavailable
	}
	if _, err := reqstate.Do(ctx, idem, scope, "k", 1, frozen); !errors.Is(err, fault.ErrUnavailable) {
		t.Fatalf("first attempt: %v", err)
	}
	srv.Restart(t)
	// Not yet released (the background retry waits a moment): in_progress,
	// with when to try again.
	_, err := reqstate.Do(ctx, idem, scope, "k", 1, func() (result, error) { runs.Add(1); return result{2}, nil })
	var e *fault.Error
	if errors.Is(err, reqstate.ErrInProgress) && (!errors.As(err, &e) || e.RetryAfter != time.Second) {
		t.Errorf("in_progress without a second's Retry-After: %+v", e)
	}
	ok := func() (result, error) { runs.Add(1); return result{2}, nil }
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got, err := reqstate.Do(ctx, idem, scope, "k", 1, ok)
		if err == nil && got.N == 2 {
			break
		}
		if !errors.Is(err, reqstate.ErrInProgress) || time.Now().After(deadline) {
			t.Fatalf("retry after Redis came back: %v %v (%d runs)", got, err, runs.Load())
		}
	}
}

// TestDoWithoutKeyNeitherStoresNorEncodes: with no key the result is handed
// straight back, so a value JSON cannot encode is no problem.
func TestDoWithoutKeyNeitherStoresNorEncodes(t *testing.T) {
	idem, _ := start(t)
	ch := make(chan int)
	got, err := reqstate.Do(context.Background(), idem, reqstate.Scope{}, "", nil, func() (chan int, error) { return ch, nil })
	if err != nil || got != ch {
		t.Errorf("Do without key: %v %v", got, err)
	}
}

// TestConcurrentRetriesRunOnce: many presses of the same button at once run
// the request once; the others are told it is in progress or get its answer.
func TestConcurrentRetriesRunOnce(t *testing.T) {
	idem, _ := start(t)
	var runs atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = reqstate.AwaitFirst(func() error {
				_, err := reqstate.Do(context.Background(), idem, reqstate.Scope{Actor: "a"}, "same", 1, func() (result, error) {
					runs.Add(1)
					time.Sleep(50 * time.Millisecond)
					return result{1}, nil
				})
				return err
			})
		}()
	}
	wg.Wait()
	if runs.Load() != 1 {
		t.Errorf("ran %d times", runs.Load())
	}
}

func TestDrafts(t *testing.T) {
	_, drafts := start(t)
	ctx := context.Background()
	o := reqstate.Owner{Session: "s", Patient: "p"}
	type draft struct{ Note string }
	if err := drafts.Save(ctx, "rx", o, draft{"hello"}); err != nil {
		t.Fatal(err)
	}
	var got draft
	if err := drafts.Load(ctx, "rx", o, &got); err != nil || got.Note != "hello" {
		t.Errorf("Load: %+v %v", got, err)
	}
	var other draft
	if err := drafts.Load(ctx, "rx", reqstate.Owner{Session: "s", Patient: "q"}, &other); err != nil || other.Note != "" {
		t.Errorf("another patient's draft: %+v %v", other, err)
	}
	if err := drafts.Delete(ctx, "rx", o); err != nil {
		t.Fatal(err)
	}
	got = draft{}
	if err := drafts.Load(ctx, "rx", o, &got); err != nil || got.Note != "" {
		t.Errorf("after Delete: %+v %v", got, err)
	}
	if a, b := reqstate.NewKey(), reqstate.NewKey(); a == b || len(a) != 26 {
		t.Errorf("keys %q %q", a, b)
	}
}
