package notify

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/access"
)

// Job is one piece of work in the queue.
type Job struct {
	// ID names the job; adding a job whose ID is queued already changes
	// nothing (Add) or only its time and body (Put), so repeats collapse.
	ID   string  `json:"id"`
	Type jobType `json:"type"`
	// Event is the event to fan out (jobEvent), the check's kind, patient
	// and key (jobCheck), or the event being pushed (jobPush).
	Event Event `json:"event"`
	// Actor is who a check acts as (jobCheck).
	Actor access.Actor `json:"actor,omitzero"`
	// Person and Endpoint name the device a push goes to (jobPush).
	Person   string `json:"person,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	// Attempt counts failed tries so far.
	Attempt int `json:"attempt,omitempty"`
}

type jobType string

const (
	jobEvent jobType = "event"
	jobCheck jobType = "check"
	jobPush  jobType = "push"
)

// Queue is a durable queue of jobs due at a time, in Redis: a sorted set
// of job IDs by due time and a hash of their bodies, under one hash tag so
// a cluster keeps them together. A worker claims due jobs for a lease; a
// job whose worker died before finishing it is due again when the lease
// runs out, so a restart between queueing and sending loses nothing.
type Queue struct {
	rdb              redis.UniversalClient
	due, leased, bod string
	// Lease is how long a claimed job is a worker's before another may
	// take it.
	Lease time.Duration
}

// NewQueue keeps the queue under prefix ("companion:notify:").
func NewQueue(rdb redis.UniversalClient, prefix string) *Queue {
	p := prefix + "{queue}:"
	return &Queue{rdb: rdb, due: p + "due", leased: p + "leased", bod: p + "jobs", Lease: time.Minute}
}

// addScript queues a job unless one of its ID is queued: ARGV mode "nx"
// keeps the queued one as it is, "put" replaces its time and body.
var addScript = redis.NewScript(`
if ARGV[4] == "nx" and redis.call("HEXISTS", KEYS[3], ARGV[1]) == 1 then return 0 end
redis.call("ZREM", KEYS[2], ARGV[1])
redis.call("ZADD", KEYS[1], ARGV[2], ARGV[1])
redis.call("HSET", KEYS[3], ARGV[1], ARGV[3])
return 1
`)

// Add queues j to be due at at, unless a job with its ID is queued.
func (q *Queue) Add(ctx context.Context, j Job, at time.Time) error { return q.add(ctx, j, at, "nx") }

// Put queues j to be due at at, replacing any queued job with its ID.
func (q *Queue) Put(ctx context.Context, j Job, at time.Time) error { return q.add(ctx, j, at, "put") }

func (q *Queue) add(ctx context.Context, j Job, at time.Time, mode string) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return addScript.Run(ctx, q.rdb, []string{q.due, q.leased, q.bod}, j.ID, at.UnixMilli(), b, mode).Err()
}

// claimScript moves up to ARGV[2] jobs due by ARGV[1] (and leases that ran
// out by then) to the leased set until ARGV[3], and returns their bodies.
var claimScript = redis.NewScript(`
local now, n, till = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local out = {}
for _, key in ipairs({KEYS[2], KEYS[1]}) do
  if #out >= n then break end
  local ids = redis.call("ZRANGEBYSCORE", key, "-inf", now, "LIMIT", 0, n - #out)
  for _, id in ipairs(ids) do
    redis.call("ZREM", key, id)
    local body = redis.call("HGET", KEYS[3], id)
    if body then
      redis.call("ZADD", KEYS[2], till, id)
      table.insert(out, body)
    end
  end
end
return out
`)

// Claim takes up to n jobs due by now, each the caller's for the lease.
func (q *Queue) Claim(ctx context.Context, now time.Time, n int) ([]Job, error) {
	res, err := claimScript.Run(ctx, q.rdb, []string{q.due, q.leased, q.bod}, now.UnixMilli(), n, now.Add(q.Lease).UnixMilli()).StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	out := make([]Job, 0, len(res))
	for _, b := range res {
		var j Job
		if json.Unmarshal([]byte(b), &j) == nil {
			out = append(out, j)
		}
	}
	return out, nil
}

// doneScript removes a claimed job, unless it was queued again (by Add or
// Put) since it was claimed.
var doneScript = redis.NewScript(`
if redis.call("ZREM", KEYS[2], ARGV[1]) == 1 then redis.call("HDEL", KEYS[3], ARGV[1]) end
return 1
`)

// Done removes a finished job.
func (q *Queue) Done(ctx context.Context, j Job) error {
	return doneScript.Run(ctx, q.rdb, []string{q.due, q.leased, q.bod}, j.ID).Err()
}

// Again puts a claimed job back, due at at (a retry, or the end of quiet
// hours), unless it was queued again since it was claimed.
var againScript = redis.NewScript(`
if redis.call("ZREM", KEYS[2], ARGV[1]) == 1 then
  redis.call("ZADD", KEYS[1], ARGV[2], ARGV[1])
  redis.call("HSET", KEYS[3], ARGV[1], ARGV[3])
end
return 1
`)

// Again puts j back to be due at at.
func (q *Queue) Again(ctx context.Context, j Job, at time.Time) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return againScript.Run(ctx, q.rdb, []string{q.due, q.leased, q.bod}, j.ID, at.UnixMilli(), b).Err()
}

// Len is how many jobs are queued or claimed.
func (q *Queue) Len(ctx context.Context) (int64, error) { return q.rdb.HLen(ctx, q.bod).Result() }

// Next is when the earliest queued job is due, and false when none is.
func (q *Queue) Next(ctx context.Context) (time.Time, bool, error) {
	z, err := q.rdb.ZRangeWithScores(ctx, q.due, 0, 0).Result()
	if err != nil || len(z) == 0 {
		return time.Time{}, false, err
	}
	return time.UnixMilli(int64(z[0].Score)), true, nil
}
