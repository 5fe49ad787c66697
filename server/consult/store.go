package consult

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/keep"
	"github.com/redis/go-redis/v9"
)

// Suspension is a practice pausing its online front door, for example when
// it cannot safely triage what comes in. It ends by itself at Until.
type Suspension struct {
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"` // shown to patients and recorded
	By     string    `json:"by"`     // the member of staff
}

// Ticket is a place Take claimed for one request, to give back with
// Release.
type Ticket struct {
	ID   string
	ODS  string
	Kind gp.ContactKind
	Day  gp.Date
	// patient is the patient's part of the counter's key.
	patient string
}

// Store keeps each practice's settings and suspension (records that must
// outlive a restart, in a keep.Store) and its daily counters (in Redis).
type Store struct {
	rdb           redis.UniversalClient
	kept          keep.Store
	prefix        string
	defaults      Settings
	maxSuspension time.Duration
}

// NewStore returns a store keeping its data under prefix in rdb. Practices
// that have saved no settings get defaults; suspensions may last at most
// maxSuspension (no limit when it is <= 0).
func NewStore(rdb redis.UniversalClient, prefix string, defaults Settings, maxSuspension time.Duration) *Store {
	return &Store{rdb: rdb, kept: keep.Redis(rdb, prefix+"consult:"), prefix: prefix, defaults: defaults.clone(), maxSuspension: maxSuspension}
}

// KeepIn keeps the practices' settings and suspensions in k (PostgreSQL in
// production) instead of Redis.
func (st *Store) KeepIn(k keep.Store) *Store {
	st.kept = k
	return st
}

func (st *Store) key(parts ...string) string {
	return st.prefix + "consult:" + strings.Join(parts, ":")
}

// dayKey names a daily counter. Every key for one day shares the hash tag
// {day}, so the scripts that touch several of them work on Redis Cluster.
func (st *Store) dayKey(day gp.Date, kind, id string) string {
	return st.prefix + "consult:{" + day.String() + "}:" + kind + ":" + id
}

// patientPart keeps patient identifiers (which may be NHS numbers) out of
// key names, so they don't show up in KEYS, MONITOR or slow logs. It is no
// secret: a 10-digit number is easy to guess from its hash.
func patientPart(patientID string) string {
	sum := sha256.Sum256([]byte(patientID))
	return hex.EncodeToString(sum[:16])
}

func unavailable(op string, err error) error {
	return fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
}

// Settings returns the practice's settings: the defaults when it has saved
// none, and the default cap for any kind of request its saved settings
// don't mention.
func (st *Store) Settings(ctx context.Context, ods string) (Settings, error) {
	op := "practice settings " + ods
	b, ok, err := st.kept.Get(ctx, "settings:"+ods)
	if err != nil {
		return Settings{}, unavailable(op, err)
	}
	if !ok {
		return st.defaults.clone(), nil
	}
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return Settings{}, fmt.Errorf("%s: %w", op, err)
	}
	if s.Caps == nil {
		s.Caps = map[gp.ContactKind]int{}
	}
	for k, n := range st.defaults.Caps {
		if _, ok := s.Caps[k]; !ok {
			s.Caps[k] = n
		}
	}
	return s, nil
}

// SaveSettings saves the practice's settings after checking they make
// sense (ErrInvalidSettings): some opening hours, each within a day, none
// overlapping another on the same day, caps only for known kinds.
func (st *Store) SaveSettings(ctx context.Context, ods string, s Settings) error {
	op := "save practice settings " + ods
	if err := s.validate(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	s = s.clone()
	s.Windows = canonical(s.Windows)
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := st.kept.Put(ctx, "settings:"+ods, b, 0); err != nil {
		return unavailable(op, err)
	}
	return nil
}

// Suspension returns the practice's suspension, or nil when there is none
// or it has ended by now.
func (st *Store) Suspension(ctx context.Context, ods string, now time.Time) (*Suspension, error) {
	op := "practice suspension " + ods
	b, ok, err := st.kept.Get(ctx, "suspension:"+ods)
	if err != nil {
		return nil, unavailable(op, err)
	}
	if !ok {
		return nil, nil
	}
	var s Suspension
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if !now.Before(s.Until) {
		return nil, nil
	}
	return &s, nil
}

// Suspend stops the practice taking online requests until s.Until, which
// must be after now (ErrBadSuspension) and no further off than the store
// allows (ErrSuspensionTooLong). Patients are told the reason, so one is
// required (ErrReasonRequired). It replaces any suspension already in
// place, and the store forgets it when it ends.
func (st *Store) Suspend(ctx context.Context, ods string, s Suspension, now time.Time) error {
	op := "suspend practice " + ods
	s.Reason = strings.TrimSpace(s.Reason)
	switch {
	case s.Reason == "":
		return fmt.Errorf("%s: %w", op, ErrReasonRequired)
	case !s.Until.After(now):
		return fmt.Errorf("%s: %w", op, ErrBadSuspension)
	case st.maxSuspension > 0 && s.Until.Sub(now) > st.maxSuspension:
		return fmt.Errorf("%s: %w", op, ErrSuspensionTooLong)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	// For its length by the caller's clock, not until a time: the caller's
	// clock decides when a suspension ends, whatever the store's says.
	if err := st.kept.Put(ctx, "suspension:"+ods, b, s.Until.Sub(now)); err != nil {
		return unavailable(op, err)
	}
	return nil
}

// Resume ends the practice's suspension now, if it has one.
func (st *Store) Resume(ctx context.Context, ods string) error {
	if err := st.kept.Delete(ctx, "suspension:"+ods); err != nil {
		return unavailable("resume practice "+ods, err)
	}
	return nil
}

// Used counts the practice's requests of each kind on day (zero for kinds
// with none).
func (st *Store) Used(ctx context.Context, ods string, day gp.Date) (map[gp.ContactKind]int, error) {
	op := "requests used " + ods + " " + day.String()
	raw, err := st.rdb.HGetAll(ctx, st.dayKey(day, "used", ods)).Result()
	if err != nil {
		return nil, unavailable(op, err)
	}
	out := make(map[gp.ContactKind]int, len(gp.ContactKinds))
	for _, k := range gp.ContactKinds {
		n, _ := strconv.Atoi(raw[string(k)])
		out[k] = n
	}
	return out, nil
}

// PatientUsed counts the patient's requests on day, across kinds.
func (st *Store) PatientUsed(ctx context.Context, patientID string, day gp.Date) (int, error) {
	n, err := st.rdb.Get(ctx, st.dayKey(day, "patient", patientPart(patientID))).Int()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, unavailable("patient's requests used "+day.String(), err)
	}
	return n, nil
}

// takeScript claims a place: the patient's limit first (it is about them,
// so it is what they are told), then the practice's cap for the kind.
//
// KEYS: practice's counters (hash by kind), patient's counter, practice's
// tickets. ARGV: kind, cap, patient limit, ticket ID, expiry (Unix seconds).
var takeScript = redis.NewScript(`
local limit = tonumber(ARGV[3])
if limit > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= limit then return 'patient' end
local cap = tonumber(ARGV[2])
if cap > 0 and tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') >= cap then return 'full' end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('INCR', KEYS[2])
redis.call('SADD', KEYS[3], ARGV[4])
for i = 1, 3 do redis.call('EXPIREAT', KEYS[i], ARGV[5]) end
return 'ok'
`)

// releaseScript gives a place back once: a ticket released twice (or one
// from an expired day) changes nothing.
//
// KEYS and ARGV[1] as takeScript; ARGV[2]: ticket ID.
var releaseScript = redis.NewScript(`
if redis.call('SREM', KEYS[3], ARGV[2]) == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
`)

// Take claims a place for one request of kind from the patient to the
// practice on day, atomically: ErrFull when the practice's cap for that
// kind that day is reached, ErrPatientLimit when the patient's daily limit
// is; otherwise both counters go up. Counters expire 48 hours after their
// day ends.
func (st *Store) Take(ctx context.Context, ods, patientID string, kind gp.ContactKind, day gp.Date, s Settings) (Ticket, error) {
	op := "take place " + ods + " " + day.String()
	if !slices.Contains(gp.ContactKinds, kind) {
		return Ticket{}, fmt.Errorf("%s: unknown kind of request", op)
	}
	if patientID == "" || ods == "" {
		return Ticket{}, fmt.Errorf("%s: no patient or practice", op)
	}
	t := Ticket{ID: rand.Text(), ODS: ods, Kind: kind, Day: day, patient: patientPart(patientID)}
	expires := midnight(addDays(day, 1)).Add(48 * time.Hour).Unix()
	res, err := takeScript.Run(ctx, st.rdb, st.ticketKeys(t),
		string(kind), s.Caps[kind], s.PatientDaily, t.ID, expires).Text()
	if err != nil {
		return Ticket{}, unavailable(op, err)
	}
	switch res {
	case "ok":
		return t, nil
	case "full":
		return Ticket{}, fmt.Errorf("%s: %w", op, ErrFull)
	case "patient":
		return Ticket{}, fmt.Errorf("%s: %w", op, ErrPatientLimit)
	}
	return Ticket{}, fmt.Errorf("%s: unexpected answer from Redis", op)
}

// Release gives back the place t claimed, when the GP system refused the
// request after Take. Releasing a ticket twice gives back one place.
func (st *Store) Release(ctx context.Context, t Ticket) error {
	if t.ID == "" {
		return nil
	}
	if err := releaseScript.Run(ctx, st.rdb, st.ticketKeys(t), string(t.Kind), t.ID).Err(); err != nil {
		return unavailable("release place "+t.ODS+" "+t.Day.String(), err)
	}
	return nil
}

func (st *Store) ticketKeys(t Ticket) []string {
	return []string{
		st.dayKey(t.Day, "used", t.ODS),
		st.dayKey(t.Day, "patient", t.patient),
		st.dayKey(t.Day, "tickets", t.ODS),
	}
}
