// Package coalesce is a short-lived cache shared by every Companion server
// process through Redis, which lets exactly one caller at a time, across all
// processes, load a missing value. It stands between the page and API
// handlers and the GP system, so that an 8am rush on one practice's slots
// reaches the GP system as one read every few seconds, not thousands.
//
// A Get reads the group's version and the value in one round trip. On a miss,
// callers in one process share one flight; the flight takes a short Redis
// lock so that flights in other processes wait (polling, bounded) and then
// read what the winner stored. Invalidate bumps the group's version, so no
// value stored under an older version is served again, and a loader that
// started before the bump cannot store its result under the new version.
//
// The cache is a guard, never a dependency: when Redis cannot be reached, Get
// calls the loader directly (still coalesced within the process).
//
// It is server-only and must not be imported by app/... or anything the WASM
// binary links.
package coalesce

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Default limits for a Cache; override them with its fields before first use.
const (
	// DefaultLockTTL is how long a flight's Redis lock lives if its holder
	// dies before releasing it.
	DefaultLockTTL = 10 * time.Second
	// DefaultMaxWait is how long a flight waits for another process's
	// loader before loading itself.
	DefaultMaxWait = 5 * time.Second
)

// versionTTL is how long a group's version outlives its last Invalidate.
// It only has to exceed the value TTL and any loader's run time: when it
// lapses the version restarts at 0, and every value stored under 0 expired
// long before.
const versionTTL = 24 * time.Hour

// bypassFor is how long a Cache skips Redis after it failed to answer: a
// client dialling a dead Redis spends about a second on each command, which
// no request should pay while the outage lasts.
const bypassFor = time.Second

const (
	minBackoff = 2 * time.Millisecond
	maxBackoff = 50 * time.Millisecond
)

// Cache is a shared, coalescing cache of values of type T, JSON-encoded in
// Redis. Its methods are safe for concurrent use.
type Cache[T any] struct {
	// LockTTL bounds how long a crashed loader can make other processes
	// wait for it. Set it before first use.
	LockTTL time.Duration
	// MaxWait is how long a process waits for another process's loader
	// before running its own. Set it before first use.
	MaxWait time.Duration

	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration

	mu    sync.Mutex
	calls map[string]*call[T]

	bypassFor   time.Duration
	bypassUntil atomic.Int64 // unix nanoseconds
}

// call is one in-process flight shared by every Get waiting for it.
type call[T any] struct {
	done    chan struct{}
	val     T
	err     error
	waiters int // guarded by Cache.mu
	cancel  context.CancelFunc
}

// New returns a Cache that keeps values for ttl under keys starting with
// prefix.
func New[T any](rdb redis.UniversalClient, prefix string, ttl time.Duration) *Cache[T] {
	return &Cache[T]{
		LockTTL: DefaultLockTTL,
		MaxWait: DefaultMaxWait,
		rdb:     rdb,
		prefix:  prefix,
		ttl:     ttl,
		calls:   make(map[string]*call[T]),

		bypassFor: bypassFor,
	}
}

// Keys share the group in a hash tag, so a group's version, values and locks
// live in one Redis Cluster slot and one script may touch them together.
func (c *Cache[T]) verKey(group string) string { return c.prefix + ":{" + group + "}:ver" }
func (c *Cache[T]) valKey(group, key string) string {
	return c.prefix + ":{" + group + "}:val:" + key
}
func (c *Cache[T]) lockKey(group, key string) string {
	return c.prefix + ":{" + group + "}:lock:" + key
}

// Get returns the value cached for (group, key) if it is younger than the
// cache's TTL and was stored since the group's last Invalidate; otherwise it
// calls load, at most once at a time per (group, key) across every process
// sharing the Redis, and caches the result. Loader errors are not cached;
// every caller that shared the failed flight in this process gets the error.
// Callers sharing a flight share the value: treat it as read-only.
func (c *Cache[T]) Get(ctx context.Context, group, key string, load func(context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if c.bypassing() {
		return c.loadDirect(ctx, group, key, load)
	}
	vals, err := c.rdb.MGet(ctx, c.verKey(group), c.valKey(group, key)).Result()
	if err != nil {
		if ctx.Err() != nil {
			return zero, ctx.Err()
		}
		c.bypass()
		return c.loadDirect(ctx, group, key, load)
	}
	ver := "0"
	if s, ok := vals[0].(string); ok {
		ver = s
	}
	if s, ok := vals[1].(string); ok {
		if payload, ok := strings.CutPrefix(s, ver+":"); ok {
			var v T
			if err := json.Unmarshal([]byte(payload), &v); err == nil {
				return v, nil
			}
			// An undecodable value (a type changed across a deploy) is a
			// miss; the flight overwrites it.
		}
	}
	// The flight is keyed by the version this caller saw, so a caller that
	// saw a newer version never joins a flight whose loader started before
	// the Invalidate that made it.
	return c.do(ctx, flightKey(group, key, ver), func(ctx context.Context) (T, error) {
		return c.fill(ctx, group, key, load)
	})
}

// loadDirect is Get when Redis is unavailable: the cache steps aside, but
// callers in this process still share one load.
func (c *Cache[T]) loadDirect(ctx context.Context, group, key string, load func(context.Context) (T, error)) (T, error) {
	return c.do(ctx, flightKey(group, key, "!"), func(ctx context.Context) (T, error) {
		return safeLoad(ctx, load)
	})
}

func (c *Cache[T]) bypassing() bool { return time.Now().UnixNano() < c.bypassUntil.Load() }
func (c *Cache[T]) bypass()         { c.bypassUntil.Store(time.Now().Add(c.bypassFor).UnixNano()) }

// Invalidate makes the next Get of every key in group, in every process,
// load fresh data. Once it has returned no older value is served. It fails
// only when Redis cannot be reached; values cached before the outage then
// live out their TTL.
func (c *Cache[T]) Invalidate(ctx context.Context, group string) error {
	if err := invalidateScript.Run(ctx, c.rdb, []string{c.verKey(group)}, versionTTL.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("coalesce: invalidate: %w", err)
	}
	return nil
}

// fill runs inside a flight: it takes the Redis lock for (group, key) and
// loads, or waits for the process holding the lock and reads its result.
func (c *Cache[T]) fill(ctx context.Context, group, key string, load func(context.Context) (T, error)) (T, error) {
	var zero T
	keys := []string{c.verKey(group), c.valKey(group, key), c.lockKey(group, key)}
	token := randomToken()
	deadline := time.Now().Add(c.MaxWait)
	backoff := minBackoff
	for {
		res, err := acquireScript.Run(ctx, c.rdb, keys, token, c.LockTTL.Milliseconds()).StringSlice()
		if err != nil || len(res) < 2 {
			if ctx.Err() != nil {
				return zero, ctx.Err()
			}
			c.bypass()
			return safeLoad(ctx, load)
		}
		ver := res[0]
		switch res[1] {
		case "hit":
			var v T
			if len(res) == 3 {
				if err := json.Unmarshal([]byte(res[2]), &v); err == nil {
					return v, nil
				}
			}
			return c.loadAndStore(ctx, keys, ver, "", load)
		case "lock":
			return c.loadAndStore(ctx, keys, ver, ver+":"+token, load)
		}
		// Another process is loading.
		if time.Now().After(deadline) {
			return c.loadAndStore(ctx, keys, ver, "", load)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return zero, ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// loadAndStore calls load and stores its result under ver unless the group
// has been invalidated since, then releases lock (if held).
func (c *Cache[T]) loadAndStore(ctx context.Context, keys []string, ver, lock string, load func(context.Context) (T, error)) (T, error) {
	v, err := safeLoad(ctx, load)
	store, payload := "1", []byte(nil)
	if err == nil {
		payload, err = json.Marshal(v)
		if err != nil {
			err = nil // still a good value; just not cacheable
			store = "0"
		}
	} else {
		store = "0"
	}
	if store == "1" || lock != "" {
		// Store even when every waiter has gone: the next caller benefits.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		_ = storeScript.Run(sctx, c.rdb, keys, ver, payload, c.ttl.Milliseconds(), lock, store).Err()
		cancel()
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// do runs fn once for concurrent callers with the same fkey. The flight runs
// until it finishes or every caller waiting for it has given up.
func (c *Cache[T]) do(ctx context.Context, fkey string, fn func(context.Context) (T, error)) (T, error) {
	c.mu.Lock()
	cl, ok := c.calls[fkey]
	if !ok {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		cl = &call[T]{done: make(chan struct{}), cancel: cancel}
		c.calls[fkey] = cl
		go func() {
			defer cancel()
			cl.val, cl.err = fn(fctx)
			c.mu.Lock()
			if c.calls[fkey] == cl {
				delete(c.calls, fkey)
			}
			c.mu.Unlock()
			close(cl.done)
		}()
	}
	cl.waiters++
	c.mu.Unlock()

	select {
	case <-cl.done:
		return cl.val, cl.err
	case <-ctx.Done():
		c.mu.Lock()
		cl.waiters--
		if cl.waiters == 0 {
			cl.cancel()
			if c.calls[fkey] == cl {
				delete(c.calls, fkey) // the next caller starts afresh
			}
		}
		c.mu.Unlock()
		var zero T
		return zero, ctx.Err()
	}
}

// safeLoad turns a loader panic into an error: the loader runs on a
// goroutine of its own, where a panic would take the whole server down.
func safeLoad[T any](ctx context.Context, load func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("coalesce: loader panicked: %v", r)
		}
	}()
	return load(ctx)
}

func flightKey(group, key, ver string) string {
	return strconv.Quote(group) + strconv.Quote(key) + ver
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// invalidateScript: KEYS ver; ARGV version TTL (ms).
var invalidateScript = redis.NewScript(`
local v = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return v
`)

// acquireScript returns {ver, "hit", value} when a value for the current
// version is cached, else takes the lock for the current version and returns
// {ver, "lock"}, else {ver, "wait"}. A lock taken under an older version does
// not block: its loader's result would not be stored anyway.
// KEYS ver, val, lock; ARGV token, lock TTL (ms).
var acquireScript = redis.NewScript(`
local ver = redis.call('GET', KEYS[1]) or '0'
local p = ver .. ':'
local v = redis.call('GET', KEYS[2])
if v and string.sub(v, 1, #p) == p then
  return {ver, 'hit', string.sub(v, #p + 1)}
end
local l = redis.call('GET', KEYS[3])
if l and string.sub(l, 1, #p) == p then
  return {ver, 'wait'}
end
redis.call('SET', KEYS[3], p .. ARGV[1], 'PX', ARGV[2])
return {ver, 'lock'}
`)

// storeScript stores the value only if the group's version is still the one
// the loader started under, and releases the lock only if it is still ours.
// KEYS ver, val, lock; ARGV ver, payload, TTL (ms), lock value ("" = none),
// store ("1" or "0").
var storeScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1]) or '0'
local stored = 0
if ARGV[5] == '1' and cur == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
  stored = 1
end
if ARGV[4] ~= '' and redis.call('GET', KEYS[3]) == ARGV[4] then
  redis.call('DEL', KEYS[3])
end
return stored
`)
