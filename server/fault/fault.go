// Package fault is Companion's one error table. Feature packages declare
// their refusals as *Error values (a kind, a stable code and the i18n key of
// what people are told); the table maps every kind, and the few errors other
// packages return as plain sentinels, to the HTTP status it answers with.
// The HTTP adapter, the audit trail and idempotent replays all read errors
// through Of, so a code means the same thing everywhere.
//
// It is server-only and imports only the GP-system port and the audit trail,
// whose sentinels it maps, and the Redis client, whose failures it knows;
// feature packages import it, never the reverse.
package fault

import (
	"errors"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/gp"
)

// Kind is the class of a refusal; the table gives each its HTTP status.
type Kind string

// The kinds.
const (
	// Invalid: the request itself is wrong (400).
	Invalid Kind = "invalid"
	// Unauthenticated: nobody is signed in, or the session ended (401).
	Unauthenticated Kind = "unauthenticated"
	// Forbidden: signed in, but not allowed (403).
	Forbidden Kind = "forbidden"
	// NotFound: no such thing, or not one this person may know of (404).
	NotFound Kind = "not_found"
	// Conflict: the request clashes with the current state (409).
	Conflict Kind = "conflict"
	// Unsupported: a body in a format the route does not take (415).
	Unsupported Kind = "unsupported"
	// Unprocessable: well formed, but refused as it stands (422).
	Unprocessable Kind = "unprocessable"
	// TooMany: rate limited or queued; try again later (429).
	TooMany Kind = "too_many"
	// Internal: our own failure (500).
	Internal Kind = "internal"
	// Unavailable: a system we depend on did not answer (503).
	Unavailable Kind = "unavailable"
)

// Error is a refusal with its stable code. Two Errors are the same error
// (errors.Is) when kind, code and message agree, so a refusal replayed from
// the idempotency store is still errors.Is its sentinel.
type Error struct {
	Kind Kind
	// Code is the stable code clients and the audit trail see.
	Code string
	// Message is the i18n key of the message shown to people.
	Message string
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
}

// New declares a refusal.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

func (e *Error) Error() string { return e.Code }

// Is matches the same refusal, whatever its RetryAfter.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == e.Code && t.Message == e.Message
}

// Retry returns the refusal asking the client to try again after d.
func (e *Error) Retry(d time.Duration) *Error {
	c := *e
	c.RetryAfter = d
	return &c
}

// Status is the HTTP status the refusal answers with.
func (e *Error) Status() int { return statuses[e.Kind] }

// Generic refusals, used by more than one feature.
var (
	ErrBadRequest = New(Invalid, "bad_request", "error.badRequest")
	// ErrContentType: a JSON API was sent something that is not JSON.
	ErrContentType     = New(Unsupported, "unsupported_media_type", "error.contentType")
	ErrUnauthenticated = New(Unauthenticated, "unauthenticated", "error.unauthenticated")
	ErrSessionExpired  = New(Unauthenticated, "session_expired", "error.sessionExpired")
	ErrForbidden       = New(Forbidden, "forbidden", "error.forbidden")
	ErrProofingLevel   = New(Forbidden, "proofing_level", "error.proofingLevel")
	ErrNotFound        = New(NotFound, "not_found", "error.notFound")
	// ErrFeatureDisabled is the answer for a feature switched off for the
	// patient's practice: 404, as if the feature did not exist there.
	ErrFeatureDisabled = New(NotFound, "feature_disabled", "error.notFound")
	ErrRateLimited     = New(TooMany, "rate_limited", "error.rateLimited")
	ErrInternal        = New(Internal, "internal", "error.internal")
	// ErrUnavailable is the answer when a store we keep state in (Redis,
	// PostgreSQL) does not answer: a failover takes seconds.
	ErrUnavailable = New(Unavailable, "unavailable", "error.unavailable").Retry(5 * time.Second)
	// ErrGPUnavailable is the answer when the practice's GP system does not
	// answer (down, slow, failing, or its circuit open): say so, and when
	// to try again.
	ErrGPUnavailable = New(Unavailable, "gp_unavailable", "error.gpUnavailable").Retry(30 * time.Second)
	// ErrAuditUnavailable refuses a read of patient data whose access
	// could not be audited: no unaudited reads.
	ErrAuditUnavailable = New(Unavailable, "audit_unavailable", "error.auditUnavailable").Retry(10 * time.Second)
)

// statuses is the table's first half: the status of every kind.
var statuses = map[Kind]int{
	Invalid:         http.StatusBadRequest,
	Unauthenticated: http.StatusUnauthorized,
	Forbidden:       http.StatusForbidden,
	NotFound:        http.StatusNotFound,
	Conflict:        http.StatusConflict,
	Unsupported:     http.StatusUnsupportedMediaType,
	Unprocessable:   http.StatusUnprocessableEntity,
	TooMany:         http.StatusTooManyRequests,
	Internal:        http.StatusInternalServerError,
	Unavailable:     http.StatusServiceUnavailable,
}

// sentinels is the table's second half: errors other packages return that
// are not *Error, and the refusal each answers as. A feature that means
// something more particular by one of these (gp.ErrNotFound as "no such
// appointment") says so itself, before the error reaches the table.
var sentinels = []struct {
	err error
	as  *Error
}{
	{gp.ErrNotFound, ErrNotFound},
	{gp.ErrUnavailable, ErrGPUnavailable},
	{audit.ErrUnavailable, ErrAuditUnavailable},
}

// Of is the refusal err answers as: the first *Error in its chain, else the
// refusal of a known sentinel, else ErrUnavailable for a store that did not
// answer, else ErrInternal.
func Of(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.as
		}
	}
	if unanswered(err) {
		return ErrUnavailable
	}
	return ErrInternal
}

// unanswered reports whether err says a store could not be reached or could
// not serve for now: a network failure, or a Redis Cluster between masters
// (a failover under way, a replica not yet promoted, a node loading).
func unanswered(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	for _, p := range []string{"CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING", "READONLY"} {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return errors.Is(err, redis.ErrClosed)
}

// Code is the stable code err answers with, for the audit trail.
func Code(err error) string { return Of(err).Code }

// Ours reports whether err is a failure on our side (a 5xx): such failures
// are not kept for idempotent replay, so a retry can succeed.
func Ours(err error) bool { return Of(err).Status() >= 500 }

// Unreachable wraps err, a failure of a system we depend on (Redis, the GP
// system), so that it answers 503 while keeping err for the log.
func Unreachable(err error) error {
	if errors.Is(err, gp.ErrUnavailable) {
		return errors.Join(ErrGPUnavailable, err)
	}
	return errors.Join(ErrUnavailable, err)
}
