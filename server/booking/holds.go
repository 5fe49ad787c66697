package booking

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

// Hold refusals.
var (
	// ErrNoHold: the person holds no hold with that ID (it expired, was
	// released, or is someone else's).
	ErrNoHold = fault.New(fault.NotFound, "hold_not_found", "error.notFound")
)

// DefaultHold is how long a chosen time is kept for a person (SLOT_HOLD).
const DefaultHold = 5 * time.Minute

// Holds keep a slot for one person while they answer the remaining
// questions: nobody else can hold or book it, and slot lists leave it out,
// until the holder books it, lets it go, or the hold expires by itself. A
// person acting for one patient holds at most one slot: a new hold releases
// the old one. Holds are shared by every process.
//
// Key layout (tagged by practice, so one slot of a Redis Cluster, with the
// practice's claims):
//
//	prefix+"{ODS}:held"        sorted set: held slot IDs, scored by expiry (Unix ms)
//	prefix+"{ODS}:slot:"+slot  the hold ID holding the slot
//	prefix+"{ODS}:by:"+holder  the hold ID the holder (actor and patient) holds
//	prefix+"{ODS}:id:"+id      hash: slot, holder, expires (Unix ms)
//
// Every key but the set expires with its hold; the set's entries are
// ignored once past their score and pruned on the next hold.
type Holds struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
	// claims, when set, are checked too: a booked slot cannot be held.
	claims *Claims
}

// NewHolds keeps holds under prefix ("companion:hold:") for ttl each
// (DefaultHold when 0).
func NewHolds(rdb redis.UniversalClient, prefix string, ttl time.Duration, claims *Claims) *Holds {
	if ttl <= 0 {
		ttl = DefaultHold
	}
	return &Holds{rdb: rdb, prefix: prefix, ttl: ttl, claims: claims}
}

// SlotHold is a hold: on which slot, until when.
type SlotHold struct {
	ID, SlotID string
	Expires    time.Time
}

func (h *Holds) base(practice string) string { return h.prefix + "{" + practice + "}:" }

// holdScript places a hold for a holder on a slot, releasing the holder's
// previous hold, unless someone else holds the slot or it is claimed.
// KEYS: held set, slot key, holder key, claims set. ARGV: new hold id,
// holder, slot id, now (ms), expires (ms), ttl (ms), id-key prefix,
// slot-key prefix, claims valid from (ms).
var holdScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[4])
local claimed = redis.call('ZSCORE', KEYS[4], ARGV[3])
if claimed and tonumber(claimed) >= tonumber(ARGV[9]) then return {'taken'} end
local cur = redis.call('GET', KEYS[2])
if cur then
  if redis.call('HGET', ARGV[7] .. cur, 'holder') ~= ARGV[2] then return {'taken'} end
  return {'ok', cur, redis.call('HGET', ARGV[7] .. cur, 'expires')}
end
local old = redis.call('GET', KEYS[3])
if old then
  local oldslot = redis.call('HGET', ARGV[7] .. old, 'slot')
  if oldslot then
    redis.call('ZREM', KEYS[1], oldslot)
    redis.call('DEL', ARGV[8] .. oldslot)
  end
  redis.call('DEL', ARGV[7] .. old)
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[6])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[6])
redis.call('HSET', ARGV[7] .. ARGV[1], 'slot', ARGV[3], 'holder', ARGV[2], 'expires', ARGV[5])
redis.call('PEXPIRE', ARGV[7] .. ARGV[1], ARGV[6])
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[3])
return {'ok', ARGV[1], ARGV[5]}
`)

// Place holds slotID for holder, releasing holder's previous hold:
// ErrSlotTaken when someone else holds it or it is booked. Holding the slot
// one already holds returns that hold.
func (h *Holds) Place(ctx context.Context, practice, holder, slotID string) (SlotHold, error) {
	return h.PlaceFor(ctx, practice, holder, slotID, h.ttl)
}

// PlaceFor is Place, for ttl instead of the holds' own length.
func (h *Holds) PlaceFor(ctx context.Context, practice, holder, slotID string, ttl time.Duration) (SlotHold, error) {
	b := h.base(practice)
	now := time.Now()
	id := newHoldID()
	since := int64(0)
	claims := b + "noclaims"
	if h.claims != nil {
		claims, since = h.claims.key(practice), now.Add(-claimFor).UnixMilli()
	}
	res, err := holdScript.Run(ctx, h.rdb, []string{b + "held", b + "slot:" + slotID, b + "by:" + holder, claims},
		id, holder, slotID, now.UnixMilli(), now.Add(ttl).UnixMilli(), ttl.Milliseconds(), b+"id:", b+"slot:", since,
	).StringSlice()
	if err != nil {
		return SlotHold{}, fault.Unreachable(err)
	}
	if len(res) != 3 || res[0] != "ok" {
		return SlotHold{}, ErrSlotTaken
	}
	ms, _ := strconv.ParseInt(res[2], 10, 64)
	return SlotHold{ID: res[1], SlotID: slotID, Expires: time.UnixMilli(ms)}, nil
}

// Of is holder's live hold, if any.
func (h *Holds) Of(ctx context.Context, practice, holder string) (SlotHold, bool, error) {
	b := h.base(practice)
	id, err := h.rdb.Get(ctx, b+"by:"+holder).Result()
	if errors.Is(err, redis.Nil) {
		return SlotHold{}, false, nil
	}
	if err != nil {
		return SlotHold{}, false, fault.Unreachable(err)
	}
	m, err := h.rdb.HGetAll(ctx, b+"id:"+id).Result()
	if err != nil {
		return SlotHold{}, false, fault.Unreachable(err)
	}
	ms, _ := strconv.ParseInt(m["expires"], 10, 64)
	if m["holder"] != holder || ms <= time.Now().UnixMilli() {
		return SlotHold{}, false, nil
	}
	return SlotHold{ID: id, SlotID: m["slot"], Expires: time.UnixMilli(ms)}, true, nil
}

// Held is every slot held at the practice now.
func (h *Holds) Held(ctx context.Context, practice string) (map[string]bool, error) {
	ids, err := h.rdb.ZRangeByScore(ctx, h.base(practice)+"held", &redis.ZRangeBy{
		Min: "(" + strconv.FormatInt(time.Now().UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// releaseScript ends a hold if it is the holder's: the hold id, or ("")
// whichever hold the holder has, if it is on the slot given.
// KEYS: held set, holder key. ARGV: hold id, holder, id-key prefix,
// slot-key prefix, slot id (when no hold id).
var releaseScript = redis.NewScript(`
local id = ARGV[1]
if id == '' then id = redis.call('GET', KEYS[2]) or '' end
local key = ARGV[3] .. id
if id == '' or redis.call('HGET', key, 'holder') ~= ARGV[2] then return 0 end
local slot = redis.call('HGET', key, 'slot')
if ARGV[1] == '' and slot ~= ARGV[5] then return 0 end
redis.call('ZREM', KEYS[1], slot)
if redis.call('GET', ARGV[4] .. slot) == id then redis.call('DEL', ARGV[4] .. slot) end
if redis.call('GET', KEYS[2]) == id then redis.call('DEL', KEYS[2]) end
redis.call('DEL', key)
return 1
`)

// Release ends holder's hold id: ErrNoHold when they hold no such hold.
func (h *Holds) Release(ctx context.Context, practice, holder, id string) error {
	if id == "" || len(id) > 64 {
		return ErrNoHold
	}
	return h.release(ctx, practice, holder, id, "")
}

// ReleaseOn ends holder's hold if it is on slotID (ErrNoHold otherwise), in
// one round trip.
func (h *Holds) ReleaseOn(ctx context.Context, practice, holder, slotID string) error {
	return h.release(ctx, practice, holder, "", slotID)
}

func (h *Holds) release(ctx context.Context, practice, holder, id, slotID string) error {
	b := h.base(practice)
	n, err := releaseScript.Run(ctx, h.rdb, []string{b + "held", b + "by:" + holder}, id, holder, b+"id:", b+"slot:", slotID).Int()
	if err != nil {
		return fault.Unreachable(err)
	}
	if n == 0 {
		return ErrNoHold
	}
	return nil
}

func newHoldID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}

// holder is who holds: the person acting, for the patient.
func holder(p *access.Patient) string { return p.Actor().Subject + "|" + p.ID() }

// Hold keeps a free slot for the person acting for p, releasing any other
// slot they hold for p: ErrSlotTaken when it is not free (booked, held by
// someone else, inside the cut-off, or no such slot).
func (s *Service) Hold(ctx context.Context, p *access.Patient, slotID string) (api.SlotHold, error) {
	if s.Holds == nil {
		return api.SlotHold{}, fault.ErrNotFound
	}
	if slotID == "" || len(slotID) > 200 {
		return api.SlotHold{}, fault.ErrBadRequest
	}
	d := p.Diary()
	// Known taken (booked through Companion): refused without asking the
	// GP system; else the GP system says whether it is free.
	if s.Claims != nil {
		if taken, _, err := s.Claims.Taken(ctx, d.Practice(), slotID); err == nil && taken {
			return api.SlotHold{}, ErrSlotTaken
		}
	}
	sl, free, err := d.Slot(ctx, slotID)
	if errors.Is(err, gp.ErrNotFound) {
		return api.SlotHold{}, ErrSlotTaken
	}
	if err != nil {
		return api.SlotHold{}, err
	}
	if !free || sl.Start.Before(d.Rules().Earliest(s.now())) {
		return api.SlotHold{}, ErrSlotTaken
	}
	h, err := s.Holds.Place(ctx, d.Practice(), holder(p), slotID)
	if err != nil {
		return api.SlotHold{}, err
	}
	return api.SlotHold{ID: h.ID, SlotID: h.SlotID, Expires: h.Expires.UnixMilli()}, nil
}

// ReleaseHold ends the person's hold id for p (ErrNoHold when there is none).
func (s *Service) ReleaseHold(ctx context.Context, p *access.Patient, id string) error {
	if s.Holds == nil {
		return ErrNoHold
	}
	return s.Holds.Release(ctx, p.Diary().Practice(), holder(p), id)
}

// CurrentHold is the person's live hold for p, if any.
func (s *Service) CurrentHold(ctx context.Context, p *access.Patient) (SlotHold, bool, error) {
	if s.Holds == nil {
		return SlotHold{}, false, nil
	}
	return s.Holds.Of(ctx, p.Diary().Practice(), holder(p))
}

// releaseHold ends the person's hold for p on slotID once it has been
// booked (or had an appointment moved to it).
func (s *Service) releaseHold(ctx context.Context, p *access.Patient, slotID string) {
	if s.Holds == nil {
		return
	}
	err := s.Holds.ReleaseOn(context.WithoutCancel(ctx), p.Diary().Practice(), holder(p), slotID)
	if err != nil && !errors.Is(err, ErrNoHold) {
		s.Log.WarnContext(ctx, "release hold", "err", err)
	}
}

// withoutOthersHolds leaves out of slots those someone else holds.
func (s *Service) withoutOthersHolds(ctx context.Context, p *access.Patient, slots []gp.Slot) ([]gp.Slot, error) {
	if s.Holds == nil {
		return slots, nil
	}
	held, err := s.Holds.Held(ctx, p.Diary().Practice())
	if err != nil || len(held) == 0 {
		return slots, nil // a hold is a courtesy: without them, the GP system still decides
	}
	mine, _, _ := s.CurrentHold(ctx, p)
	out := slots[:0:0]
	for _, sl := range slots {
		if !held[sl.ID] || sl.ID == mine.SlotID {
			out = append(out, sl)
		}
	}
	return out, nil
}
