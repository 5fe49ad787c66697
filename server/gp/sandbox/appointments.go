package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// The keys of appointments, in the practice's slot with its diary. appt is
// one appointment; booked holds the patient's booked appointments by start
// (ms), for the limit check; appts holds every appointment they ever had
// there, for listing.
func (s *System) apptKey(ods, id string) string          { return s.at(ods, "appt", id) }
func (s *System) bookedKey(ods, nhsNumber string) string { return s.at(ods, "booked", nhsNumber) }
func (s *System) allKey(ods, nhsNumber string) string    { return s.at(ods, "appts", nhsNumber) }

// Clinicians lists the practice's bookable clinicians, by ID.
func (s *System) Clinicians(ctx context.Context, ods string) ([]gp.Clinician, error) {
	m, err := s.rdb.HGetAll(ctx, s.cliniciansKey(ods)).Result()
	if err != nil {
		return nil, fmt.Errorf("clinicians: %w: %w", gp.ErrUnavailable, err)
	}
	if len(m) == 0 && s.reseedIfLost(ctx) {
		m, _ = s.rdb.HGetAll(ctx, s.cliniciansKey(ods)).Result()
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("clinicians: %w", gp.ErrNotFound)
	}
	out := make([]gp.Clinician, 0, len(m))
	for id, v := range m {
		var c storedClinician
		if err := json.Unmarshal([]byte(v), &c); err != nil {
			return nil, fmt.Errorf("clinicians: stored clinician %s: %w", id, err)
		}
		out = append(out, gp.Clinician{ID: id, Name: c.Name, Role: c.Role})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// bookScript takes a slot in one step, so that of any number of concurrent
// bookings from any number of processes exactly one wins, and a patient's
// limit holds however many of their bookings race. A slot taken by this
// very request (the same booking key: a retry after the answer to the
// first attempt was lost) answers the appointment it made, rewriting its
// key so that the answer waits for a replica as a booking does.
// KEYS: slot, free, registered, booked, all, appointment, all in the
// practice's slot.
// ARGV: practice, appointment id, reason, actor, limit, not before (ms),
// now (ms), patient, booking key (empty for none), appointment key prefix.
var bookScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'no_slot'} end
if redis.call('SISMEMBER', KEYS[3], ARGV[8]) == 0 then return {'no_patient'} end
local held = redis.call('HGET', KEYS[1], 'appt')
if held and held ~= '' and ARGV[9] ~= '' then
  local mine = ARGV[10] .. held
  local a = redis.call('HMGET', mine, 'key', 'nhs', 'status')
  if a[1] == ARGV[9] and a[2] == ARGV[8] and a[3] == 'booked' then
    redis.call('HSET', mine, 'key', ARGV[9])
    local out = redis.call('HGETALL', mine)
    table.insert(out, 1, 'ok')
    return out
  end
end
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
if start < tonumber(ARGV[6]) or start < tonumber(ARGV[7]) then return {'too_late'} end
if held and held ~= '' then return {'taken'} end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[7])
local limit = tonumber(ARGV[5])
if limit > 0 and redis.call('ZCOUNT', KEYS[4], '(' .. ARGV[7], '+inf') >= limit then return {'limit'} end
local s = redis.call('HMGET', KEYS[1], 'id', 'ods', 'start', 'end', 'type', 'mode', 'clin', 'cname', 'crole', 'loc')
redis.call('HSET', KEYS[6], 'id', ARGV[2], 'nhs', ARGV[8], 'slot', s[1], 'ods', s[2], 'start', s[3], 'end', s[4],
  'type', s[5], 'mode', s[6], 'clin', s[7], 'cname', s[8], 'crole', s[9], 'loc', s[10],
  'reason', ARGV[3], 'status', 'booked', 'booked_at', ARGV[7], 'booked_by', ARGV[4])
if ARGV[9] ~= '' then redis.call('HSET', KEYS[6], 'key', ARGV[9]) end
redis.call('HSET', KEYS[1], 'appt', ARGV[2])
redis.call('ZREM', KEYS[2], s[1])
redis.call('ZADD', KEYS[4], s[3], ARGV[2])
redis.call('ZADD', KEYS[5], s[3], ARGV[2])
local out = redis.call('HGETALL', KEYS[6])
table.insert(out, 1, 'ok')
return out
`)

// Book takes a free slot for a patient registered at its practice. It is
// answered only once a replica has the booking (onMasterSure), else
// ErrUnavailable: a retry with the same key then gets the appointment if
// the booking stood, or books again if it was lost, so a patient is never
// told they are booked when the booking is lost, nor that the slot is
// taken when they took it.
func (s *System) Book(ctx context.Context, b gp.Booking) (gp.Appointment, error) {
	op := "book slot " + b.SlotID
	if !nhs.ValidNumber(b.PatientNHS) || zones[b.PracticeODS] == nil {
		return gp.Appointment{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	id, err := newAppointmentID()
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("%s: %w", op, err)
	}
	keys := []string{
		s.slotKey(b.PracticeODS, b.SlotID), s.freeKey(b.PracticeODS), s.registeredKey(b.PracticeODS),
		s.bookedKey(b.PracticeODS, b.PatientNHS), s.allKey(b.PracticeODS, b.PatientNHS), s.apptKey(b.PracticeODS, id),
	}
	var res []string
	err = s.onMasterSure(ctx, keys[0], func(c redis.Cmdable) (_ bool, err error) {
		res, err = bookScript.Run(ctx, c, keys,
			b.PracticeODS, id, b.Reason, b.Actor, b.Limit, msOrZero(b.NotBefore), s.now().UnixMilli(), b.PatientNHS,
			bookingKey(b), s.apptKey(b.PracticeODS, ""),
		).StringSlice()
		return len(res) > 0 && res[0] == "ok", err
	})
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	return s.scriptResult(op, res)
}

// cancelScript cancels an appointment and frees its slot in one step, so a
// cancellation racing a booking of the freed slot is never lost.
// KEYS: appointment, booked, free, slot, in the practice's slot. ARGV:
// patient, actor, not before (ms), now (ms).
var cancelScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'nhs') ~= ARGV[1] then return {'no_appointment'} end
if redis.call('HGET', KEYS[1], 'status') ~= 'booked' then return {'cancelled'} end
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
if start < tonumber(ARGV[3]) or start < tonumber(ARGV[4]) then return {'too_late'} end
local id = redis.call('HGET', KEYS[1], 'id')
redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelled_at', ARGV[4], 'cancelled_by', ARGV[2])
redis.call('ZREM', KEYS[2], id)
if redis.call('HGET', KEYS[4], 'appt') == id then
  redis.call('HDEL', KEYS[4], 'appt')
  redis.call('ZADD', KEYS[3], start, redis.call('HGET', KEYS[1], 'slot'))
end
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, 'ok')
return out
`)

// Cancel cancels one of the patient's appointments and frees its slot.
func (s *System) Cancel(ctx context.Context, c gp.Cancellation) (gp.Appointment, error) {
	op := "cancel appointment " + c.AppointmentID
	if !nhs.ValidNumber(c.PatientNHS) || c.AppointmentID == "" {
		return gp.Appointment{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	// A patient's appointments are at their practice, and an appointment's
	// slot never changes, so reading them before the script (which needs
	// them as keys) cannot race.
	ods, err := s.practiceOf(ctx, c.PatientNHS)
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("%s: %w", op, err)
	}
	where, err := s.rdb.HMGet(ctx, s.apptKey(ods, c.AppointmentID), "nhs", "slot").Result()
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	owner, _ := where[0].(string)
	slot, _ := where[1].(string)
	if owner != c.PatientNHS {
		return gp.Appointment{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	keys := []string{s.apptKey(ods, c.AppointmentID), s.bookedKey(ods, c.PatientNHS), s.freeKey(ods), s.slotKey(ods, slot)}
	var res []string
	err = s.onMaster(ctx, keys[0], func(rc redis.Cmdable) (_ bool, err error) {
		res, err = cancelScript.Run(ctx, rc, keys, c.PatientNHS, c.Actor, msOrZero(c.NotBefore), s.now().UnixMilli()).StringSlice()
		return len(res) > 0 && res[0] == "ok", err
	})
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	return s.scriptResult(op, res)
}

// scriptResult turns a booking or cancelling script's answer into an
// appointment or a port error.
func (s *System) scriptResult(op string, res []string) (gp.Appointment, error) {
	if len(res) == 0 {
		return gp.Appointment{}, fmt.Errorf("%s: empty answer from script", op)
	}
	var kind error
	switch res[0] {
	case "ok":
		m := make(map[string]string, len(res)/2)
		for i := 1; i+1 < len(res); i += 2 {
			m[res[i]] = res[i+1]
		}
		return appointmentFrom(m), nil
	case "no_slot", "no_patient", "no_appointment":
		kind = gp.ErrNotFound
	case "too_late":
		kind = gp.ErrTooLate
	case "taken":
		kind = gp.ErrSlotTaken
	case "limit":
		kind = gp.ErrBookingLimit
	case "cancelled":
		kind = gp.ErrAlreadyCancelled
	default:
		return gp.Appointment{}, fmt.Errorf("%s: unexpected answer %q from script", op, res[0])
	}
	return gp.Appointment{}, fmt.Errorf("%s: %w", op, kind)
}

// Appointments lists all the patient's appointments at their practice,
// ordered by start.
func (s *System) Appointments(ctx context.Context, patientNHS string) ([]gp.Appointment, error) {
	if !nhs.ValidNumber(patientNHS) {
		return nil, nil
	}
	ods, err := s.practiceOf(ctx, patientNHS)
	if errors.Is(err, gp.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("appointments: %w", err)
	}
	ids, err := s.rdb.ZRange(ctx, s.allKey(ods, patientNHS), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("appointments: %w: %w", gp.ErrUnavailable, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, s.apptKey(ods, id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("appointments: %w: %w", gp.ErrUnavailable, err)
	}
	out := make([]gp.Appointment, 0, len(ids))
	for _, c := range cmds {
		if m := c.Val(); len(m) > 0 {
			out = append(out, appointmentFrom(m))
		}
	}
	return out, nil
}

// appointmentFrom reads a stored appointment. It carries its own copy of the
// slot, so it outlives the slot record.
func appointmentFrom(m map[string]string) gp.Appointment {
	loc := zones[m["ods"]]
	vals := make([]any, len(slotFields))
	for i, f := range slotFields {
		vals[i] = m[f]
	}
	vals[0] = m["slot"]
	sl, _, _ := slotFrom(vals, loc)
	a := gp.Appointment{
		ID: m["id"], PatientNHS: m["nhs"], Slot: sl, Reason: m["reason"],
		Status:   gp.AppointmentStatus(m["status"]),
		BookedAt: msTime(m["booked_at"], loc), CancelledAt: msTime(m["cancelled_at"], loc),
		BookedBy: m["booked_by"], CancelledBy: m["cancelled_by"], MovedBy: m["moved_by"],
	}
	a.Sequence, _ = strconv.Atoi(m["seq"])
	return a
}

// msOrZero is t in Unix ms, or 0 (no bound) when t is zero.
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// bookingKey identifies the request to book (its Idempotency-Key, who made
// it, for whom, which slot) on the appointment it makes, so a retry finds
// it; "" when the request has no key. It is a hash, so the record holds no
// more than it did.
func bookingKey(b gp.Booking) string {
	if b.Key == "" {
		return ""
	}
	h := sha256.Sum256([]byte(b.Key + "\x00" + b.Actor + "\x00" + b.PatientNHS + "\x00" + b.SlotID))
	return hex.EncodeToString(h[:16])
}

// newAppointmentID returns an unguessable appointment ID: knowing one
// appointment's ID must not lead to another's.
func newAppointmentID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("appointment id: %w", err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])), nil
}
