package sandbox

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox/castdata"
)

// readingsKey is the patient's remote-monitoring readings: one hash of
// reading ID to the reading as JSON. A reading never changes once sent,
// and a patient's are always read together (a list from a time on), so
// one HSET writes a reading and one HGETALL reads them all, both atomic
// on their own; the hash is untagged, read and written alone. Seeded
// readings have stable IDs, so reseeding rewrites them, and readings a
// patient sent are kept.
func (s *System) readingsKey(nhsNumber string) string { return s.key("readings", nhsNumber) }

// storedReading is a reading as kept in the patient's hash.
type storedReading struct {
	ID          string    `json:"id"`
	PatientNHS  string    `json:"nhs"`
	PracticeODS string    `json:"ods"`
	Sign        string    `json:"sign"`
	Values      []float64 `json:"values"`
	Taken       time.Time `json:"taken"`
	Submitted   time.Time `json:"submitted"`
	Note        string    `json:"note,omitempty"`
	SubmittedBy string    `json:"by,omitempty"`
	Attention   string    `json:"attention,omitempty"`
	Direction   string    `json:"direction,omitempty"`
}

// RecordReading stores a reading of a patient registered at
// r.PracticeODS. It is ErrNotFound for an invalid NHS number, a patient
// not registered there or a sign that is none of gp.VitalSigns; any other
// fault r.Check finds is an error of no port kind. The reading gets a new
// unguessable ID; a zero Submitted becomes now.
func (s *System) RecordReading(ctx context.Context, r gp.Reading) (gp.Reading, error) {
	// Errors name nothing the caller gave: it may be an NHS number.
	const op = "record reading"
	if !nhs.ValidNumber(r.PatientNHS) {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	if err := r.Check(); err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, err)
	}
	p, err := s.Patient(ctx, r.PatientNHS)
	if err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, err)
	}
	if p.PracticeODS == "" || p.PracticeODS != r.PracticeODS {
		return gp.Reading{}, fmt.Errorf("%s: patient at the practice: %w", op, gp.ErrNotFound)
	}
	id, err := newAppointmentID()
	if err != nil {
		return gp.Reading{}, fmt.Errorf("%s: id: %w", op, err)
	}
	if r.Submitted.IsZero() {
		r.Submitted = s.now()
	}
	r.ID = id
	b, err := json.Marshal(stored(r))
	if err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, err)
	}
	key := s.readingsKey(r.PatientNHS)
	err = s.onMaster(ctx, key, func(rc redis.Cmdable) (bool, error) {
		err := rc.HSet(ctx, key, id, string(b)).Err()
		return err == nil, err
	})
	if err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	// Read back the way lists read it, so what is returned is what is
	// listed.
	out, err := readingFrom(string(b))
	if err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// Readings lists the patient's readings taken at or after since (all when
// since is zero), newest taken first: ErrNotFound for an NHS number that
// is invalid or not registered, an empty list for a patient with none.
func (s *System) Readings(ctx context.Context, patientNHS string, since time.Time) ([]gp.Reading, error) {
	const op = "readings"
	if !nhs.ValidNumber(patientNHS) {
		return nil, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	if _, err := s.practiceOf(ctx, patientNHS); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	docs, err := s.rdb.HGetAll(ctx, s.readingsKey(patientNHS)).Result()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	out := make([]gp.Reading, 0, len(docs))
	for _, doc := range docs {
		r, err := readingFrom(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		if !r.Taken.Before(since) {
			out = append(out, r)
		}
	}
	// Readings taken at one moment are ordered by ID, so every read lists
	// them alike.
	slices.SortFunc(out, func(a, b gp.Reading) int {
		return cmp.Or(b.Taken.Compare(a.Taken), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func stored(r gp.Reading) storedReading {
	return storedReading{
		ID: r.ID, PatientNHS: r.PatientNHS, PracticeODS: r.PracticeODS, Sign: string(r.Sign), Values: slices.Clone(r.Values),
		// Kept in UTC: the practice's zone is applied when read.
		Taken: r.Taken.UTC(), Submitted: r.Submitted.UTC(),
		Note: r.Note, SubmittedBy: r.SubmittedBy, Attention: string(r.Attention), Direction: r.Direction,
	}
}

// readingFrom reads a stored reading, its times in its practice's zone.
func readingFrom(doc string) (gp.Reading, error) {
	var d storedReading
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return gp.Reading{}, fmt.Errorf("stored reading: %w", err)
	}
	if d.ID == "" {
		return gp.Reading{}, errors.New("stored reading: no ID")
	}
	loc := zones[d.PracticeODS]
	if loc == nil {
		loc = time.UTC
	}
	return gp.Reading{
		ID: d.ID, PatientNHS: d.PatientNHS, PracticeODS: d.PracticeODS, Sign: gp.VitalSign(d.Sign), Values: d.Values,
		Taken: d.Taken.In(loc), Submitted: d.Submitted.In(loc),
		Note: d.Note, SubmittedBy: d.SubmittedBy, Attention: gp.Attention(d.Attention), Direction: d.Direction,
	}, nil
}

// seedReadings adds the cast's readings to a seed, dated back from now:
// each series' newest round at the latest of its times at least
// seedLead ago, in the practice's zone.
func (s *System) seedReadings(ctx context.Context, pipe redis.Pipeliner, now time.Time) error {
	for _, c := range cast {
		series, ok := castdata.Monitoring[c.nhsNumber]
		if !ok {
			continue
		}
		loc := zones[c.practice]
		if loc == nil {
			return fmt.Errorf("readings of %s %s: no zone for their practice", c.given, c.family)
		}
		fields := map[string]any{}
		for i, at := range roundTimes(now.Add(-seedLead), loc, series.Times, len(series.Rounds)) {
			// at is newest first; the rounds are oldest first.
			round := len(series.Rounds) - 1 - i
			for j, sr := range series.Rounds[round] {
				r := gp.Reading{
					ID: readingID(c.given+" "+c.family, round, j), PatientNHS: c.nhsNumber, PracticeODS: c.practice,
					Sign: sr.Sign, Values: sr.Values, Taken: at.Add(time.Duration(j) * time.Minute),
					Submitted: at.Add(time.Duration(len(series.Rounds[round])+1) * time.Minute),
					Note:      sr.Note, Attention: sr.Attention, Direction: sr.Direction,
				}
				if err := r.Check(); err != nil {
					return fmt.Errorf("reading %d.%d of %s %s: %w", round, j, c.given, c.family, err)
				}
				b, err := json.Marshal(stored(r))
				if err != nil {
					return err
				}
				fields[r.ID] = string(b)
			}
		}
		pipe.HSet(ctx, s.readingsKey(c.nhsNumber), fields)
	}
	return nil
}

// seedLead is how long before the seed the newest seeded round was
// taken: time enough for the whole round to have been taken and sent.
const seedLead = 20 * time.Minute

// roundTimes are the latest n times of day (of times, in loc) at or before
// until, newest first.
func roundTimes(until time.Time, loc *time.Location, times []time.Duration, n int) []time.Time {
	var out []time.Time
	y, m, d := until.In(loc).Date()
	for day := 0; len(out) < n && day <= n+1; day++ {
		for i := len(times) - 1; i >= 0 && len(out) < n; i-- {
			t := times[i]
			at := time.Date(y, m, d-day, int(t/time.Hour), int(t%time.Hour/time.Minute), 0, 0, loc)
			if !at.After(until) {
				out = append(out, at)
			}
		}
	}
	return out
}

// readingID names a seeded reading, so reseeding rewrites it rather than
// adding another.
func readingID(owner string, round, i int) string {
	sum := sha256.Sum256([]byte("companion-sandbox-reading\x00" + owner + "\x00" + strconv.Itoa(round) + "\x00" + strconv.Itoa(i)))
	return "mr-" + hex.EncodeToString(sum[:8])
}
