package flags

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/redis/go-redis/v9"
)

// Rules keeps the flag rules and every change to them.
type Rules interface {
	// All is every stored rule by flag (a rule that cannot be read is
	// left out: it evaluates to off).
	All(ctx context.Context) (map[Name]Rule, error)
	// Change applies one change atomically: apply gets the flag's current
	// rule (the zero Rule when it has none) and returns the change, whose
	// After is stored and which joins the history. An error from apply
	// changes nothing.
	Change(ctx context.Context, name Name, apply func(before Rule) (Change, error)) (Change, error)
	// History is the n most recent changes, newest first.
	History(ctx context.Context, n int64) ([]Change, error)
	// Seed stores rules for flags that have none.
	Seed(ctx context.Context, defaults map[Name]Rule) error
}

// redisRules keeps rules in a Redis hash and the history in a list: the
// sandbox's.
type redisRules struct {
	rdb    redis.UniversalClient
	prefix string
}

// RedisRules keeps rules in Redis under prefix.
func RedisRules(rdb redis.UniversalClient, prefix string) Rules {
	return &redisRules{rdb: rdb, prefix: prefix}
}

// The rules and their history share the hash tag {flags}: one slot, so the
// change transaction works on Redis Cluster.
func (r *redisRules) key() string     { return r.prefix + "{flags}" }
func (r *redisRules) history() string { return r.prefix + "{flags}:history" }

func (r *redisRules) All(ctx context.Context) (map[Name]Rule, error) {
	raw, err := r.rdb.HGetAll(ctx, r.key()).Result()
	if err != nil {
		return nil, err
	}
	rules := make(map[Name]Rule, len(raw))
	for k, v := range raw {
		var rule Rule
		if json.Unmarshal([]byte(v), &rule) == nil {
			rules[Name(k)] = rule
		}
	}
	return rules, nil
}

// changeTries bounds the optimistic retries of one change.
const changeTries = 50

func (r *redisRules) Change(ctx context.Context, name Name, apply func(Rule) (Change, error)) (Change, error) {
	for range changeTries {
		change, err := r.change(ctx, name, apply)
		if !errors.Is(err, redis.TxFailedErr) {
			return change, err
		}
		// Another change came in between: read it and apply ours to it.
	}
	return Change{}, errors.New("flags: too many changes at once")
}

func (r *redisRules) change(ctx context.Context, name Name, apply func(Rule) (Change, error)) (Change, error) {
	var change Change
	err := r.rdb.Watch(ctx, func(tx *redis.Tx) error {
		var before Rule
		v, err := tx.HGet(ctx, r.key(), string(name)).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		if v != "" {
			if err := json.Unmarshal([]byte(v), &before); err != nil {
				return err
			}
		}
		if change, err = apply(before); err != nil {
			return err
		}
		b, _ := json.Marshal(change.After)
		h, _ := json.Marshal(change)
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HSet(ctx, r.key(), string(name), b)
			p.LPush(ctx, r.history(), h)
			return nil
		})
		return err
	}, r.key())
	return change, err
}

func (r *redisRules) History(ctx context.Context, n int64) ([]Change, error) {
	raw, err := r.rdb.LRange(ctx, r.history(), 0, n-1).Result()
	if err != nil {
		return nil, err
	}
	out := make([]Change, 0, len(raw))
	for _, v := range raw {
		var c Change
		if json.Unmarshal([]byte(v), &c) == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

func (r *redisRules) Seed(ctx context.Context, defaults map[Name]Rule) error {
	pipe := r.rdb.Pipeline()
	for n, rule := range defaults {
		b, _ := json.Marshal(rule)
		pipe.HSetNX(ctx, r.key(), string(n), b)
	}
	_, err := pipe.Exec(ctx)
	return err
}
