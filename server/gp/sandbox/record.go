package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox/castdata"
)

// recordKey holds a patient's health record as one JSON document: the
// sandbox reads a record whole, as the port hands it over.
func (s *System) recordKey(nhsNumber string) string { return s.key("record", nhsNumber) }

// seedRecords adds the cast's health records to a seed. Their dates are
// computed from today, like the cast's ages, so the demo never ages.
func (s *System) seedRecords(ctx context.Context, pipe redis.Pipeliner, today time.Time) error {
	for _, c := range cast {
		b, err := json.Marshal(castRecord(c, today))
		if err != nil {
			return fmt.Errorf("record of %s %s: %w", c.given, c.family, err)
		}
		pipe.Set(ctx, s.recordKey(c.nhsNumber), b, 0)
	}
	return nil
}

// Record returns the patient's whole GP record. Who it is about comes from
// the patient's registration; a registered patient with no clinical record
// (a synthetic load-test patient) has an empty one.
func (s *System) Record(ctx context.Context, patientNHS string) (gp.Record, error) {
	if !nhs.ValidNumber(patientNHS) {
		return gp.Record{}, fmt.Errorf("record: %w", gp.ErrNotFound)
	}
	patient, blob, err := s.readRecord(ctx, patientNHS)
	if err != nil {
		return gp.Record{}, fmt.Errorf("record: %w: %w", gp.ErrUnavailable, err)
	}
	if len(patient) == 0 && s.reseedIfLost(ctx) {
		if patient, blob, err = s.readRecord(ctx, patientNHS); err != nil {
			return gp.Record{}, fmt.Errorf("record: %w: %w", gp.ErrUnavailable, err)
		}
	}
	if len(patient) == 0 {
		return gp.Record{}, fmt.Errorf("record: %w", gp.ErrNotFound)
	}
	var rec gp.Record
	if blob != nil {
		if err := json.Unmarshal(blob, &rec); err != nil {
			return gp.Record{}, fmt.Errorf("record: stored record: %w", err)
		}
	}
	birth, err := parseDate(patient["birth"])
	if err != nil {
		return gp.Record{}, fmt.Errorf("record: stored birth date: %w", err)
	}
	d := &rec.Demographics
	d.NHSNumber, d.GivenName, d.FamilyName = patient["nhs"], patient["given"], patient["family"]
	d.BirthDate, d.PracticeODS = birth, patient["practice"]
	if d.Gender == "" {
		d.Gender = "unknown"
	}
	return rec, nil
}

// readRecord reads the patient's registration and clinical record in one
// round trip. A missing record is nil, not an error.
func (s *System) readRecord(ctx context.Context, nhsNumber string) (map[string]string, []byte, error) {
	pipe := s.rdb.Pipeline()
	patient := pipe.HGetAll(ctx, s.key("patient", nhsNumber))
	record := pipe.Get(ctx, s.recordKey(nhsNumber))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, err
	}
	blob, err := record.Bytes()
	if errors.Is(err, redis.Nil) {
		blob, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return patient.Val(), blob, nil
}

// assignIDs gives every item of rec that has none a stable, opaque ID: a
// kind prefix and a digest of who the record is about (by name, never NHS
// number), the kind and the item's place, so reseeding keeps links valid.
func assignIDs(owner string, rec *gp.Record) {
	id := func(kind string, i int, cur string) string {
		if cur != "" {
			return cur
		}
		sum := sha256.Sum256([]byte("companion-sandbox-record\x00" + owner + "\x00" + kind + "\x00" + strconv.Itoa(i)))
		return kind + "-" + hex.EncodeToString(sum[:6])
	}
	for i := range rec.Allergies {
		rec.Allergies[i].ID = id("alg", i, rec.Allergies[i].ID)
	}
	for i := range rec.Medicines {
		rec.Medicines[i].ID = id("med", i, rec.Medicines[i].ID)
	}
	for i := range rec.Problems {
		rec.Problems[i].ID = id("prb", i, rec.Problems[i].ID)
	}
	for i := range rec.Immunisations {
		rec.Immunisations[i].ID = id("imm", i, rec.Immunisations[i].ID)
	}
	for i := range rec.TestResults {
		rec.TestResults[i].ID = id("res", i, rec.TestResults[i].ID)
	}
	for i := range rec.Consultations {
		rec.Consultations[i].ID = id("con", i, rec.Consultations[i].ID)
	}
	for i := range rec.Documents {
		rec.Documents[i].ID = id("doc", i, rec.Documents[i].ID)
	}
}

// castRecord is the cast member's record on the day today, with IDs. Its
// Demographics hold only what registration does not (gender, address,
// phone); Record adds the rest from the patient's registration.
func castRecord(c castMember, today time.Time) gp.Record {
	rec, ok := castdata.Record(c.nhsNumber, newClock(today, c))
	if !ok {
		return gp.Record{}
	}
	assignIDs(c.given+" "+c.family, &rec)
	return rec
}

// newClock dates the cast member's record on the day today.
func newClock(today time.Time, c castMember) castdata.Clock {
	return castdata.NewClock(today, birthDate(today, c.age, c.birthdayOffset), castBirth)
}
