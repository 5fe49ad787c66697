package rp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrUnknownState means a callback's state matches no sign-in in progress: it
// was never issued, has been used already, or is older than the pre-login
// lifetime.
var ErrUnknownState = errors.New("rp: unknown, used or expired state")

// Pending keeps sign-ins in progress in Redis, keyed by a hash of their state,
// each usable once and only for a short time.
type Pending struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewPending returns a pre-login store; ttl is how long a sign-in may take.
func NewPending(rdb redis.UniversalClient, prefix string, ttl time.Duration) *Pending {
	return &Pending{rdb: rdb, prefix: prefix, ttl: ttl}
}

// Login is a sign-in in progress.
type Login struct {
	Start
	// Return is the local path to go back to afterwards.
	Return string `json:"return"`
	// Browser is the hash of the value the browser that started the
	// sign-in holds in a cookie: only that browser may complete it.
	Browser string `json:"browser,omitempty"`
	// FromNHSApp is set for a sign-in carried over from the NHS App
	// (single sign-on with prompt=none), whose refusals say so.
	FromNHSApp bool `json:"from_nhsapp,omitempty"`
}

// TTL is how long a sign-in may take.
func (p *Pending) TTL() time.Duration { return p.ttl }

// Bind ties the sign-in to a browser: it returns a fresh secret for the
// browser to hold (in a cookie) and keeps only its hash.
func (l *Login) Bind() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	l.Browser = browserHash(secret)
	return secret, nil
}

// BoundTo reports whether secret is the one Bind gave the browser that
// started the sign-in.
func (l Login) BoundTo(secret string) bool {
	return secret != "" && l.Browser != "" && subtle.ConstantTimeCompare([]byte(browserHash(secret)), []byte(l.Browser)) == 1
}

func browserHash(secret string) string {
	sum := sha256.Sum256([]byte("signin-browser:" + secret))
	return hex.EncodeToString(sum[:])
}

func (p *Pending) key(state string) string {
	sum := sha256.Sum256([]byte(state))
	return p.prefix + "pl:" + hex.EncodeToString(sum[:])
}

// Save records a sign-in about to be sent to the provider.
func (p *Pending) Save(ctx context.Context, l Login) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	ok, err := p.rdb.SetNX(ctx, p.key(l.State), b, p.ttl).Result()
	if err != nil {
		return fmt.Errorf("save pre-login: %w", err)
	}
	if !ok {
		return errors.New("save pre-login: state collision")
	}
	return nil
}

// Take returns and removes the sign-in for state: a second Take of the same
// state fails, so a replayed callback cannot sign anyone in.
func (p *Pending) Take(ctx context.Context, state string) (Login, error) {
	if state == "" {
		return Login{}, ErrUnknownState
	}
	b, err := p.rdb.GetDel(ctx, p.key(state)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Login{}, ErrUnknownState
	}
	if err != nil {
		return Login{}, fmt.Errorf("take pre-login: %w", err)
	}
	var l Login
	if err := json.Unmarshal(b, &l); err != nil {
		return Login{}, fmt.Errorf("take pre-login: %w", err)
	}
	l.State = state
	return l, nil
}
