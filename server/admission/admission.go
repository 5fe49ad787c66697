// Package admission limits how many requests per key (a GP practice) may be
// inside a critical section at once — booking against the GP system — across
// every Companion server process sharing one Redis, and queues the rest
// fairly, in arrival order, so an 8am rush reaches the GP system at the pace
// the practice is configured for.
//
// A request that is not admitted gets a *Queued error carrying a ticket and
// its place; it comes back with the ticket (after RetryAfter) to keep its
// place. Capacity is reserved for the earliest waiters: a request is admitted
// only when the live tickets issued before it are fewer than the free places,
// so a newcomer can never take a place someone who arrived earlier is owed.
// With one free place only the head of the queue gets in. Tickets not seen
// again within TicketTTL are dropped; places held longer than Hold are
// presumed dead and reclaimed. Time is Redis's clock, so processes' clocks
// need not agree.
//
// It is a guard, not an authority: when Redis cannot be reached, Enter admits
// and says so in Pass.Unguarded.
//
// It is server-only and must not be imported by app/... or anything the WASM
// binary links.
package admission

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Options configures a Gate. Zero fields take the defaults below.
type Options struct {
	// Limit is how many requests per key may hold a place at once (default 1).
	Limit int
	// Hold is how long an admitted request may keep its place before it is
	// presumed dead and its place reclaimed (default 30s).
	Hold time.Duration
	// TicketTTL is how long a waiting ticket lives without being presented
	// again (default 20s).
	TicketTTL time.Duration
	// RetryAfter is how long waiters are told to wait before trying again
	// (default 2s).
	RetryAfter time.Duration
}

// Defaults for zero Options fields.
const (
	DefaultLimit      = 1
	DefaultHold       = 30 * time.Second
	DefaultTicketTTL  = 20 * time.Second
	DefaultRetryAfter = 2 * time.Second
)

// Gate admits requests per key up to Options.Limit. It is safe for
// concurrent use, and Gates in different processes with the same Redis and
// prefix share their places and queues.
type Gate struct {
	rdb    redis.UniversalClient
	prefix string
	opt    Options

	bypassFor   time.Duration
	bypassUntil atomic.Int64 // unix nanoseconds
}

// bypassFor is how long a Gate admits without asking Redis after Redis
// failed to answer: a client dialling a dead Redis spends about a second on
// each command, which no request should pay while the outage lasts.
const bypassFor = time.Second

// New returns a Gate keeping its state in Redis under keys starting with
// prefix.
func New(rdb redis.UniversalClient, prefix string, opt Options) *Gate {
	if opt.Limit <= 0 {
		opt.Limit = DefaultLimit
	}
	if opt.Hold <= 0 {
		opt.Hold = DefaultHold
	}
	if opt.TicketTTL <= 0 {
		opt.TicketTTL = DefaultTicketTTL
	}
	if opt.RetryAfter <= 0 {
		opt.RetryAfter = DefaultRetryAfter
	}
	return &Gate{rdb: rdb, prefix: prefix, opt: opt, bypassFor: bypassFor}
}

// Queued is the error Enter returns when a request must wait.
type Queued struct {
	// Ticket keeps the caller's place: pass it to the next Enter.
	Ticket string
	// Position is the 1-based place in the queue.
	Position int
	// Ahead is how many live tickets are ahead (Position-1).
	Ahead int
	// RetryAfter is when to try again.
	RetryAfter time.Duration
}

// Error says where the request stands; it holds no ticket, so it is safe to
// log.
func (q *Queued) Error() string {
	return fmt.Sprintf("admission: queued at position %d", q.Position)
}

// Pass is an admitted request's place. Release it when done.
type Pass struct {
	// Unguarded is nil for a real place. When Redis could not be asked, Enter
	// admits anyway (fail open) and Unguarded holds the Redis error, for
	// logging and metrics.
	Unguarded error

	gate     *Gate
	key, id  string
	released atomic.Bool
}

// Keys share the key in a hash tag so one script may touch them all in Redis
// Cluster.
func (g *Gate) keys(key string) []string {
	base := g.prefix + ":{" + key + "}:"
	return []string{base + "seq", base + "queue", base + "seen", base + "in"}
}

// Enter asks for a place for key. ticket is "" on a first try and the
// Queued.Ticket of the previous answer on a retry. It returns a *Pass when
// admitted, a *Queued error when the caller must wait, or the context's
// error. A ticket that has expired or was never issued counts as a new
// arrival, and the new ticket is in the *Queued error.
func (g *Gate) Enter(ctx context.Context, key, ticket string) (*Pass, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if until := g.bypassUntil.Load(); time.Now().UnixNano() < until {
		return unguarded(errBypassed), nil
	}
	id := random()
	keyTTL := max(g.opt.Hold, g.opt.TicketTTL) + time.Second
	res, err := enterScript.Run(ctx, g.rdb, g.keys(key),
		ticket, g.opt.Limit, g.opt.Hold.Milliseconds(), g.opt.TicketTTL.Milliseconds(),
		random(), id, keyTTL.Milliseconds()).Slice()
	if err != nil || len(res) != 3 {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil {
			err = fmt.Errorf("unexpected reply %v", res)
		}
		g.bypassUntil.Store(time.Now().Add(g.bypassFor).UnixNano())
		return unguarded(err), nil
	}
	admitted, _ := res[0].(int64)
	value, _ := res[1].(string)
	rank, _ := res[2].(int64)
	if admitted == 1 {
		return &Pass{gate: g, key: key, id: value}, nil
	}
	return nil, &Queued{Ticket: value, Position: int(rank) + 1, Ahead: int(rank), RetryAfter: g.opt.RetryAfter}
}

// Release gives the place back. Calling it again does nothing. It fails only
// when Redis cannot be reached; the place is then reclaimed after Hold.
func (p *Pass) Release(ctx context.Context) error {
	if p == nil || p.released.Swap(true) {
		return nil
	}
	// A request that ends because its client went away must still give its
	// place back.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := p.gate.rdb.ZRem(ctx, p.gate.keys(p.key)[3], p.id).Err(); err != nil {
		return fmt.Errorf("admission: release: %w", err)
	}
	return nil
}

// Leave gives up a queued ticket's place, so that those behind it move up
// at once rather than once it expires (the caller no longer needs a place:
// its slot has gone). Leaving with an unknown ticket does nothing.
func (g *Gate) Leave(ctx context.Context, key, ticket string) error {
	if ticket == "" {
		return nil
	}
	k := g.keys(key)
	pipe := g.rdb.TxPipeline()
	pipe.ZRem(ctx, k[1], ticket)
	pipe.ZRem(ctx, k[2], ticket)
	if _, err := pipe.Exec(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("admission: leave: %w", err)
	}
	return nil
}

var errBypassed = errors.New("redis failed moments ago; not asked")

func unguarded(err error) *Pass {
	p := &Pass{Unguarded: fmt.Errorf("admission: redis unavailable, admitted unguarded: %w", err)}
	p.released.Store(true)
	return p
}

func random() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// enterScript reaps dead places and tickets, then admits or queues.
// KEYS: seq (arrival counter), queue (ticket -> arrival seq), seen (ticket ->
// expiry ms), in (place id -> expiry ms).
// ARGV: ticket, limit, hold ms, ticket TTL ms, new ticket, new place id,
// key TTL ms.
// Returns {1, place id, 0} when admitted, {0, ticket, 0-based rank} when queued.
var enterScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit, hold, ttl, keyttl = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[7])

redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1000)
if #dead > 0 then
  redis.call('ZREM', KEYS[2], unpack(dead))
  redis.call('ZREM', KEYS[3], unpack(dead))
end

local free = limit - redis.call('ZCARD', KEYS[4])
local ticket = ARGV[1]
local rank = false
if ticket ~= '' then
  rank = redis.call('ZRANK', KEYS[2], ticket)
end
if not rank then
  -- a new arrival would join the back of the queue
  ticket = ''
  rank = redis.call('ZCARD', KEYS[2])
end

if rank < free then
  if ticket ~= '' then
    redis.call('ZREM', KEYS[2], ticket)
    redis.call('ZREM', KEYS[3], ticket)
  end
  redis.call('ZADD', KEYS[4], now + hold, ARGV[6])
  redis.call('PEXPIRE', KEYS[4], keyttl)
  return {1, ARGV[6], 0}
end

if ticket == '' then
  ticket = ARGV[5]
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[1]), ticket)
end
redis.call('ZADD', KEYS[3], now + ttl, ticket)
for i = 1, 3 do
  redis.call('PEXPIRE', KEYS[i], keyttl)
end
return {0, ticket, rank}
`)
