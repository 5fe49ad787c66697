// Package reqstate keeps the state that requests share across a person's
// visit, in Redis: idempotent answers (a retry with the same
// Idempotency-Key gets the first answer, never a second booking) and the
// drafts of multi-step forms (what people write about their health never
// travels in a URL).
//
// It is server-only and knows nothing of features: they pass their own
// scopes and values.
package reqstate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/fault"
)

// Idempotency refusals.
var (
	// ErrInProgress: the first request with this key has not finished yet;
	// try again in a second.
	ErrInProgress = fault.New(fault.Conflict, "in_progress", "error.inProgress").Retry(time.Second)
	// ErrIdempotencyMismatch: the key was used before for a different request.
	ErrIdempotencyMismatch = fault.New(fault.Unprocessable, "idempotency_mismatch", "error.idempotencyMismatch")
)

// MaxKey is the longest Idempotency-Key taken.
const MaxKey = 200

// idempotencyTTL is how long a result is kept for retries with the same key.
const idempotencyTTL = 24 * time.Hour

// idempotencyPending is how long a request may run before a retry with the
// same key is allowed to try again (it crashed, or Redis lost the result).
const idempotencyPending = 2 * time.Minute

// Idempotency keeps first answers by key.
type Idempotency struct {
	rdb    redis.UniversalClient
	prefix string
	log    *slog.Logger
}

// NewIdempotency keeps answers under prefix ("companion:idem:").
func NewIdempotency(rdb redis.UniversalClient, prefix string, log *slog.Logger) *Idempotency {
	return &Idempotency{rdb: rdb, prefix: prefix, log: log}
}

// Scope is whose requests share a key space: the same key from another
// person, for another patient or on another route is another request.
type Scope struct {
	// Actor is who acts (the identity provider's subject).
	Actor string
	// Patient is the patient's identity (never the ID as typed in a URL).
	Patient string
	// Route is the method and path.
	Route string
}

// outcome is a request's result as kept for replay.
type outcome struct {
	Request string          `json:"req"`
	Pending bool            `json:"pending,omitempty"`
	Body    json.RawMessage `json:"body,omitempty"`
	Kind    fault.Kind      `json:"kind,omitempty"`
	Code    string          `json:"code,omitempty"`
	Message string          `json:"msg,omitempty"`
}

// Do runs do at most once per key within scope: a retry with the same key
// gets the first result back, refusal or not. request is the request's
// content, so a key reused for something else is refused. With no key, do
// simply runs. Failures on our side (5xx) are not kept, so a retry can
// succeed.
func Do[T any](ctx context.Context, s *Idempotency, scope Scope, key string, request any, do func() (T, error)) (T, error) {
	var zero T
	if key == "" {
		return do()
	}
	if len(key) > MaxKey {
		return zero, fault.ErrBadRequest
	}
	rkey, reqHash, err := s.keyOf(scope, key, request)
	if err != nil {
		return zero, err
	}
	pending, _ := json.Marshal(outcome{Request: reqHash, Pending: true})
	ok, err := s.rdb.SetNX(ctx, rkey, pending, idempotencyPending).Result()
	if err != nil {
		return zero, fault.Unreachable(err)
	}
	if !ok {
		return replay[T](ctx, s, rkey, reqHash)
	}

	v, err := do()
	result := outcome{Request: reqHash}
	if err != nil {
		if fault.Ours(err) {
			s.settle(ctx, "release", func(ctx context.Context) error { return s.rdb.Del(ctx, rkey).Err() })
			return zero, err
		}
		e := fault.Of(err)
		result.Kind, result.Code, result.Message = e.Kind, e.Code, e.Message
	} else if result.Body, err = json.Marshal(v); err != nil {
		s.settle(ctx, "release", func(ctx context.Context) error { return s.rdb.Del(ctx, rkey).Err() })
		return zero, err
	}
	b, _ := json.Marshal(result)
	s.settle(ctx, "keep result", func(ctx context.Context) error { return s.rdb.Set(ctx, rkey, b, idempotencyTTL).Err() })
	return v, err
}

// settleFor is how long a claim's release or result is retried while Redis
// does not answer: longer than a failover, shorter than idempotencyPending.
const settleFor = 30 * time.Second

// settle writes a claim's end (its release, or the result kept for
// replay). When Redis does not answer (a master failing over), it keeps
// trying in the background for settleFor, so that a retry meanwhile is told
// in_progress and then gets the first result, or runs again, rather than
// being told in_progress until the claim expires.
func (s *Idempotency) settle(ctx context.Context, what string, write func(context.Context) error) {
	ctx = context.WithoutCancel(ctx)
	err := write(ctx)
	if err == nil {
		return
	}
	s.log.WarnContext(ctx, "idempotency: "+what+", retrying", "err", err)
	go func() {
		for deadline := time.Now().Add(settleFor); time.Now().Before(deadline); {
			time.Sleep(250 * time.Millisecond)
			if err = write(ctx); err == nil {
				return
			}
		}
		s.log.ErrorContext(ctx, "idempotency: "+what+" gave up", "err", err)
	}()
}

// keyOf is the Redis key of key within scope, and the hash of the request.
func (s *Idempotency) keyOf(scope Scope, key string, request any) (rkey, reqHash string, err error) {
	reqJSON, err := json.Marshal(request)
	if err != nil {
		return "", "", err
	}
	reqSum := sha256.Sum256(reqJSON)
	sum := sha256.Sum256([]byte(scope.Actor + "\x00" + scope.Patient + "\x00" + scope.Route + "\x00" + key))
	return s.prefix + hex.EncodeToString(sum[:]), hex.EncodeToString(reqSum[:]), nil
}

// Replay is the answer already given to key within scope, claiming
// nothing: found reports whether the key was used before, and then v and
// err are what Do would answer (the first result, ErrInProgress or
// ErrIdempotencyMismatch). A caller about to refuse a request without
// running it asks first, so that a retry of a request that succeeded still
// gets its first answer.
func Replay[T any](ctx context.Context, s *Idempotency, scope Scope, key string, request any) (v T, found bool, err error) {
	if key == "" || len(key) > MaxKey {
		return v, false, nil
	}
	rkey, reqHash, err := s.keyOf(scope, key, request)
	if err != nil {
		return v, false, err
	}
	n, err := s.rdb.Exists(ctx, rkey).Result()
	if err != nil {
		return v, false, fault.Unreachable(err)
	}
	if n == 0 {
		return v, false, nil
	}
	v, err = replay[T](ctx, s, rkey, reqHash)
	return v, true, err
}

// replay answers a repeated key with the first request's result.
func replay[T any](ctx context.Context, s *Idempotency, rkey, reqHash string) (T, error) {
	var zero T
	raw, err := s.rdb.Get(ctx, rkey).Bytes()
	if errors.Is(err, redis.Nil) {
		return zero, ErrInProgress // it expired between the two calls: let the client retry
	}
	if err != nil {
		return zero, fault.Unreachable(err)
	}
	var prior outcome
	if err := json.Unmarshal(raw, &prior); err != nil {
		return zero, err
	}
	switch {
	case prior.Request != reqHash:
		return zero, ErrIdempotencyMismatch
	case prior.Pending:
		return zero, ErrInProgress
	case prior.Code != "":
		return zero, fault.New(prior.Kind, prior.Code, prior.Message)
	}
	var v T
	if err := json.Unmarshal(prior.Body, &v); err != nil {
		return zero, err
	}
	return v, nil
}

// AwaitFirst runs send, and while the first request with the same key is
// still being handled (a second press of Send), waits for its answer.
func AwaitFirst(send func() error) error {
	err := send()
	for i := 0; i < 20 && errors.Is(err, ErrInProgress); i++ {
		time.Sleep(100 * time.Millisecond)
		err = send()
	}
	return err
}
