package ratelimit_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/ratelimit"
)

// TestLimitAloneAndPipelined: a per-minute limit allows its number of
// events and refuses the next with a time to try again, counted alike
// whether asked alone or in another's pipeline, and a Redis that has lost
// the script (restarted, failed over) is asked again with it.
func TestLimitAloneAndPipelined(t *testing.T) {
	rs := redistest.MustStart(t)
	rdb := rs.Client(t)
	ctx := context.Background()
	l := ratelimit.New(rdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i := range 3 {
		if err := l.Allow(ctx, ratelimit.APIByIP, "192.0.2.1", 5); err != nil {
			t.Fatalf("event %d refused: %v", i+1, err)
		}
	}
	pipelined := func() error {
		pipe := rdb.Pipeline()
		c := l.Queue(ctx, pipe, ratelimit.APIByIP, "192.0.2.1", 5)
		pipe.Exec(ctx)
		return c.Err(ctx)
	}
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for i := 3; i < 5; i++ {
		if err := pipelined(); err != nil {
			t.Fatalf("event %d refused: %v", i+1, err)
		}
	}
	err := pipelined()
	var fe *fault.Error
	if !errors.Is(err, fault.ErrRateLimited) || !errors.As(err, &fe) {
		t.Fatalf("sixth event: %v, want rate_limited", err)
	}
	// Five a minute: the next is allowed about 12 s after the first.
	if fe.RetryAfter < 5*time.Second || fe.RetryAfter > 13*time.Second {
		t.Errorf("retry after %s", fe.RetryAfter)
	}
	if err := l.Allow(ctx, ratelimit.APIByIP, "192.0.2.2", 5); err != nil {
		t.Errorf("another client refused: %v", err)
	}
}
