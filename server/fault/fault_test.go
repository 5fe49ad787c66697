package fault_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

func TestTable(t *testing.T) {
	taken := fault.New(fault.Conflict, "taken", "t.taken")
	for _, tt := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"a feature's refusal", taken, http.StatusConflict, "taken"},
		{"wrapped", fmt.Errorf("book: %w", taken), http.StatusConflict, "taken"},
		{"joined with a cause", fault.Unreachable(errors.New("dial tcp")), http.StatusServiceUnavailable, "unavailable"},
		{"GP system sentinel: not found", fmt.Errorf("patient: %w", gp.ErrNotFound), http.StatusNotFound, "not_found"},
		{"GP system sentinel: unavailable", gp.ErrUnavailable, http.StatusServiceUnavailable, "gp_unavailable"},
		{"feature disabled", fault.ErrFeatureDisabled, http.StatusNotFound, "feature_disabled"},
		{"rate limited", fault.ErrRateLimited.Retry(3 * time.Second), http.StatusTooManyRequests, "rate_limited"},
		{"anything else", errors.New("boom"), http.StatusInternalServerError, "internal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := fault.Of(tt.err)
			if k.Status() != tt.status || k.Code != tt.code {
				t.Errorf("Of = %d %s, want %d %s", k.Status(), k.Code, tt.status, tt.code)
			}
		})
	}
}

// TestUnansweredStoreIsUnavailable: a Redis that refuses connections is a
// 503 with a time to come back, not our own failure.
func TestUnansweredStoreIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	err = c.Get(context.Background(), "k").Err()
	if err == nil {
		t.Fatal("a closed port answered")
	}
	k := fault.Of(fmt.Errorf("session: %w", err))
	if k.Status() != http.StatusServiceUnavailable || k.Code != "unavailable" || k.RetryAfter <= 0 {
		t.Errorf("Of(%v) = %d %s retry %s, want 503 unavailable with a retry time", err, k.Status(), k.Code, k.RetryAfter)
	}
}

func TestEveryKindHasAStatus(t *testing.T) {
	for _, k := range []fault.Kind{fault.Invalid, fault.Unauthenticated, fault.Forbidden, fault.NotFound, fault.Conflict,
		fault.Unsupported, fault.Unprocessable, fault.TooMany, fault.Internal, fault.Unavailable} {
		if s := fault.New(k, "x", "x").Status(); s < 400 {
			t.Errorf("kind %s has status %d", k, s)
		}
	}
}

// TestSameRefusalWhateverItsCopy: a refusal with a retry time, or rebuilt
// from its parts (an idempotent replay), is still errors.Is its sentinel;
// refusals sharing a code but not a message are not.
func TestSameRefusalWhateverItsCopy(t *testing.T) {
	a := fault.New(fault.Invalid, "reason_required", "book.reason")
	b := fault.New(fault.Invalid, "reason_required", "rx.reason")
	if !errors.Is(a.Retry(time.Second), a) || !errors.Is(fault.New(a.Kind, a.Code, a.Message), a) {
		t.Error("copies are not the same refusal")
	}
	if errors.Is(a, b) {
		t.Error("refusals with different messages are the same")
	}
	if fault.Ours(a) || !fault.Ours(errors.New("boom")) {
		t.Error("Ours")
	}
}
