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

// New returns a sandbox GP system storing its data under prefix (which holds
// no braces) in rdb, a single node or a Redis Cluster. now gives the current
// time (time.Now outside tests).
func New(rdb redis.UniversalClient, prefix string, now func() time.Time) *System {
	if now == nil {
		now = time.Now
	}
	return &System{rdb: rdb, prefix: prefix, now: now, marks: windowMarks{seen: map[string]windowMark{}}}
}

// The sandbox's keys all begin with the prefix and "gp:". Keys that one
// script or transaction touches together carry a Redis Cluster hash tag, so
// that on a cluster they sit in one slot:
//
//   - {ODS}, the practice (at): the diary (days, free, slots, clinicians),
//     who is registered there, the appointments and each patient's booked
//     and listed appointments, and contact requests with the patient's and
//     the practice's lists of them. Booking takes a slot and checks the
//     patient's limit in one script; every person belongs to one practice,
//     so a patient's appointments and requests live in their practice's slot.
//   - {NHS number}, the person (of): prescribing, whose order script touches
//     the patient's templates, pending times and requests.
//
// Keys read or written alone are untagged (key): practices, patients (the
// directory from NHS number to practice), records, remote-monitoring
// readings (one hash per patient), the seed mark and proxy relationships,
// whose two indexes (by actor, by patient) are written one after the
// other.
func (s *System) key(parts ...string) string {
	return s.prefix + "gp:" + strings.Join(parts, ":")
}

// at is a key in the practice's slot.
func (s *System) at(ods string, parts ...string) string {
	return s.prefix + "gp:{" + ods + "}:" + strings.Join(parts, ":")
}

// of is a key in the person's slot.
func (s *System) of(nhsNumber string, parts ...string) string {
	return s.prefix + "gp:{" + nhsNumber + "}:" + strings.Join(parts, ":")
}

// registeredKey is the set of NHS numbers registered at the practice, for
// checks made in the practice's slot.
func (s *System) registeredKey(ods string) string { return s.at(ods, "registered") }

// Seed writes the sandbox practices and cast. It is idempotent: running it
// again rewrites the same records. Its keys are in many slots, so it is one
// pipeline rather than one transaction; the seed mark is written after
// everything else has been, so a seed cut short is made again.
func (s *System) Seed(ctx context.Context) error {
	today := s.now()
	pipe := s.rdb.Pipeline()
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
		pipe.SAdd(ctx, s.registeredKey(c.practice), c.nhsNumber)
		pipe.Incr(ctx, s.accessKey(c.nhsNumber)) // (and by seedRelationships for those who act for them)
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
	if err := s.seedReadings(ctx, pipe, today); err != nil {
		return fmt.Errorf("seed sandbox GP system: %w", err)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("seed sandbox GP system: %w", err)
	}
	if err := s.rdb.Set(ctx, s.key("seeded"), today.UTC().Format(time.RFC3339), 0).Err(); err != nil {
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

// practiceOf is the ODS code of the patient's practice, from the directory:
// ErrNotFound when no such patient is registered.
func (s *System) practiceOf(ctx context.Context, nhsNumber string) (string, error) {
	if ods := gp.Registration(ctx, nhsNumber); ods != "" {
		return ods, nil
	}
	ods, err := s.readPracticeOf(ctx, nhsNumber)
	if err == nil {
		gp.NoteRegistration(ctx, nhsNumber, ods)
	}
	return ods, err
}

func (s *System) readPracticeOf(ctx context.Context, nhsNumber string) (string, error) {
	ods, err := s.rdb.HGet(ctx, s.key("patient", nhsNumber), "practice").Result()
	if errors.Is(err, redis.Nil) && s.reseedIfLost(ctx) {
		ods, err = s.rdb.HGet(ctx, s.key("patient", nhsNumber), "practice").Result()
	}
	switch {
	case errors.Is(err, redis.Nil), err == nil && ods == "":
		return "", gp.ErrNotFound
	case err != nil:
		return "", fmt.Errorf("%w: %w", gp.ErrUnavailable, err)
	}
	return ods, nil
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
