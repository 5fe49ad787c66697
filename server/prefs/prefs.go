// Package prefs keeps people's preferences across devices: the language
// they chose.
//
// It is server-only.
package prefs

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Preferences keeps preferences by user (the identity provider's
// subject): PostgreSQL in production (server/pg), Redis in the sandbox.
type Preferences interface {
	// Language is the language the person chose last, "" if none.
	Language(ctx context.Context, user string) (string, error)
	// SetLanguage remembers the person's language.
	SetLanguage(ctx context.Context, user, loc string) error
}

// Store keeps preferences in Redis.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewStore keeps preferences under prefix ("companion:prefs:").
func NewStore(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, prefix: prefix}
}

// Language is the language the person chose last, "" if none.
func (s *Store) Language(ctx context.Context, user string) (string, error) {
	loc, err := s.rdb.HGet(ctx, s.prefix+user, "lang").Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return loc, err
}

// SetLanguage remembers the person's language.
func (s *Store) SetLanguage(ctx context.Context, user, loc string) error {
	return s.rdb.HSet(ctx, s.prefix+user, "lang", loc).Err()
}
