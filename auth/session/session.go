// Package session keeps signed-in sessions in Redis.
//
// A session is named by an opaque 256-bit token that only the browser holds
// (in an HttpOnly cookie); Redis stores the session under the token's SHA-256
// hash, so a copy of Redis cannot be replayed as cookies. Each user has an
// index of their sessions so they can be listed and all ended at once.
//
// Sessions end after an idle timeout and, regardless of use, at an absolute
// lifetime; both force a full sign-in again.
//
// It is server-only.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/nhs-companion/companion/internal/bounded"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotFound means there is no live session for the token: it never existed,
// was signed out, or expired.
var ErrNotFound = errors.New("session: not found")

// ErrUnavailable means the session store could not be reached.
var ErrUnavailable = errors.New("session: store unavailable")

// Session is what Companion knows about a signed-in person between requests.
// It stays on the server; pages see only what they need.
type Session struct {
	// ID is the hash of the token: safe to show and to use in URLs.
	ID string `json:"id"`
	// UserKey groups a person's sessions (the identity provider's subject).
	UserKey string `json:"user"`
	// Kind is "patient" or "staff"; the two never share a session.
	Kind string `json:"kind"`

	Subject       string `json:"sub"`
	NHSNumber     string `json:"nhs,omitempty"`
	GivenName     string `json:"given,omitempty"`
	FamilyName    string `json:"family,omitempty"`
	BirthDate     string `json:"birth,omitempty"`
	ProofingLevel string `json:"ial,omitempty"`
	GPODS         string `json:"gp_ods,omitempty"`
	// Matched is set when sign-in matched the person to their own GP
	// record (NHS number and date of birth); unset when they have none
	// there, or the GP system did not answer.
	Matched bool     `json:"matched,omitempty"`
	Roles   []string `json:"roles,omitempty"`
	RoleODS []string `json:"role_ods,omitempty"`
	// ActingFor is the opaque ID of the patient the person is acting for,
	// "" for themselves. Access is still checked on every request. It is
	// kept apart from the rest (see SetActingFor).
	ActingFor string `json:"-"`

	Device    string    `json:"device"`
	CreatedAt time.Time `json:"created"`
	LastSeen  time.Time `json:"seen"`
	// ExpiresAt is the absolute end of the session.
	ExpiresAt time.Time `json:"expires"`
}

// IdleDeadline is when the session ends if nothing more happens.
func (s Session) IdleDeadline(idle time.Duration) time.Time {
	d := s.LastSeen.Add(idle)
	if d.After(s.ExpiresAt) {
		return s.ExpiresAt
	}
	return d
}

// Store keeps sessions in Redis.
type Store struct {
	rdb      redis.UniversalClient
	prefix   string
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
	// touchEvery limits writes: last-seen is saved at most this often, so a
	// burst of requests costs one Redis round trip each, not two.
	touchEvery time.Duration

	decoded bounded.Map[string, decoded] // session ID → its last parse
}

// NewStore returns a store under prefix with the given timeouts.
func NewStore(rdb redis.UniversalClient, prefix string, idle, absolute time.Duration, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	touch := idle / 30
	if touch > time.Minute {
		touch = time.Minute
	}
	return &Store{rdb: rdb, prefix: prefix, idle: idle, absolute: absolute, now: now, touchEvery: touch}
}

// Idle is the idle timeout.
func (st *Store) Idle() time.Duration { return st.idle }

// Hash returns the ID under which a token's session is stored.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Key layout. A session and whom it acts for share the hash tag {id}, so
// they sit in one Redis Cluster slot and go together; a person's index of
// sessions is in a slot of its own, written before the session and pruned
// of sessions gone (List), so no operation needs both slots at once.
func (st *Store) key(id string) string       { return st.prefix + "s:{" + id + "}" }
func (st *Store) actingKey(id string) string { return st.prefix + "a:{" + id + "}" }
func (st *Store) userKey(user string) string { return st.prefix + "u:" + user }
func unavailable(op string, err error) error {
	return fmt.Errorf("%s: %w: %w", op, ErrUnavailable, err)
}
func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Create starts a new session (always a new token: sign-in rotates the ID)
// and returns the token for the cookie.
func (st *Store) Create(ctx context.Context, s Session) (string, Session, error) {
	token, err := newToken()
	if err != nil {
		return "", Session{}, err
	}
	now := st.now()
	s.ID = Hash(token)
	s.CreatedAt, s.LastSeen, s.ExpiresAt = now, now, now.Add(st.absolute)
	b, err := json.Marshal(s)
	if err != nil {
		return "", Session{}, err
	}
	// The index first: an entry whose session never came is pruned, but a
	// session missing from the index could not be listed or ended.
	pipe := st.rdb.TxPipeline()
	pipe.SAdd(ctx, st.userKey(s.UserKey), s.ID)
	pipe.Expire(ctx, st.userKey(s.UserKey), st.absolute)
	if _, err := pipe.Exec(ctx); err != nil {
		return "", Session{}, unavailable("create session", err)
	}
	if err := st.rdb.Set(ctx, st.key(s.ID), b, st.ttl(s, now)).Err(); err != nil {
		return "", Session{}, unavailable("create session", err)
	}
	return token, s, nil
}

func (st *Store) ttl(s Session, now time.Time) time.Duration {
	ttl := s.IdleDeadline(st.idle).Sub(now)
	if ttl < time.Second {
		ttl = time.Second
	}
	return ttl
}

// Get returns the live session for a token and records the activity. An
// expired session (idle or absolute) is deleted and reported as ErrNotFound.
func (st *Store) Get(ctx context.Context, token string) (Session, error) {
	return st.GetWith(ctx, token, nil)
}

// GetWith is Get, with queue adding commands of the caller's own (a
// request's rate limits) to the round trip that reads the session; their
// results are the caller's to read once GetWith returns, whatever it
// returns.
func (st *Store) GetWith(ctx context.Context, token string, queue func(redis.Pipeliner)) (Session, error) {
	if token == "" {
		return Session{}, ErrNotFound
	}
	s, err := st.loadWith(ctx, Hash(token), queue)
	if err != nil {
		return Session{}, err
	}
	now := st.now()
	if !now.Before(s.IdleDeadline(st.idle)) {
		_ = st.end(ctx, s)
		return Session{}, fmt.Errorf("get session: expired: %w", ErrNotFound)
	}
	if now.Sub(s.LastSeen) >= st.touchEvery {
		s.LastSeen = now
		if err := st.save(ctx, s, now); err != nil {
			return Session{}, err
		}
	}
	return s, nil
}

// Peek returns the session without recording activity, for the expiry
// warning's own checks.
func (st *Store) Peek(ctx context.Context, token string) (Session, error) {
	s, err := st.load(ctx, Hash(token))
	if err != nil {
		return Session{}, err
	}
	if !st.now().Before(s.IdleDeadline(st.idle)) {
		return Session{}, ErrNotFound
	}
	return s, nil
}

func (st *Store) load(ctx context.Context, id string) (Session, error) {
	return st.loadWith(ctx, id, nil)
}

func (st *Store) loadWith(ctx context.Context, id string, queue func(redis.Pipeliner)) (Session, error) {
	var read *redis.SliceCmd
	if queue == nil {
		read = st.rdb.MGet(ctx, st.key(id), st.actingKey(id))
	} else {
		pipe := st.rdb.Pipeline()
		read = pipe.MGet(ctx, st.key(id), st.actingKey(id))
		queue(pipe)
		_, _ = pipe.Exec(ctx) // each command's own error is read from it
	}
	vals, err := read.Result()
	if err != nil {
		return Session{}, unavailable("load session", err)
	}
	b, ok := vals[0].(string)
	if !ok {
		return Session{}, ErrNotFound
	}
	s, err := st.decode(id, b)
	if err != nil {
		return Session{}, fmt.Errorf("load session: %w", err)
	}
	s.ActingFor, _ = vals[1].(string)
	return s, nil
}

func (st *Store) save(ctx context.Context, s Session, now time.Time) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	// XX: never resurrect a session deleted meanwhile (signed out elsewhere).
	if err := st.rdb.SetArgs(ctx, st.key(s.ID), b, redis.SetArgs{Mode: "XX", TTL: st.ttl(s, now)}).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return unavailable("save session", err)
	}
	return nil
}

// SetActingFor records whose profile the session is acting for ("" for
// the person's own). It is a key of its own, not a field rewritten with the
// session, so a concurrent request saving its last-seen time can never put
// back the profile the person just switched away from.
func (st *Store) SetActingFor(ctx context.Context, token, patientID string) error {
	s, err := st.load(ctx, Hash(token))
	if err != nil {
		return err
	}
	if patientID == "" {
		if err := st.rdb.Del(ctx, st.actingKey(s.ID)).Err(); err != nil {
			return unavailable("set acting for", err)
		}
		return nil
	}
	ttl := s.ExpiresAt.Sub(st.now())
	if ttl < time.Second {
		ttl = time.Second
	}
	if err := st.rdb.Set(ctx, st.actingKey(s.ID), patientID, ttl).Err(); err != nil {
		return unavailable("set acting for", err)
	}
	return nil
}

// Delete ends the session for a token (sign-out).
func (st *Store) Delete(ctx context.Context, token string) error {
	s, err := st.load(ctx, Hash(token))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return st.end(ctx, s)
}

func (st *Store) end(ctx context.Context, s Session) error {
	if err := st.rdb.Del(ctx, st.key(s.ID), st.actingKey(s.ID)).Err(); err != nil {
		return unavailable("end session", err)
	}
	// Left behind if this fails, the entry is pruned by List.
	_ = st.rdb.SRem(ctx, st.userKey(s.UserKey), s.ID).Err()
	return nil
}

// EndByID ends one of user's sessions by its ID (from the settings page). It
// reports ErrNotFound if that session is not the user's.
func (st *Store) EndByID(ctx context.Context, user, id string) error {
	s, err := st.load(ctx, id)
	if err != nil {
		return err
	}
	if s.UserKey != user {
		return ErrNotFound
	}
	return st.end(ctx, s)
}

// List returns user's live sessions, newest first, pruning stale index
// entries.
func (st *Store) List(ctx context.Context, user string) ([]Session, error) {
	ids, err := st.rdb.SMembers(ctx, st.userKey(user)).Result()
	if err != nil {
		return nil, unavailable("list sessions", err)
	}
	var out []Session
	for _, id := range ids {
		s, err := st.load(ctx, id)
		if errors.Is(err, ErrNotFound) {
			st.rdb.SRem(ctx, st.userKey(user), id)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// EndAll ends every session of user ("sign out everywhere", back-channel
// logout) and returns how many there were.
func (st *Store) EndAll(ctx context.Context, user string) (int, error) {
	ids, err := st.rdb.SMembers(ctx, st.userKey(user)).Result()
	if err != nil {
		return 0, unavailable("end all sessions", err)
	}
	// One DEL per session's slot (a pipeline, which a cluster client
	// sends to each key's node), then the index.
	pipe := st.rdb.Pipeline()
	dels := make([]*redis.IntCmd, len(ids))
	for i, id := range ids {
		dels[i] = pipe.Del(ctx, st.key(id), st.actingKey(id))
	}
	_, err = pipe.Exec(ctx)
	var n int64
	for _, d := range dels {
		n += min(d.Val(), 1)
	}
	if err == nil {
		err = st.rdb.Del(ctx, st.userKey(user)).Err()
	}
	if err != nil {
		return 0, unavailable("end all sessions", err)
	}
	return int(n), nil
}
