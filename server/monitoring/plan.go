package monitoring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/gp"
)

// Plan is a practice's decision to monitor a patient at home: which
// readings, how often, until when, and the thresholds that need attention.
type Plan struct {
	PatientNHS  string     `json:"nhs"`
	PracticeODS string     `json:"ods"`
	Signs       []PlanSign `json:"signs"`
	// Start is when the plan began, End when it stops asking for readings.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// SetBy is the member of staff who last changed it, Updated when.
	SetBy   string    `json:"set_by"`
	Updated time.Time `json:"updated"`
	// ReviewedUpTo: the practice has reviewed every reading sent up to
	// then, by ReviewedBy; later ones count towards its attention. They
	// are kept apart from the plan (Store.Review), so a review and a
	// change to the plan made at once never undo each other.
	ReviewedUpTo time.Time `json:"-"`
	ReviewedBy   string    `json:"-"`
}

// PlanSign is one reading the plan asks for.
type PlanSign struct {
	Sign       gp.VitalSign `json:"sign"`
	EveryHours int          `json:"every_hours"`
	// Limits are the thresholds of each of the sign's parts.
	Limits []Limits `json:"limits"`
}

// Active reports whether the plan asks for readings at now.
func (p Plan) Active(now time.Time) bool { return !now.Before(p.Start) && now.Before(p.End) }

// Asks is the plan's entry for a sign; ok is false when it does not ask
// for that reading.
func (p Plan) Asks(s gp.VitalSign) (PlanSign, bool) {
	for _, ps := range p.Signs {
		if ps.Sign == s {
			return ps, true
		}
	}
	return PlanSign{}, false
}

// Store keeps plans, one per patient at each practice.
type Store interface {
	// Plan is the patient's plan at the practice; ok is false for none.
	Plan(ctx context.Context, ods, nhsNumber string) (p Plan, ok bool, err error)
	// Plans lists the practice's plans.
	Plans(ctx context.Context, ods string) ([]Plan, error)
	// Put saves a plan, replacing the patient's plan at its practice
	// (its review is kept as it is).
	Put(ctx context.Context, p Plan) error
	// Review records that the practice reviewed the patient's readings
	// sent up to upTo, unless it had already reviewed later ones.
	Review(ctx context.Context, ods, nhsNumber string, upTo time.Time, by string) error
}

// redisStore keeps each practice's plans in one hash (one field per
// patient), so a change to one patient's plan never loses another's.
type redisStore struct {
	rdb    redis.UniversalClient
	prefix string
}

// RedisStore keeps plans in rdb: the sandbox's store.
func RedisStore(rdb redis.UniversalClient, prefix string) Store {
	return &redisStore{rdb: rdb, prefix: prefix}
}

func (s *redisStore) key(ods string) string { return s.prefix + "monitoring:{" + ods + "}:plans" }

// reviews is the practice's reviews, one field per patient: "ms by".
func (s *redisStore) reviews(ods string) string { return s.prefix + "monitoring:{" + ods + "}:reviews" }

// reviewScript moves a patient's review forward, never back.
var reviewScript = redis.NewScript(`
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old and tonumber(string.match(old, '^%d+')) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3])
return 1
`)

func (s *redisStore) Review(ctx context.Context, ods, nhsNumber string, upTo time.Time, by string) error {
	return reviewScript.Run(ctx, s.rdb, []string{s.reviews(ods)}, nhsNumber, upTo.UnixMilli(), by).Err()
}

// withReview fills in a plan's review from its "ms by" record.
func withReview(p *Plan, rec string) {
	ms, by, _ := strings.Cut(rec, " ")
	if n, err := strconv.ParseInt(ms, 10, 64); err == nil && n > 0 {
		p.ReviewedUpTo, p.ReviewedBy = time.UnixMilli(n), by
	}
}
func (s *redisStore) Plan(ctx context.Context, ods, nhsNumber string) (Plan, bool, error) {
	b, err := s.rdb.HGet(ctx, s.key(ods), nhsNumber).Bytes()
	if errors.Is(err, redis.Nil) {
		return Plan{}, false, nil
	}
	if err != nil {
		return Plan{}, false, err
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return Plan{}, false, fmt.Errorf("monitoring: read plan: %w", err)
	}
	rec, err := s.rdb.HGet(ctx, s.reviews(ods), nhsNumber).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return Plan{}, false, err
	}
	withReview(&p, rec)
	return p, true, nil
}

func (s *redisStore) Plans(ctx context.Context, ods string) ([]Plan, error) {
	all, err := s.rdb.HGetAll(ctx, s.key(ods)).Result()
	if err != nil {
		return nil, err
	}
	reviews, err := s.rdb.HGetAll(ctx, s.reviews(ods)).Result()
	if err != nil {
		return nil, err
	}
	out := make([]Plan, 0, len(all))
	for nhsNumber, b := range all {
		var p Plan
		if err := json.Unmarshal([]byte(b), &p); err != nil {
			return nil, fmt.Errorf("monitoring: read plan: %w", err)
		}
		withReview(&p, reviews[nhsNumber])
		out = append(out, p)
	}
	return out, nil
}

func (s *redisStore) Put(ctx context.Context, p Plan) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.rdb.HSet(ctx, s.key(p.PracticeODS), p.PatientNHS, b).Err()
}
