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

// Question pages (ordering repeats, contacting the practice) keep their
// answers in a draft on the server and end in a check page whose Send
// button carries an idempotency key. These helpers are their shared steps.

// waitInProgress runs send, and while the first request with the same
// idempotency key is still being handled (a second press of Send), waits
// for its answer.
func waitInProgress(send func() error) error {
	err := send()
	for i := 0; i < 20 && errors.Is(err, ErrInProgress); i++ {
		time.Sleep(100 * time.Millisecond)
		err = send()
	}
	return err
}

// sendFailed keeps the draft with a fresh idempotency key after the check
// page's Send was refused, so the corrected request is a new one; our own
// failures (5xx) are returned as they are.
func (s *Server) sendFailed(r *http.Request, p *access.Patient, name string, draft any, key *string, err error) (*Error, error) {
	k := kind(err)
	if k.Status >= 500 {
		return nil, err
	}
	*key = newKey()
	if err := s.saveDraft(r, p, name, draft); err != nil {
		return nil, err
	}
	return k, nil
}

// sent remembers what the draft became, so pressing Send again shows the
// same confirmation, then goes there.
func (s *Server) sent(w http.ResponseWriter, r *http.Request, p *access.Patient, name string, draft any, to string) error {
	if err := s.saveDraft(r, p, name, draft); err != nil {
		s.logger(r).Warn("keep sent draft", "err", err)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// advance keeps the draft and goes to the next step, or, when the form did
// not move on (a step submitted out of turn), back to the furthest step the
// draft allows.
func (s *Server) advance(w http.ResponseWriter, r *http.Request, p *access.Patient, name string, draft any, next, reached string) error {
	if next == "" {
		http.Redirect(w, r, reached, http.StatusSeeOther)
		return nil
	}
	if err := s.saveDraft(r, p, name, draft); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// draftTTL is how long an unfinished form is kept: the session's idle
// timeout.
const draftTTL = 30 * time.Minute

// draftKey is where a form in progress (name) for a patient is kept, for one
// session.
func draftKey(r *http.Request, p *access.Patient, name string) string {
	sum := sha256.Sum256([]byte(sessionID(r) + "\x00" + p.ID()))
	return "companion:draft:" + name + ":" + hex.EncodeToString(sum[:])
}

// loadDraft reads a form in progress into v (left as it is when none).
func (s *Server) loadDraft(r *http.Request, p *access.Patient, name string, v any) error {
	raw, err := s.Redis.Get(r.Context(), draftKey(r, p, name)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	_ = json.Unmarshal(raw, v)
	return nil
}

// saveDraft keeps a form in progress for draftTTL.
func (s *Server) saveDraft(r *http.Request, p *access.Patient, name string, v any) error {
	b, _ := json.Marshal(v)
	if err := s.Redis.Set(r.Context(), draftKey(r, p, name), b, draftTTL).Err(); err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	return nil
}
