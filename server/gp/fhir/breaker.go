package fhir

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// breaker is a circuit breaker per practice: after Threshold calls in a row
// fail because the GP system did not answer, calls for that practice fail
// at once (gp.ErrUnavailable) for Cooldown, so a struggling GP system is
// not hammered and patients are told at once instead of after a timeout.
// After the cooldown one call is let through; its success closes the
// circuit, its failure opens it again. A practice's calls are those made
// with its ODS code in the context (withPractice); the rest share one.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time
	mu        sync.Mutex
	circuits  map[string]*circuit
}

type circuit struct {
	failures  int
	openUntil time.Time
	trial     bool // a call is testing the circuit after its cooldown
}

type practiceKey struct{}

// withPractice marks the calls made with ctx as the practice's.
func withPractice(ctx context.Context, ods string) context.Context {
	return context.WithValue(ctx, practiceKey{}, ods)
}

func practiceOfCtx(ctx context.Context) string {
	ods, _ := ctx.Value(practiceKey{}).(string)
	return ods
}

// allow reports whether a call for ctx's practice may go ahead; done must
// be called with whether the GP system failed to answer.
func (b *breaker) allow(ctx context.Context) (done func(failed bool), err error) {
	key := practiceOfCtx(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.circuits[key]
	if c == nil {
		c = &circuit{}
		b.circuits[key] = c
	}
	now := b.now()
	if now.Before(c.openUntil) || (c.failures >= b.threshold && c.trial) {
		return nil, fmt.Errorf("%w: circuit open", gp.ErrUnavailable)
	}
	trial := c.failures >= b.threshold
	if trial {
		c.trial = true
	}
	return func(failed bool) {
		b.mu.Lock()
		defer b.mu.Unlock()
		if trial {
			c.trial = false
		}
		if !failed {
			c.failures, c.openUntil = 0, time.Time{}
			return
		}
		c.failures++
		if c.failures >= b.threshold {
			c.openUntil = b.now().Add(b.cooldown)
		}
	}, nil
}
