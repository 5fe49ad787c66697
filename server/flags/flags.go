// Package flags switches Companion's features on per patient: by the
// patient's practice (ODS code), its integrated care board, or a rollout
// percentage with stable bucketing, under a national kill switch that
// overrides everything. Rules and their history are kept by a Rules
// (PostgreSQL in production, Redis in the sandbox); every server process
// caches them briefly and drops its cache when another process announces a
// change on a Redis channel, so a change is enforced everywhere within a
// second.
//
// Evaluation goes through Store.Enabled only. An unknown flag, or a store
// that cannot be reached, evaluates to off (logged once, not per request).
//
// It is server-only.
package flags

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Name names a feature flag.
type Name string

// The features pilot sites switch on.
const (
	Appointments       Name = "appointments"
	Prescriptions      Name = "prescriptions"
	Record             Name = "record"
	FHIRExport         Name = "fhir_export"
	LinkedProfiles     Name = "linked_profiles"
	OnlineConsultation Name = "online_consultation"
	// Messages is the practice's messages to its patients.
	Messages Name = "messages"
	// AppointmentWaitlist offers earlier times freed by cancellations to
	// people who asked, in order of asking.
	AppointmentWaitlist Name = "appointment_waitlist"
	// RemoteMonitoring is readings patients send for the monitoring plan
	// their practice put them on.
	RemoteMonitoring Name = "remote_monitoring"
)

// All lists every flag, in the order pages show them.
var All = []Name{Appointments, AppointmentWaitlist, Prescriptions, Record, FHIRExport, LinkedProfiles, OnlineConsultation, Messages, RemoteMonitoring}

// Known reports whether n is a flag Companion has.
func Known(n Name) bool { return slices.Contains(All, n) }

// Rule is how one flag evaluates.
type Rule struct {
	// Kill is the national kill switch: off for everyone, whatever else says.
	Kill bool `json:"kill"`
	// Practices turns the flag on or off for patients of a practice (ODS code).
	Practices map[string]bool `json:"practices,omitempty"`
	// ICBs turns it on or off for an integrated care board's practices.
	ICBs map[string]bool `json:"icbs,omitempty"`
	// Percentage rolls it out to that share of other patients (0–100),
	// always the same patients for the same flag.
	Percentage int `json:"percentage"`
}

// Subject is whom a flag is evaluated for: the patient being acted for.
type Subject struct {
	PatientID string
	ODS       string
	ICB       string
}

// Evaluate applies the rule: kill switch, then practice, then ICB, then the
// rollout percentage. It returns the outcome and which part decided it.
func (r Rule) Evaluate(name Name, s Subject) (bool, string) {
	if r.Kill {
		return false, "kill_switch"
	}
	if on, ok := r.Practices[s.ODS]; ok && s.ODS != "" {
		return on, "practice"
	}
	if on, ok := r.ICBs[s.ICB]; ok && s.ICB != "" {
		return on, "icb"
	}
	if r.Percentage > 0 && s.PatientID != "" && Bucket(name, s.PatientID) < r.Percentage {
		return true, "rollout"
	}
	return false, "default"
}

// Bucket places a patient in 0–99 for a flag, stably: the same patient is in
// the same bucket every time, and buckets differ between flags.
func Bucket(name Name, patientID string) int {
	sum := sha256.Sum256([]byte(string(name) + "\x00" + patientID))
	return int(binary.BigEndian.Uint64(sum[:8]) % 100)
}

// Change is one audited change to a flag.
type Change struct {
	Time   time.Time `json:"time"`
	Flag   Name      `json:"flag"`
	Actor  string    `json:"actor"`
	Reason string    `json:"reason"`
	Before Rule      `json:"before"`
	After  Rule      `json:"after"`
}

// Store evaluates and changes rules kept by a Rules, with a short local
// cache dropped on every change notice.
type Store struct {
	rules  Rules
	rdb    redis.UniversalClient // change notices
	prefix string
	ttl    time.Duration
	log    *slog.Logger
	now    func() time.Time

	// Evaluations counts evaluations by flag and outcome.
	Evaluations *prometheus.CounterVec

	unknown sync.Map // unknown flag names already logged

	mu      sync.Mutex
	cached  map[Name]Rule
	fetched time.Time
	down    bool // the store was unreachable at the last fetch (logged once)
}

// NewStore returns a store keeping its rules in Redis under prefix, whose
// local cache lives for ttl.
func NewStore(rdb redis.UniversalClient, prefix string, ttl time.Duration, log *slog.Logger) *Store {
	return NewStoreIn(RedisRules(rdb, prefix), rdb, prefix, ttl, log)
}

// NewStoreIn returns a store keeping its rules in rules, announcing changes
// on rdb under prefix.
func NewStoreIn(rules Rules, rdb redis.UniversalClient, prefix string, ttl time.Duration, log *slog.Logger) *Store {
	return &Store{
		rules: rules, rdb: rdb, prefix: prefix, ttl: ttl, log: log, now: time.Now,
		Evaluations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "companion_flag_evaluations_total", Help: "Feature flag evaluations by flag and outcome.",
		}, []string{"flag", "outcome"}),
	}
}

func (s *Store) channel() string { return s.prefix + "flags:changed" }

// Enabled evaluates a flag for a subject. Unknown flags and an unreachable
// store are off.
func (s *Store) Enabled(ctx context.Context, name Name, sub Subject) bool {
	if !Known(name) {
		if _, seen := s.unknown.LoadOrStore(name, true); !seen {
			s.log.Warn("unknown feature flag evaluated: off", "flag", string(name))
		}
		s.Evaluations.WithLabelValues("unknown", "off").Inc()
		return false
	}
	rules, err := s.all(ctx)
	if err != nil {
		s.Evaluations.WithLabelValues(string(name), "off").Inc()
		return false
	}
	on, _ := rules[name].Evaluate(name, sub)
	outcome := "off"
	if on {
		outcome = "on"
	}
	s.Evaluations.WithLabelValues(string(name), outcome).Inc()
	return on
}

// Down reports whether the rules cannot be read now (the store is
// unreachable and nothing fresh is cached), so that a flag evaluated off
// may be off only for that reason: a caller answers "try again" (503)
// rather than "not available" while the store fails over.
func (s *Store) Down(ctx context.Context) bool {
	_, err := s.all(ctx)
	return err != nil
}

// Evaluate returns every flag's outcome for a subject.
func (s *Store) Evaluate(ctx context.Context, sub Subject) map[Name]bool {
	out := make(map[Name]bool, len(All))
	for _, n := range All {
		out[n] = s.Enabled(ctx, n, sub)
	}
	return out
}

// Rules returns every flag's rule (a missing rule is the zero Rule: off).
func (s *Store) Rules(ctx context.Context) (map[Name]Rule, error) {
	rules, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[Name]Rule, len(All))
	for _, n := range All {
		out[n] = rules[n]
	}
	return out, nil
}

// all returns the cached rules, fetching them when the cache is older than
// the TTL or was dropped by a change notice.
func (s *Store) all(ctx context.Context) (map[Name]Rule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// During an outage, ask again once per TTL, not on every request (and
	// never answer from the rules cached before it: every caller sees the
	// same outage).
	if s.down && s.now().Sub(s.fetched) < s.ttl {
		return nil, errStoreDown
	}
	if s.cached != nil && s.now().Sub(s.fetched) < s.ttl {
		return s.cached, nil
	}
	rules, err := s.rules.All(ctx)
	if err != nil {
		s.fetched = s.now()
		if !s.down {
			s.down = true
			s.log.Error("feature flag store unreachable: features evaluate to off", "err", err)
		}
		return nil, fmt.Errorf("flags: %w", err)
	}
	if s.down {
		s.down = false
		s.log.Info("feature flag store reachable again")
	}
	s.cached, s.fetched = rules, s.now()
	return rules, nil
}

var errStoreDown = errors.New("flags: store unreachable")

// ErrUnknownFlag is returned when changing a flag Companion does not have.
var ErrUnknownFlag = errors.New("flags: unknown flag")

// Update changes one flag atomically: mutate gets the current rule and
// returns the new one. The change is recorded in the history and announced
// to every process.
func (s *Store) Update(ctx context.Context, name Name, actor, reason string, mutate func(Rule) (Rule, error)) (Change, error) {
	if !Known(name) {
		return Change{}, ErrUnknownFlag
	}
	change, err := s.rules.Change(ctx, name, func(before Rule) (Change, error) {
		after, err := mutate(clone(before))
		if err != nil {
			return Change{}, err
		}
		return Change{Time: s.now(), Flag: name, Actor: actor, Reason: reason, Before: before, After: after}, nil
	})
	if err != nil {
		return Change{}, fmt.Errorf("update flag %s: %w", name, err)
	}
	s.invalidate()
	// Other processes drop their caches now; their TTL covers a lost notice.
	if err := s.rdb.Publish(ctx, s.channel(), string(name)).Err(); err != nil {
		s.log.Warn("feature flag change notice not sent", "flag", string(name), "err", err)
	}
	return change, nil
}

func clone(r Rule) Rule {
	c := r
	c.Practices = map[string]bool{}
	for k, v := range r.Practices {
		c.Practices[k] = v
	}
	c.ICBs = map[string]bool{}
	for k, v := range r.ICBs {
		c.ICBs[k] = v
	}
	return c
}

func (s *Store) invalidate() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// History returns the most recent changes, newest first.
func (s *Store) History(ctx context.Context, n int64) ([]Change, error) {
	out, err := s.rules.History(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("flag history: %w", err)
	}
	return out, nil
}

// Watch drops the local cache whenever any process announces a change, until
// ctx ends. The cache's TTL covers a missed announcement.
func (s *Store) Watch(ctx context.Context) {
	sub := s.rdb.Subscribe(ctx, s.channel())
	defer sub.Close()
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ch:
			if !ok {
				return
			}
			s.invalidate()
		}
	}
}

// SeedDefaults writes rules for flags that have none, leaving any rule a
// person has set alone.
func (s *Store) SeedDefaults(ctx context.Context, defaults map[Name]Rule) error {
	if err := s.rules.Seed(ctx, defaults); err != nil {
		return fmt.Errorf("seed flags: %w", err)
	}
	s.invalidate()
	return nil
}
