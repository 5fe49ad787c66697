package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox/castdata"
)

// prescribingRules are the practices' rules for ordering repeats online. The
// Welsh practice is stricter, so the per-practice rules show.
var prescribingRules = map[string]gp.PrescriptionRules{
	PilotPractice:    gp.DefaultPrescriptionRules,
	NonPilotPractice: {EarlyDays: 7, NoteMax: 300},
}

// castRepeats derives the cast member's templates from the current repeat
// medicines in their record on the day today.
func castRepeats(c castMember, today time.Time) ([]storedRepeat, error) {
	tmpls := castdata.Templates[c.nhsNumber]
	if len(tmpls) == 0 {
		return nil, nil
	}
	rec := castRecord(c, today)
	clock := newClock(today, c)
	owner := c.given + " " + c.family
	out := make([]storedRepeat, 0, len(tmpls))
	for _, t := range tmpls {
		i := slices.IndexFunc(rec.Medicines, func(m gp.Medicine) bool {
			return m.Drug.Code == t.Drug.Code && m.Kind == "repeat" && m.Status == "current" && !m.Sensitive
		})
		if i < 0 {
			return nil, fmt.Errorf("repeat template of %s: %s is none of their current repeat medicines", owner, t.Drug.Display)
		}
		m := rec.Medicines[i]
		out = append(out, storedRepeat{
			ID: repeatID(owner, m.Drug.Code), Drug: m.Drug, Name: m.Name, Dose: m.Dose, Quantity: m.Quantity,
			SupplyDays: t.SupplyDays, LastIssued: m.LastIssued.String(), ReviewDate: clock.Ago(-t.ReviewIn).String(),
			Reject: t.Reject,
		})
	}
	return out, nil
}

// pendingMaxScript raises a template's pending-until time, never lowers it,
// so reseeding cannot release a request made since.
// KEYS: pending. ARGV: repeat id, pending until (ms).
const pendingMaxScript = `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0
`

// seedPrescriptions adds the practices' prescribing rules, the cast's
// templates, nominations and earlier requests to a seed. Templates are
// rewritten; a nomination a patient has changed is kept.
func (s *System) seedPrescriptions(ctx context.Context, pipe redis.Pipeliner, today time.Time) error {
	for _, p := range practices {
		r, ok := prescribingRules[p.ODS]
		if !ok {
			r = gp.DefaultPrescriptionRules
		}
		pipe.HSet(ctx, s.key("practice", p.ODS), map[string]any{"rx_early": r.EarlyDays, "rx_note_max": r.NoteMax})
	}
	byNHS := map[string]castMember{}
	templates := map[string][]storedRepeat{}
	for _, c := range cast {
		byNHS[c.nhsNumber] = c
		reps, err := castRepeats(c, today)
		if err != nil {
			return err
		}
		templates[c.nhsNumber] = reps
		pipe.Del(ctx, s.rxRepeatsKey(c.nhsNumber))
		if len(reps) == 0 {
			continue
		}
		fields := make(map[string]any, len(reps))
		for _, r := range reps {
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			fields[r.ID] = b
		}
		pipe.HSet(ctx, s.rxRepeatsKey(c.nhsNumber), fields)
	}
	for nhsNumber, ods := range castdata.Nominations {
		if _, ok := findPharmacy(ods); !ok {
			return fmt.Errorf("nomination: no sandbox pharmacy %s", ods)
		}
		pipe.HSetNX(ctx, s.rxNominatedKey(nhsNumber), "ods", ods)
	}
	for _, sr := range castdata.SeededRequests {
		c, ok := byNHS[sr.Patient]
		if !ok {
			return fmt.Errorf("seeded request: no cast member %s", sr.Drug.Display)
		}
		owner := c.given + " " + c.family
		id := repeatID(owner, sr.Drug.Code)
		i := slices.IndexFunc(templates[sr.Patient], func(r storedRepeat) bool { return r.ID == id })
		if i < 0 {
			return fmt.Errorf("seeded request of %s: no template for %s", owner, sr.Drug.Display)
		}
		ph, ok := findPharmacy(castdata.Nominations[sr.Patient])
		if !ok {
			return fmt.Errorf("seeded request of %s: no nominated pharmacy", owner)
		}
		created := today.Add(-sr.Ago).UnixMilli()
		step := sr.Step.Milliseconds()
		reqID := seededID("rq", owner, sr.Drug.Code)
		fields, err := requestFields(reqID, seededID("or", owner, sr.Drug.Code), c.nhsNumber, c.practice,
			templates[sr.Patient][i], sr.Note, "", ph, created, step)
		if err != nil {
			return err
		}
		pipe.HSet(ctx, s.rxRequestKey(c.nhsNumber, reqID), fields...)
		pipe.ZAdd(ctx, s.rxRequestsKey(c.nhsNumber), redis.Z{Score: float64(created), Member: reqID})
		pipe.Eval(ctx, pendingMaxScript, []string{s.rxPendingKey(c.nhsNumber)}, id,
			pendingUntil(created, step, templates[sr.Patient][i].Reject))
	}
	return nil
}

// pendingUntil is when a request made at created stops being on its way:
// when it is rejected, or ready to collect.
func pendingUntil(created, step int64, reject string) int64 {
	if reject != "" {
		return created + approvedAfter*step
	}
	return created + readyAfter*step
}

// requestFields are a new request's hash fields, as name, value pairs.
func requestFields(id, order, nhsNumber, ods string, r storedRepeat, note, by string, ph gp.Pharmacy, created, step int64) ([]any, error) {
	b, err := json.Marshal(storedPharmacy(ph))
	if err != nil {
		return nil, err
	}
	return []any{
		"id", id, "order", order, "nhs", nhsNumber, "ods", ods, "repeat", r.ID,
		"name", r.Name, "dose", r.Dose, "qty", r.Quantity, "note", note, "by", by,
		"pharmacy", string(b), "created", created, "step", step, "reject", r.Reject,
	}, nil
}

// prescribingFrom reads prescribing rules from a stored practice,
// defaulting records seeded before practices had them.
func prescribingFrom(m map[string]string) gp.PrescriptionRules {
	r := gp.DefaultPrescriptionRules
	if v, ok := m["rx_early"]; ok {
		r.EarlyDays = atoi(v)
	}
	if v, ok := m["rx_note_max"]; ok && atoi(v) > 0 {
		r.NoteMax = atoi(v)
	}
	return r
}
