package booking

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/access"
)

// slotState is what an attempt to take a slot needs to know before the GP
// system is asked: whether the person holds it (and by which hold), and
// whether it is known taken (booked through Companion, with its start) or
// held by someone else.
type slotState struct {
	mine, mineSlot string // the person's live hold for the patient, if any
	claimed        bool
	start          time.Time // when a claimed slot starts
	heldByOther    bool
}

// taken reports whether the slot is known to be out of reach.
func (st slotState) taken() bool { return st.claimed || st.heldByOther }

// slotStateScript reads a slot's state for a holder in one round trip:
// holds and claims share the practice's cluster slot.
// KEYS: holder's hold key, slot's hold key, claims set, claims' starts.
// ARGV: hold id-key prefix, holder, slot id, now (ms), claims valid from
// (ms).
var slotStateScript = redis.NewScript(`
local mine = redis.call('GET', KEYS[1])
local mslot = ''
if mine then
  local h = redis.call('HMGET', ARGV[1] .. mine, 'slot', 'holder', 'expires')
  if h[2] == ARGV[2] and tonumber(h[3] or '0') > tonumber(ARGV[4]) then mslot = h[1] else mine = false end
end
local claimed, start = 0, ''
local at = redis.call('ZSCORE', KEYS[3], ARGV[3])
if at and tonumber(at) >= tonumber(ARGV[5]) then
  claimed = 1
  start = redis.call('HGET', KEYS[4], ARGV[3]) or ''
end
local other = 0
local cur = redis.call('GET', KEYS[2])
if cur and cur ~= mine and redis.call('HGET', ARGV[1] .. cur, 'holder') ~= ARGV[2] then other = 1 end
return {mine or '', mslot, claimed, start, other}
`)

// slotStateOf reads the slot's state for the person acting for p. Without
// holds or claims it reads what there is, separately.
func (s *Service) slotStateOf(ctx context.Context, p *access.Patient, slotID string) (slotState, error) {
	practice := p.Diary().Practice()
	if s.Holds == nil || s.Claims == nil {
		var st slotState
		var err error
		if s.Claims != nil {
			st.claimed, st.start, err = s.Claims.Taken(ctx, practice, slotID)
		}
		return st, err
	}
	b := s.Holds.base(practice)
	claims := s.Claims.key(practice)
	now := time.Now()
	res, err := slotStateScript.Run(ctx, s.Holds.rdb, []string{b + "by:" + holder(p), b + "slot:" + slotID, claims, claims + ":start"},
		b+"id:", holder(p), slotID, now.UnixMilli(), s.Claims.now().Add(-claimFor).UnixMilli()).Slice()
	if err != nil || len(res) != 5 {
		return slotState{}, err
	}
	str := func(v any) string { x, _ := v.(string); return x }
	num := func(v any) int64 { x, _ := v.(int64); return x }
	st := slotState{mine: str(res[0]), mineSlot: str(res[1]), claimed: num(res[2]) == 1, heldByOther: num(res[4]) == 1}
	if ms, err := strconv.ParseInt(str(res[3]), 10, 64); err == nil {
		st.start = time.UnixMilli(ms)
	}
	return st, nil
}
