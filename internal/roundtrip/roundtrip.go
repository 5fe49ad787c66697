// Package roundtrip counts what one request costs its stores: Redis round
// trips (one per command sent alone, one per pipeline or transaction) and
// calls to the GP system; and remembers, for the rest of the request, reads
// that need not be made twice (Remember). The HTTP middleware puts a Counter in each
// request's context; a go-redis hook and the GP adapters add to it. The
// figures feed per-route metrics, the round-trip budget test and the
// benchmarks.
package roundtrip

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// Counter is one request's tally. It is safe for concurrent use (a request
// may ask two stores at once).
type Counter struct {
	redis, gp atomic.Int64

	mu   sync.Mutex
	trip []string // each Redis round trip's commands, for a failing test's message

	memo sync.Map // Remember's answers
}

type key struct{}

// With returns a context carrying a new Counter, and the Counter.
func With(ctx context.Context) (context.Context, *Counter) {
	c := &Counter{}
	return context.WithValue(ctx, key{}, c), c
}

// From is the context's Counter, or nil.
func From(ctx context.Context) *Counter {
	c, _ := ctx.Value(key{}).(*Counter)
	return c
}

// Redis is the number of Redis round trips counted.
func (c *Counter) Redis() int { return int(c.redis.Load()) }

// GP is the number of calls to the GP system counted.
func (c *Counter) GP() int { return int(c.gp.Load()) }

// Trips lists the round trips, each as its commands joined by "+".
func (c *Counter) Trips() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.trip...)
}

// maxTrips bounds what a Counter remembers of each trip.
const maxTrips = 64

func (c *Counter) addRedis(cmds []redis.Cmder) {
	c.redis.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.trip) < maxTrips {
		names := make([]string, len(cmds))
		for i, cmd := range cmds {
			names[i] = cmd.Name()
			if len(cmd.Args()) > 1 && (names[i] == "evalsha" || names[i] == "eval") {
				continue
			}
			if len(cmd.Args()) > 1 {
				if k, ok := cmd.Args()[1].(string); ok {
					names[i] += " " + k
				}
			}
		}
		c.trip = append(c.trip, strings.Join(names, "+"))
	}
}

// GPCall counts one call to the GP system for the request in ctx.
func GPCall(ctx context.Context) {
	if c := From(ctx); c != nil {
		c.gp.Add(1)
	}
}

// Hook is the go-redis hook that counts round trips into the Counter of
// each command's context.
type Hook struct{}

// DialHook is unchanged.
func (Hook) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook counts a command sent on its own.
func (Hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if c := From(ctx); c != nil {
			c.addRedis([]redis.Cmder{cmd})
		}
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook counts a pipeline or transaction as one round trip
// (on a cluster a pipeline goes to each node at once).
func (Hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if c := From(ctx); c != nil {
			c.addRedis(cmds)
		}
		return next(ctx, cmds)
	}
}

// Remember is what load returns, asked once per request: a second call
// with the same key in the same request's context gets the first call's
// answer (errors are not remembered). Outside a request it calls load.
func Remember[T any](ctx context.Context, key string, load func() (T, error)) (T, error) {
	c := From(ctx)
	if c == nil {
		return load()
	}
	if v, ok := c.memo.Load(key); ok {
		return v.(T), nil
	}
	v, err := load()
	if err == nil {
		c.memo.Store(key, v)
	}
	return v, err
}

// Note keeps v under key for the rest of the request in ctx (a first note
// stands), as if Remember had loaded it.
func Note[T any](ctx context.Context, key string, v T) {
	if c := From(ctx); c != nil {
		c.memo.LoadOrStore(key, v)
	}
}

// Recall is what this request has kept under key, if anything.
func Recall[T any](ctx context.Context, key string) (T, bool) {
	var zero T
	c := From(ctx)
	if c == nil {
		return zero, false
	}
	v, ok := c.memo.Load(key)
	if !ok {
		return zero, false
	}
	t, ok := v.(T)
	return t, ok
}
