package sandbox

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// rescheduleScript moves an appointment to another slot in one step: the
// new slot taken, the old one freed, the appointment's copy of its slot
// rewritten and its sequence raised, or nothing at all. A concurrent
// booking of the new slot, or a cancellation or move of the appointment,
// cannot interleave.
// KEYS: appointment, old slot, new slot, free, booked, all, in the
// practice's slot. ARGV: patient, new slot id, actor, appointment not
// before (ms), slot not before (ms), now (ms), old slot id (as read).
var rescheduleScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'nhs') ~= ARGV[1] then return {'no_appointment'} end
local cur = redis.call('HGET', KEYS[1], 'slot')
local status = redis.call('HGET', KEYS[1], 'status')
local function answer()
  local out = redis.call('HGETALL', KEYS[1])
  table.insert(out, 1, 'ok')
  return out
end
if cur == ARGV[2] and status == 'booked' then return answer() end
if cur ~= ARGV[7] then return {'moved'} end
if status ~= 'booked' then return {'cancelled'} end
if redis.call('EXISTS', KEYS[3]) == 0 then return {'no_slot'} end
local start = tonumber(redis.call('HGET', KEYS[1], 'start'))
if start < tonumber(ARGV[4]) or start < tonumber(ARGV[6]) then return {'too_late'} end
local nstart = tonumber(redis.call('HGET', KEYS[3], 'start'))
if nstart < tonumber(ARGV[5]) or nstart < tonumber(ARGV[6]) then return {'too_late'} end
local held = redis.call('HGET', KEYS[3], 'appt')
if held and held ~= '' then return {'taken'} end
local id = redis.call('HGET', KEYS[1], 'id')
local s = redis.call('HMGET', KEYS[3], 'id', 'start', 'end', 'type', 'mode', 'clin', 'cname', 'crole', 'loc')
redis.call('HSET', KEYS[1], 'slot', s[1], 'start', s[2], 'end', s[3], 'type', s[4], 'mode', s[5],
  'clin', s[6], 'cname', s[7], 'crole', s[8], 'loc', s[9], 'moved_by', ARGV[3], 'moved_at', ARGV[6])
redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[3], 'appt', id)
redis.call('ZREM', KEYS[4], s[1])
if redis.call('HGET', KEYS[2], 'appt') == id then
  redis.call('HDEL', KEYS[2], 'appt')
  redis.call('ZADD', KEYS[4], start, ARGV[7])
end
redis.call('ZADD', KEYS[5], s[2], id)
redis.call('ZADD', KEYS[6], s[2], id)
return answer()
`)

// Reschedule moves one of the patient's booked appointments to a free slot
// at their practice, in one step.
func (s *System) Reschedule(ctx context.Context, m gp.Move) (gp.Appointment, error) {
	op := "reschedule appointment " + m.AppointmentID
	if !nhs.ValidNumber(m.PatientNHS) || m.AppointmentID == "" || m.SlotID == "" {
		return gp.Appointment{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	ods, err := s.practiceOf(ctx, m.PatientNHS)
	if err != nil {
		return gp.Appointment{}, fmt.Errorf("%s: %w", op, err)
	}
	// The script needs the old slot's key; it checks the slot is still the
	// one read, and a move in between sends it round again.
	for range 3 {
		where, err := s.rdb.HMGet(ctx, s.apptKey(ods, m.AppointmentID), "nhs", "slot").Result()
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
		}
		owner, _ := where[0].(string)
		old, _ := where[1].(string)
		if owner != m.PatientNHS {
			return gp.Appointment{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
		}
		keys := []string{
			s.apptKey(ods, m.AppointmentID), s.slotKey(ods, old), s.slotKey(ods, m.SlotID), s.freeKey(ods),
			s.bookedKey(ods, m.PatientNHS), s.allKey(ods, m.PatientNHS),
		}
		var res []string
		err = s.onMaster(ctx, keys[0], func(rc redis.Cmdable) (_ bool, err error) {
			res, err = rescheduleScript.Run(ctx, rc, keys, m.PatientNHS, m.SlotID, m.Actor,
				msOrZero(m.CancelFrom), msOrZero(m.NotBefore), s.now().UnixMilli(), old).StringSlice()
			return len(res) > 0 && res[0] == "ok", err
		})
		if err != nil {
			return gp.Appointment{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
		}
		if len(res) > 0 && res[0] == "moved" {
			continue
		}
		return s.scriptResult(op, res)
	}
	return gp.Appointment{}, fmt.Errorf("%s: %w: kept moving", op, gp.ErrUnavailable)
}
