package booking

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

// DefaultWaitlistOffer is how long an earlier time offered from the
// waitlist is held for the person offered it (WAITLIST_OFFER).
const DefaultWaitlistOffer = 15 * time.Minute

// Waitlist is each practice's list of people who asked to be offered an
// earlier time for an appointment, in the order they asked. When a time is
// freed, the first person it suits is offered it: it is held for them
// alone (a hold, so nobody else can take it) for the offer's length; when
// they decline or let it expire, it passes to the next. A person is never
// offered the same time twice, and a time is never offered to two people
// at once (the hold is one person's). Shared by every process.
//
// Key layout (tagged by practice, so one slot of a Redis Cluster, with the
// practice's holds and claims):
//
//	prefix+"{ODS}:order"         sorted set: appointment IDs, scored by order of joining
//	prefix+"{ODS}:seq"           the order counter
//	prefix+"{ODS}:e:"+appt       the entry (JSON), expiring when the appointment starts
//	prefix+"{ODS}:pat:"+patient  set: the patient's appointments on the list
//	prefix+"{ODS}:offers"        sorted set: appointment IDs with an offer, by its expiry
//	prefix+"{ODS}:passed:"+slot  set: appointments that were offered the slot
//	prefix+"practices"           set: practices with people on their list
type Waitlist struct {
	rdb      redis.UniversalClient
	prefix   string
	offerFor time.Duration
	holds    *Holds
}

// NewWaitlist keeps lists under prefix ("companion:waitlist:"), holding
// each offer with holds for offerFor (DefaultWaitlistOffer when 0).
func NewWaitlist(rdb redis.UniversalClient, prefix string, offerFor time.Duration, holds *Holds) *Waitlist {
	if offerFor <= 0 {
		offerFor = DefaultWaitlistOffer
	}
	return &Waitlist{rdb: rdb, prefix: prefix, offerFor: offerFor, holds: holds}
}

// entry is one appointment on the list: whose, what times suit it, and the
// time offered, if any.
type entry struct {
	Appointment string `json:"appt"`
	Patient     string `json:"pid"`
	Holder      string `json:"holder"`
	Type        string `json:"type"`
	// Clinician is the only clinician who suits ("" any).
	Clinician string `json:"clin,omitempty"`
	// Current is when the appointment is now, Latest the latest start that
	// suits (Unix ms; at most Current), Cutoff the practice's booking
	// cut-off (ms) when joining.
	Current int64  `json:"current"`
	Latest  int64  `json:"latest"`
	Cutoff  int64  `json:"cutoff"`
	Before  string `json:"before,omitempty"`
	Joined  int64  `json:"joined"`
	Offer   *offer `json:"offer,omitempty"`
}

// offer is a time offered to an entry.
type offer struct {
	Slot      api.Slot `json:"slot"`
	Clinician string   `json:"clin"`
	Hold      string   `json:"hold"`
	Expires   int64    `json:"expires"`
}

func (w *Waitlist) base(practice string) string { return w.prefix + "{" + practice + "}:" }

// suits reports whether a freed slot suits the entry at now.
func (e entry) suits(sl gp.Slot, now time.Time) bool {
	start := sl.Start.UnixMilli()
	return string(sl.Type) == e.Type && (e.Clinician == "" || e.Clinician == sl.Clinician.ID) &&
		start < e.Current && start <= e.Latest && start >= now.UnixMilli()+e.Cutoff
}

// view is the entry's wire form.
func (e entry) view(now time.Time) api.WaitlistEntry {
	v := api.WaitlistEntry{AppointmentID: e.Appointment, Before: e.Before, SameClinician: e.Clinician != "", Joined: e.Joined}
	if o := e.Offer; o != nil && o.Expires > now.UnixMilli() {
		v.Offer = &api.WaitlistOffer{AppointmentID: e.Appointment, Slot: o.Slot, HoldID: o.Hold, Expires: o.Expires}
	}
	return v
}

// save writes the entry, keeping it until its appointment starts.
func (w *Waitlist) save(ctx context.Context, practice string, e entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	key := w.base(practice) + "e:" + e.Appointment
	ttl := time.Until(time.UnixMilli(e.Current))
	if ttl <= 0 {
		return w.rdb.Del(ctx, key).Err() // the appointment has started
	}
	return w.rdb.Set(ctx, key, b, ttl).Err()
}

// Join puts the entry on the practice's list, at the end, or, when its
// appointment is on the list already, changes what suits it in its place.
func (w *Waitlist) Join(ctx context.Context, practice string, e entry) (entry, error) {
	b := w.base(practice)
	if old, ok, err := w.Entry(ctx, practice, e.Appointment); err != nil {
		return entry{}, err
	} else if ok {
		e.Joined, e.Offer = old.Joined, old.Offer
	} else {
		n, err := w.rdb.Incr(ctx, b+"seq").Result()
		if err != nil {
			return entry{}, fault.Unreachable(err)
		}
		if err := w.rdb.ZAdd(ctx, b+"order", redis.Z{Score: float64(n), Member: e.Appointment}).Err(); err != nil {
			return entry{}, fault.Unreachable(err)
		}
	}
	if err := w.save(ctx, practice, e); err != nil {
		return entry{}, fault.Unreachable(err)
	}
	pipe := w.rdb.Pipeline()
	pipe.SAdd(ctx, b+"pat:"+e.Patient, e.Appointment)
	pipe.SAdd(ctx, w.prefix+"practices", practice)
	if _, err := pipe.Exec(ctx); err != nil {
		return entry{}, fault.Unreachable(err)
	}
	return e, nil
}

// Entry is the appointment's entry on the list, if it has one.
func (w *Waitlist) Entry(ctx context.Context, practice, appt string) (entry, bool, error) {
	raw, err := w.rdb.Get(ctx, w.base(practice)+"e:"+appt).Bytes()
	if errors.Is(err, redis.Nil) {
		return entry{}, false, nil
	}
	if err != nil {
		return entry{}, false, fault.Unreachable(err)
	}
	var e entry
	if err := json.Unmarshal(raw, &e); err != nil {
		return entry{}, false, err
	}
	return e, true, nil
}

// Of is the patient's entries (on any of their appointments).
func (w *Waitlist) Of(ctx context.Context, practice, patient string) ([]entry, error) {
	b := w.base(practice)
	ids, err := w.rdb.SMembers(ctx, b+"pat:"+patient).Result()
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	found, err := w.entries(ctx, practice, ids)
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, e := range found {
		if e != nil {
			out = append(out, *e)
		}
	}
	return out, nil
}

// entries reads the entries of appointments ids in one round trip, nil
// where there is none (its appointment has started, or it left the list).
func (w *Waitlist) entries(ctx context.Context, practice string, ids []string) ([]*entry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = w.base(practice) + "e:" + id
	}
	vals, err := w.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	out := make([]*entry, len(ids))
	for i, v := range vals {
		var e entry
		if s, ok := v.(string); ok && json.Unmarshal([]byte(s), &e) == nil {
			out[i] = &e
		}
	}
	return out, nil
}

// Remove takes the appointment off the list, returning its entry (ok false
// when it was not on it). An offer it had is not passed on here.
func (w *Waitlist) Remove(ctx context.Context, practice, appt string) (entry, bool, error) {
	e, ok, err := w.Entry(ctx, practice, appt)
	if err != nil || !ok {
		return e, ok, err
	}
	b := w.base(practice)
	pipe := w.rdb.Pipeline()
	pipe.Del(ctx, b+"e:"+appt)
	pipe.ZRem(ctx, b+"order", appt)
	pipe.ZRem(ctx, b+"offers", appt)
	pipe.SRem(ctx, b+"pat:"+e.Patient, appt)
	if _, err := pipe.Exec(ctx); err != nil {
		return entry{}, false, fault.Unreachable(err)
	}
	return e, true, nil
}

// Offer offers a freed slot to the first entry on the practice's list it
// suits that has no offer and was not offered it before: holds it for them
// and records the offer. It returns whom it offered it to (ok false: nobody;
// the slot is held by someone already, or suits nobody).
func (w *Waitlist) Offer(ctx context.Context, practice string, sl gp.Slot, now time.Time) (entry, bool, error) {
	b := w.base(practice)
	ids, err := w.rdb.ZRange(ctx, b+"order", 0, -1).Result()
	if err != nil {
		return entry{}, false, fault.Unreachable(err)
	}
	passed, err := w.rdb.SMembers(ctx, b+"passed:"+sl.ID).Result()
	if err != nil {
		return entry{}, false, fault.Unreachable(err)
	}
	seen := map[string]bool{}
	for _, id := range passed {
		seen[id] = true
	}
	found, err := w.entries(ctx, practice, ids)
	if err != nil {
		return entry{}, false, err
	}
	for i, id := range ids {
		if found[i] == nil {
			w.rdb.ZRem(ctx, b+"order", id) // its appointment has started
			continue
		}
		e := *found[i]
		if seen[id] || e.Offer != nil || !e.suits(sl, now) {
			continue
		}
		h, err := w.holds.PlaceFor(ctx, practice, e.Holder, sl.ID, w.offerFor)
		if errors.Is(err, ErrSlotTaken) {
			return entry{}, false, nil
		}
		if err != nil {
			return entry{}, false, err
		}
		e.Offer = &offer{Slot: SlotView(sl), Clinician: sl.Clinician.ID, Hold: h.ID, Expires: h.Expires.UnixMilli()}
		pipe := w.rdb.Pipeline()
		pipe.SAdd(ctx, b+"passed:"+sl.ID, id)
		pipe.Expire(ctx, b+"passed:"+sl.ID, 24*time.Hour)
		pipe.ZAdd(ctx, b+"offers", redis.Z{Score: float64(e.Offer.Expires), Member: id})
		if _, err := pipe.Exec(ctx); err != nil {
			return entry{}, false, fault.Unreachable(err)
		}
		return e, true, w.save(ctx, practice, e)
	}
	return entry{}, false, nil
}

// Settle ends the appointment's offer (declined, expired or accepted), if
// this call is the one to end it: done is false when another got there
// first. The entry stays on the list without it; the offered slot is
// returned so it can be passed on.
func (w *Waitlist) Settle(ctx context.Context, practice, appt string) (sl gp.Slot, done bool, err error) {
	n, err := w.rdb.ZRem(ctx, w.base(practice)+"offers", appt).Result()
	if err != nil {
		return gp.Slot{}, false, fault.Unreachable(err)
	}
	e, ok, err := w.Entry(ctx, practice, appt)
	if err != nil || !ok || e.Offer == nil {
		return gp.Slot{}, n == 1 && ok, err
	}
	o := e.Offer
	e.Offer = nil
	if err := w.save(ctx, practice, e); err != nil {
		return gp.Slot{}, false, fault.Unreachable(err)
	}
	return offeredSlot(o), n == 1, nil
}

// offeredSlot is enough of the offered slot to offer it again.
func offeredSlot(o *offer) gp.Slot {
	return gp.Slot{ID: o.Slot.ID, Start: time.UnixMilli(o.Slot.Start), End: time.UnixMilli(o.Slot.End),
		Type: gp.SlotType(o.Slot.Type), Mode: gp.Mode(o.Slot.Mode), Location: o.Slot.Location,
		Clinician: gp.Clinician{ID: o.Clinician, Name: o.Slot.Clinician, Role: o.Slot.ClinicianRole}}
}

// Expired is, per practice with a list, the appointments whose offer has
// expired by now.
func (w *Waitlist) Expired(ctx context.Context, now time.Time) (map[string][]string, error) {
	practices, err := w.rdb.SMembers(ctx, w.prefix+"practices").Result()
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	out := map[string][]string{}
	for _, pr := range practices {
		ids, err := w.ExpiredAt(ctx, pr, now)
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			out[pr] = ids
		}
	}
	return out, nil
}

// ExpiredAt is the practice's appointments whose offer has expired by now.
func (w *Waitlist) ExpiredAt(ctx context.Context, practice string, now time.Time) ([]string, error) {
	ids, err := w.rdb.ZRangeByScore(ctx, w.base(practice)+"offers", &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10)}).Result()
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	return ids, nil
}
