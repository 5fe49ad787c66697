package booking

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// claimFor is how long a slot known to be taken counts as taken without
// asking the GP system again: long enough for an 8am rush, short enough
// that a slot freed in the GP system itself (by the practice's staff, not
// through Companion) is offered again soon.
const claimFor = 10 * time.Minute

// Claims are the slots known to be taken, shared by every process: those
// booked through Companion. An attempt to book one is answered at once
// (slot_taken, or too_late once its start is inside the cut-off, as the GP
// system would answer), without joining the admission
// queue, so the queue admits only attempts that can still win, and the
// slot lists people see leave them out before the slot cache is read
// again. A cancellation through Companion frees its slot's claim.
//
// Key layout (tagged by practice, so one slot of a Redis Cluster):
// prefix+"{ODS}" is a sorted set of slot IDs scored by when each was known
// taken (Unix ms), entries older than claimFor ignored and pruned;
// prefix+"{ODS}:start" is a hash of each claimed slot's start (Unix ms).
// Both expire claimFor after the last claim.
type Claims struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
}

// NewClaims keeps claims under prefix ("companion:claimed:").
func NewClaims(rdb redis.UniversalClient, prefix string) *Claims {
	return &Claims{rdb: rdb, prefix: prefix, now: time.Now}
}

func (c *Claims) key(practice string) string { return c.prefix + "{" + practice + "}" }

func (c *Claims) since() string {
	return strconv.FormatInt(c.now().Add(-claimFor).UnixMilli(), 10)
}

// Add records that the slot, which starts at start, is taken.
func (c *Claims) Add(ctx context.Context, practice, slotID string, start time.Time) error {
	k := c.key(practice)
	pipe := c.rdb.TxPipeline()
	pipe.ZAdd(ctx, k, redis.Z{Score: float64(c.now().UnixMilli()), Member: slotID})
	pipe.ZRemRangeByScore(ctx, k, "-inf", "("+c.since())
	pipe.HSet(ctx, k+":start", slotID, start.UnixMilli())
	pipe.PExpire(ctx, k, claimFor)
	pipe.PExpire(ctx, k+":start", claimFor)
	_, err := pipe.Exec(ctx)
	return err
}

// Remove frees the slot's claim (its appointment was cancelled).
func (c *Claims) Remove(ctx context.Context, practice, slotID string) error {
	return c.rdb.ZRem(ctx, c.key(practice), slotID).Err()
}

// Taken reports whether the slot is known to be taken, and when it starts.
func (c *Claims) Taken(ctx context.Context, practice, slotID string) (bool, time.Time, error) {
	k := c.key(practice)
	pipe := c.rdb.Pipeline()
	at := pipe.ZScore(ctx, k, slotID)
	start := pipe.HGet(ctx, k+":start", slotID)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return false, time.Time{}, err
	}
	ms, err := start.Int64()
	if at.Err() != nil || err != nil || int64(at.Val()) < c.now().Add(-claimFor).UnixMilli() {
		return false, time.Time{}, nil
	}
	return true, time.UnixMilli(ms), nil
}

// All is the practice's slots known to be taken.
func (c *Claims) All(ctx context.Context, practice string) (map[string]bool, error) {
	ids, err := c.rdb.ZRangeByScore(ctx, c.key(practice), &redis.ZRangeBy{Min: c.since(), Max: "+inf"}).Result()
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
