package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// castRelationship is proxy access between cast members. Dates are relative
// to today, like the cast's ages.
type castRelationship struct {
	actor, patient, kind string
	perms                []nhs.Permission
	startDaysAgo         int
}

// relationships is DESIGN.md's proxy access, plus Kofi, whose mother's
// access was suspended when he reached the practice's child-access age: the
// case that shows the age rule.
var relationships = []castRelationship{
	{"9990000018", "9990000026", "parent", []nhs.Permission{nhs.PermAppointments, nhs.PermPrescriptions, nhs.PermRecordSummary}, 8 * 365},
	{"9990000034", "9990000042", "carer", []nhs.Permission{nhs.PermAppointments, nhs.PermPrescriptions, nhs.PermMessages, nhs.PermMonitoring}, 3 * 365},
	{"9990000018", "9990000077", "parent", []nhs.Permission{nhs.PermAppointments, nhs.PermPrescriptions, nhs.PermRecordSummary}, 12 * 365},
}

// storedRelationship is a relationship as the sandbox keeps it in Redis.
type storedRelationship struct {
	Actor       string           `json:"actor"`
	Patient     string           `json:"patient"`
	Kind        string           `json:"kind"`
	Permissions []nhs.Permission `json:"perms"`
	Start       string           `json:"start"`
	End         string           `json:"end,omitempty"`
	PatientBorn string           `json:"patient_born,omitempty"`
	Revoked     bool             `json:"revoked,omitempty"`
	Regranted   bool             `json:"regranted,omitempty"`
}

func (s *System) seedRelationships(ctx context.Context, pipe redis.Pipeliner, today time.Time) error {
	for _, c := range relationships {
		born, _ := castBirth(today, c.patient)
		r := gp.Relationship{
			ActorNHS: c.actor, PatientNHS: c.patient, Kind: c.kind, Permissions: c.perms,
			Start: gp.DateOf(today.AddDate(0, 0, -c.startDaysAgo)), PatientBirthDate: born,
		}
		if err := s.writeRelationship(ctx, pipe, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *System) writeRelationship(ctx context.Context, pipe redis.Cmdable, r gp.Relationship) error {
	if !nhs.ValidNumber(r.ActorNHS) || !nhs.ValidNumber(r.PatientNHS) || r.ActorNHS == r.PatientNHS || r.Kind == "" || r.Start.IsZero() {
		return fmt.Errorf("write relationship: %w", gp.ErrInvalidRelationship)
	}
	for _, p := range r.Permissions {
		if !nhs.KnownPermission(p) {
			return fmt.Errorf("write relationship: permission %q: %w", p, gp.ErrInvalidRelationship)
		}
	}
	st := storedRelationship{
		Actor: r.ActorNHS, Patient: r.PatientNHS, Kind: r.Kind, Permissions: r.Permissions,
		Start: r.Start.String(), Revoked: r.Revoked, Regranted: r.Regranted, PatientBorn: r.PatientBirthDate.String(),
	}
	if !r.End.IsZero() {
		st.End = r.End.String()
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	pipe.HSet(ctx, s.key("proxy", "by-actor", r.ActorNHS), r.PatientNHS, b)
	pipe.HSet(ctx, s.key("proxy", "by-patient", r.PatientNHS), r.ActorNHS, b)
	pipe.Incr(ctx, s.accessKey(r.ActorNHS))
	return nil
}

// accessKey counts changes to what the sandbox holds about a person's
// access: their own record, their relationships, and the records of the
// people they act for. Every writer of those increments it.
func (s *System) accessKey(nhsNumber string) string { return s.of(nhsNumber, "access") }

// AccessStamp is the person's access change count: one GET.
func (s *System) AccessStamp(ctx context.Context, actorNHS string) (string, error) {
	return stampOf(s.rdb.Get(ctx, s.accessKey(actorNHS)))
}

// QueueAccessStamp adds the GET of AccessStamp to someone else's pipeline
// (the session's read), answering once it has run.
func (s *System) QueueAccessStamp(ctx context.Context, pipe redis.Pipeliner, actorNHS string) func() (string, error) {
	cmd := pipe.Get(ctx, s.accessKey(actorNHS))
	return func() (string, error) { return stampOf(cmd) }
}

func stampOf(cmd *redis.StringCmd) (string, error) {
	v, err := cmd.Result()
	if errors.Is(err, redis.Nil) {
		return "0", nil
	}
	if err != nil {
		return "", fmt.Errorf("access stamp: %w: %w", gp.ErrUnavailable, err)
	}
	return v, nil
}

// SetRelationship stores (creates or replaces) a relationship, as a practice
// would record, change or revoke proxy access. Tests and the demo use it.
// Its two indexes are in different slots on a cluster, so they are written
// in one pipeline, not one transaction: a failure between them is reported,
// and writing the relationship again mends it.
func (s *System) SetRelationship(ctx context.Context, r gp.Relationship) error {
	pipe := s.rdb.Pipeline()
	if err := s.writeRelationship(ctx, pipe, r); err != nil {
		return err
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("set relationship: %w: %w", gp.ErrUnavailable, err)
	}
	return nil
}

// Relationships lists who actorNHS may (or once could) act for.
func (s *System) Relationships(ctx context.Context, actorNHS string) ([]gp.Relationship, error) {
	return s.readRelationships(ctx, s.key("proxy", "by-actor", actorNHS))
}

// ProxiesOf lists who may (or once could) act for patientNHS.
func (s *System) ProxiesOf(ctx context.Context, patientNHS string) ([]gp.Relationship, error) {
	return s.readRelationships(ctx, s.key("proxy", "by-patient", patientNHS))
}

func (s *System) readRelationships(ctx context.Context, key string) ([]gp.Relationship, error) {
	m, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("relationships: %w: %w", gp.ErrUnavailable, err)
	}
	if len(m) == 0 && s.reseedIfLost(ctx) {
		m, _ = s.rdb.HGetAll(ctx, key).Result()
	}
	out := make([]gp.Relationship, 0, len(m))
	for _, v := range m {
		var st storedRelationship
		if err := json.Unmarshal([]byte(v), &st); err != nil {
			return nil, fmt.Errorf("relationships: stored record: %w", err)
		}
		r := gp.Relationship{
			ActorNHS: st.Actor, PatientNHS: st.Patient, Kind: st.Kind, Permissions: st.Permissions,
			Revoked: st.Revoked, Regranted: st.Regranted,
		}
		if r.Start, err = gp.ParseDate(st.Start); err != nil {
			return nil, fmt.Errorf("relationships: stored start: %w", err)
		}
		if st.End != "" {
			if r.End, err = gp.ParseDate(st.End); err != nil {
				return nil, fmt.Errorf("relationships: stored end: %w", err)
			}
		}
		if st.PatientBorn != "" {
			if r.PatientBirthDate, err = gp.ParseDate(st.PatientBorn); err != nil {
				return nil, fmt.Errorf("relationships: stored patient birth date: %w", err)
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].PatientNHS != out[j].PatientNHS {
			return out[i].PatientNHS < out[j].PatientNHS
		}
		return out[i].ActorNHS < out[j].ActorNHS
	})
	return out, nil
}
