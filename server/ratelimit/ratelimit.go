// Package ratelimit bounds how often one client or session may do something,
// per minute, with limits shared by every process through Redis.
//
// It is server-only.
package ratelimit

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"

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
	l   *redis_rate.Limiter
	log *slog.Logger
}

// New returns a limiter over l.
func New(l *redis_rate.Limiter, log *slog.Logger) *Limiter { return &Limiter{l: l, log: log} }

// Allow counts one event for id in scope under a per-minute limit, or
// refuses it with fault.ErrRateLimited carrying when to try again.
func (l *Limiter) Allow(ctx context.Context, scope Scope, id string, perMinute int) error {
	res, err := l.l.Allow(ctx, string(scope)+":"+id, redis_rate.PerMinute(perMinute))
	if err != nil {
		// Rate limiting is a guard, not a gate: with Redis down the request
		// fails on its own later; don't turn every request into a 503 here.
		l.log.WarnContext(ctx, "rate limiter", "err", err)
		return nil
	}
	if res.Allowed == 0 {
		return fault.ErrRateLimited.Retry(max(res.RetryAfter, time.Second))
	}
	return nil
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
