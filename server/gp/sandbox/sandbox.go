// Package sandbox is a GP system kept in Redis and seeded with the sandbox
// cast from DESIGN.md. It is the GP system of sandbox mode and of tests; it
// behaves like a real adapter (errors, atomicity) so code above the port
// cannot tell the difference.
//
// It is server-only.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// System is the Redis-backed sandbox GP system.
type System struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
	marks  windowMarks
	// rxStep is how long new prescription requests take over each status
	// (ns; zero for the default), set by SetPrescriptionStep.
	rxStep atomic.Int64
}

// New returns a sandbox GP system storing its data under prefix in rdb. now
// gives the current time (time.Now outside tests).
func New(rdb redis.UniversalClient, prefix string, now func() time.Time) *System {
	if now == nil {
		now = time.Now
	}
	return &System{rdb: rdb, prefix: prefix, now: now, marks: windowMarks{seen: map[string]windowMark{}}}
}

func (s *System) key(parts ...string) string {
	return s.prefix + "gp:" + strings.Join(parts, ":")
}

// Seed writes the sandbox practices and cast. It is idempotent: running it
// again rewrites the same records.
func (s *System) Seed(ctx context.Context) error {
	today := s.now()
	pipe := s.rdb.TxPipeline()
	for _, p := range practices {
		pipe.HSet(ctx, s.key("practice", p.ODS), map[string]any{
			"ods": p.ODS, "name": p.Name, "icb": p.ICB, "country": p.Country, "tz": p.TimeZone,
			"address": strings.Join(p.Address, "\n"), "postcode": p.Postcode, "phone": p.Phone,
			"child_age": p.ProxyChildAge,
		})
	}
	for _, c := range cast {
		if !nhs.ValidNumber(c.nhsNumber) || !nhs.TestRange(c.nhsNumber) {
			return fmt.Errorf("seed: cast member %s %s has no valid 999-range NHS number", c.given, c.family)
		}
		pipe.HSet(ctx, s.key("patient", c.nhsNumber), map[string]any{
			"nhs": c.nhsNumber, "given": c.given, "family": c.family,
			"birth": birthDate(today, c.age, c.birthdayOffset).String(), "practice": c.practice,
		})
	}
	if err := s.seedRelationships(ctx, pipe, today); err != nil {
		return fmt.Errorf("seed sandbox GP system: %w", err)
	}
	if err := s.seedDiary(ctx, pipe); err != nil {
		return fmt.Errorf("seed sandbox GP system: %w", err)
	}
	if err := s.seedRecords(ctx, pipe, today); err != nil {
		return fmt.Errorf("seed sandbox GP system: %w", err)
	}
	if err := s.seedPrescriptions(ctx, pipe, today); err != nil {
		return fmt.Errorf("seed sandbox GP system: %w", err)
	}
	pipe.Set(ctx, s.key("seeded"), today.UTC().Format(time.RFC3339), 0)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("seed sandbox GP system: %w", err)
	}
	return nil
}

// reseedIfLost seeds again when Redis has lost the sandbox's data (a restart
// of a Redis that keeps nothing on disk), so the sandbox recovers by itself.
// It reports whether it did.
func (s *System) reseedIfLost(ctx context.Context) bool {
	n, err := s.rdb.Exists(ctx, s.key("seeded")).Result()
	if err != nil || n == 1 {
		return false
	}
	return s.Seed(ctx) == nil
}

// Practice returns a practice by ODS code.
func (s *System) Practice(ctx context.Context, ods string) (gp.Practice, error) {
	m, err := s.rdb.HGetAll(ctx, s.key("practice", ods)).Result()
	if err != nil {
		return gp.Practice{}, fmt.Errorf("practice: %w: %w", gp.ErrUnavailable, err)
	}
	if len(m) == 0 && s.reseedIfLost(ctx) {
		m, _ = s.rdb.HGetAll(ctx, s.key("practice", ods)).Result()
	}
	if len(m) == 0 {
		return gp.Practice{}, fmt.Errorf("practice: %w", gp.ErrNotFound)
	}
	return gp.Practice{
		ODS: m["ods"], Name: m["name"], ICB: m["icb"], Country: m["country"], TimeZone: m["tz"],
		Address: strings.Split(m["address"], "\n"), Postcode: m["postcode"], Phone: m["phone"],
		ProxyChildAge: atoi(m["child_age"]), Booking: rulesFrom(m), Prescribing: prescribingFrom(m),
	}, nil
}

// Patient returns a patient by NHS number.
func (s *System) Patient(ctx context.Context, nhsNumber string) (gp.Patient, error) {
	if !nhs.ValidNumber(nhsNumber) {
		return gp.Patient{}, fmt.Errorf("patient: %w", gp.ErrNotFound)
	}
	m, err := s.rdb.HGetAll(ctx, s.key("patient", nhsNumber)).Result()
	if err != nil {
		return gp.Patient{}, fmt.Errorf("patient: %w: %w", gp.ErrUnavailable, err)
	}
	if len(m) == 0 && s.reseedIfLost(ctx) {
		m, _ = s.rdb.HGetAll(ctx, s.key("patient", nhsNumber)).Result()
	}
	if len(m) == 0 {
		return gp.Patient{}, fmt.Errorf("patient: %w", gp.ErrNotFound)
	}
	birth, err := parseDate(m["birth"])
	if err != nil {
		return gp.Patient{}, fmt.Errorf("patient: stored birth date: %w", err)
	}
	return gp.Patient{
		NHSNumber: m["nhs"], GivenName: m["given"], FamilyName: m["family"],
		BirthDate: birth, PracticeODS: m["practice"],
	}, nil
}

// PracticeCodes lists the sandbox's practices (for national administrators).
func (s *System) PracticeCodes(context.Context) ([]string, error) {
	out := make([]string, len(practices))
	for i, p := range practices {
		out[i] = p.ODS
	}
	return out, nil
}

// Ping checks that the sandbox's Redis answers.
func (s *System) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping: %w: %w", gp.ErrUnavailable, err)
	}
	return nil
}

func parseDate(s string) (gp.Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return gp.Date{}, errors.New("not a date: " + strconv.Quote(s))
	}
	return gp.DateOf(t), nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
