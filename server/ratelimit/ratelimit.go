// Package ratelimit bounds how often one client or session may do something,
// per minute, with limits shared by every process through Redis.
//
// It is server-only.
package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/fault"
)

// Scope is what a limit counts.
type Scope string

// The scopes.
const (
	SignIn       Scope = "signin"
	Callback     Scope = "callback"
	APIByIP      Scope = "api:ip"
	APIBySession Scope = "api:s"
	// ExpiredAudit counts audit events for unknown session cookies.
	ExpiredAudit Scope = "audit:expired"
)

// Limiter applies limits.
type Limiter struct {
	rdb redis.UniversalClient
	log *slog.Logger
}

// New returns a limiter keeping its counts in rdb.
func New(rdb redis.UniversalClient, log *slog.Logger) *Limiter { return &Limiter{rdb: rdb, log: log} }

// gcra is the generic cell rate algorithm over one key holding the
// theoretical arrival time (seconds since 2017, the script's own epoch, so
// the float keeps microseconds): ARGV are the burst, the rate per period,
// the period in seconds. It answers {allowed (0 or 1), retry after in ms}.
// Redis's own clock is used, so every process counts alike.
var gcra = redis.NewScript(`
local burst, rate, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call("TIME")
local now = (t[1] - 1483228800) + t[2] / 1000000
local interval = period / rate
local tat = tonumber(redis.call("GET", KEYS[1]) or now)
if tat < now then tat = now end
local next_tat = tat + interval
local wait = next_tat - burst * interval - now
if wait > 0 then
  return {0, math.ceil(wait * 1000)}
end
redis.call("SET", KEYS[1], tostring(next_tat), "EX", math.ceil(next_tat - now))
return {1, 0}
`)

func key(scope Scope, id string) string { return "rate:" + string(scope) + ":" + id }

func args(perMinute int) []any { return []any{perMinute, perMinute, 60} }

// Allow counts one event for id in scope under a per-minute limit, or
// refuses it with fault.ErrRateLimited carrying when to try again.
func (l *Limiter) Allow(ctx context.Context, scope Scope, id string, perMinute int) error {
	res, err := gcra.Run(ctx, l.rdb, []string{key(scope, id)}, args(perMinute)...).Int64Slice()
	return l.outcome(ctx, res, err)
}

func (l *Limiter) outcome(ctx context.Context, res []int64, err error) error {
	if err == nil && len(res) != 2 {
		err = fmt.Errorf("rate limit script answered %v", res)
	}
	if err != nil {
		// Rate limiting is a guard, not a gate: with Redis down the request
		// fails on its own later; don't turn every request into a 503 here.
		l.log.WarnContext(ctx, "rate limiter", "err", err)
		return nil
	}
	if res[0] == 0 {
		return fault.ErrRateLimited.Retry(max(time.Duration(res[1])*time.Millisecond, time.Second))
	}
	return nil
}

// Check is a limit counted in someone else's pipeline (the session read's,
// so a request's session and limits cost one round trip).
type Check struct {
	l         *Limiter
	cmd       *redis.Cmd
	scope     Scope
	id        string
	perMinute int
}

// Queue adds a count of one event for id in scope to pipe; its outcome is
// Check.Err once the pipeline has run.
func (l *Limiter) Queue(ctx context.Context, pipe redis.Pipeliner, scope Scope, id string, perMinute int) *Check {
	return &Check{l: l, cmd: gcra.EvalSha(ctx, pipe, []string{key(scope, id)}, args(perMinute)...),
		scope: scope, id: id, perMinute: perMinute}
}

// Err is what Allow would have answered. A Redis that did not yet know the
// script (just started, or failed over) is asked again with it.
func (c *Check) Err(ctx context.Context) error {
	res, err := c.cmd.Int64Slice()
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		return c.l.Allow(ctx, c.scope, c.id, c.perMinute)
	}
	return c.l.outcome(ctx, res, err)
}

// ClientIP is the address limits count against: the peer, or, when
// trustProxy, the address the proxy in front appended to X-Forwarded-For.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
