// Package keep is where features keep small records that must outlive a
// restart, by key: a practice's online-request settings and pause, which
// notifications a patient has read. PostgreSQL keeps them in production
// (server/pg), Redis in the sandbox.
//
// It is server-only.
package keep

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Store keeps values by key.
type Store interface {
	// Get is the value at key; ok is false when there is none or it
	// expired.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Put sets the value at key, kept for ttl (for ever when zero).
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes the value at key, if any.
	Delete(ctx context.Context, key string) error
}

// redisStore keeps values as Redis strings under prefix.
type redisStore struct {
	rdb    redis.UniversalClient
	prefix string
}

// Redis keeps values in rdb under prefix: the sandbox's.
func Redis(rdb redis.UniversalClient, prefix string) Store {
	return &redisStore{rdb: rdb, prefix: prefix}
}

func (s *redisStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := s.rdb.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	return b, err == nil, err
}

func (s *redisStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < 0 {
		return s.Delete(ctx, key)
	}
	return s.rdb.Set(ctx, s.prefix+key, value, ttl).Err()
}

func (s *redisStore) Delete(ctx context.Context, key string) error {
	return s.rdb.Del(ctx, s.prefix+key).Err()
}
