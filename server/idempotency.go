package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/access"
)

// Idempotency errors.
var (
	// ErrInProgress: the first request with this key has not finished yet.
	ErrInProgress = &Error{Status: http.StatusConflict, Code: "in_progress", MessageID: "error.inProgress"}
	// ErrIdempotencyMismatch: the key was used before for a different request.
	ErrIdempotencyMismatch = &Error{Status: http.StatusUnprocessableEntity, Code: "idempotency_mismatch", MessageID: "error.idempotencyMismatch"}
)

// idempotencyTTL is how long a result is kept for retries with the same key.
const idempotencyTTL = 24 * time.Hour

// idempotencyPending is how long a request may run before a retry with the
// same key is allowed to try again (it crashed, or Redis lost the result).
const idempotencyPending = 2 * time.Minute

// outcome is a request's result as kept for replay.
type outcome struct {
	Request   string          `json:"req"`
	Pending   bool            `json:"pending,omitempty"`
	Status    int             `json:"status,omitempty"`
	Body      json.RawMessage `json:"body,omitempty"`
	Code      string          `json:"code,omitempty"`
	MessageID string          `json:"msg,omitempty"`
}

// once runs do at most once per Idempotency-Key: a retry with the same key
// (same person, patient, method and path) gets the first result back, error
// or not, never a second booking. request identifies the request's content,
// so a key reused for something else is refused. An empty key runs do.
// Failures on our side (5xx) are not kept, so a retry can succeed.
func (s *Server) once(r *http.Request, p *access.Patient, key string, request any, do func() (int, any, error)) (int, json.RawMessage, error) {
	run := func() (int, json.RawMessage, error) {
		status, v, err := do()
		if err != nil {
			return 0, nil, err
		}
		b, err := json.Marshal(v)
		return status, b, err
	}
	if key == "" {
		return run()
	}
	if len(key) > 200 {
		return 0, nil, ErrBadRequest
	}
	reqJSON, _ := json.Marshal(request)
	reqSum := sha256.Sum256(reqJSON)
	reqHash := hex.EncodeToString(reqSum[:])
	scope := sha256.Sum256([]byte(p.Actor().Subject + "\x00" + p.ID() + "\x00" + r.Method + " " + r.URL.Path + "\x00" + key))
	rkey := "companion:idem:" + hex.EncodeToString(scope[:])
	ctx := r.Context()

	pending, _ := json.Marshal(outcome{Request: reqHash, Pending: true})
	ok, err := s.Redis.SetNX(ctx, rkey, pending, idempotencyPending).Result()
	if err != nil {
		return 0, nil, errors.Join(ErrUnavailable, err)
	}
	if !ok {
		raw, err := s.Redis.Get(ctx, rkey).Bytes()
		if errors.Is(err, redis.Nil) {
			return 0, nil, ErrInProgress // it expired between the two calls: let the client retry
		}
		if err != nil {
			return 0, nil, errors.Join(ErrUnavailable, err)
		}
		var prior outcome
		if err := json.Unmarshal(raw, &prior); err != nil {
			return 0, nil, err
		}
		switch {
		case prior.Request != reqHash:
			return 0, nil, ErrIdempotencyMismatch
		case prior.Pending:
			return 0, nil, ErrInProgress
		case prior.Code != "":
			return 0, nil, &Error{Status: prior.Status, Code: prior.Code, MessageID: prior.MessageID}
		}
		return prior.Status, prior.Body, nil
	}

	status, body, err := run()
	result := outcome{Request: reqHash, Status: status, Body: body}
	if err != nil {
		k := kind(err)
		if k.Status >= 500 {
			s.Redis.Del(ctx, rkey)
			return 0, nil, err
		}
		result = outcome{Request: reqHash, Status: k.Status, Code: k.Code, MessageID: k.MessageID}
	}
	b, _ := json.Marshal(result)
	if serr := s.Redis.Set(ctx, rkey, b, idempotencyTTL).Err(); serr != nil {
		s.logger(r).Warn("idempotency: keep result", "err", serr)
	}
	return status, body, err
}
