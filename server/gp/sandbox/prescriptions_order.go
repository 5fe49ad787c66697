package sandbox

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// orderScript records an order's requests in one step, so that of any
// number of concurrent orders of one medicine, from any number of
// processes, exactly one is recorded: all of an order's medicines are
// checked before any is written.
// KEYS: pending, requests, then one request hash per medicine.
// ARGV: now (ms), fields per request, then per medicine: repeat id, pending
// until (ms), request id, and its fields as name, value pairs.
var orderScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local nf = tonumber(ARGV[2])
local size = 3 + 2 * nf
local n = #KEYS - 2
for i = 1, n do
  local b = 3 + (i - 1) * size
  local pend = redis.call('HGET', KEYS[1], ARGV[b])
  if pend and tonumber(pend) > now then return 'already' end
end
for i = 1, n do
  local b = 3 + (i - 1) * size
  local fields = {}
  for j = 1, 2 * nf do fields[j] = ARGV[b + 2 + j] end
  redis.call('HSET', KEYS[2 + i], unpack(fields))
  redis.call('ZADD', KEYS[2], now, ARGV[b + 2])
  redis.call('HSET', KEYS[1], ARGV[b], ARGV[b + 1])
end
return 'ok'
`)

// Order records one request per medicine ordered, all or none.
func (s *System) Order(ctx context.Context, o gp.Order) ([]gp.Request, error) {
	// Errors name only IDs of the patient's own templates: anything else
	// came from the caller, and may be anything.
	const op = "order repeats"
	if !nhs.ValidNumber(o.PatientNHS) {
		return nil, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	var ids []string
	for _, id := range o.RepeatIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no medicines: %w", op, gp.ErrNotFound)
	}
	ph, ok := findPharmacy(o.PharmacyODS)
	if !ok {
		return nil, fmt.Errorf("%s: pharmacy: %w", op, gp.ErrNotFound)
	}
	st, err := s.readRx(ctx, o.PatientNHS)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	if st.practice == "" || st.practice != o.PracticeODS {
		return nil, fmt.Errorf("%s: patient at the practice: %w", op, gp.ErrNotFound)
	}
	now := s.now().UnixMilli()
	current, err := st.repeatsAt(now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	chosen := make([]int, len(ids)) // index in st.repeats and current, per ID
	for i, id := range ids {
		chosen[i] = slices.IndexFunc(current, func(r gp.Repeat) bool { return r.ID == id })
		if chosen[i] < 0 {
			return nil, fmt.Errorf("%s: repeat: %w", op, gp.ErrNotFound)
		}
	}
	for i, id := range ids {
		if current[chosen[i]].ReviewDue(o.Today) {
			return nil, fmt.Errorf("%s: repeat %s: %w", op, id, gp.ErrReviewDue)
		}
	}
	note := strings.TrimSpace(o.Note)
	for i, id := range ids {
		if note == "" && current[chosen[i]].Early(o.Today, o.EarlyDays) {
			return nil, fmt.Errorf("%s: repeat %s: %w", op, id, gp.ErrTooEarly)
		}
	}

	orderID, err := newAppointmentID()
	if err != nil {
		return nil, fmt.Errorf("%s: order id: %w", op, err)
	}
	step := s.prescriptionStep().Milliseconds()
	keys := []string{s.rxPendingKey(o.PatientNHS), s.rxRequestsKey(o.PatientNHS)}
	var args []any
	out := make([]gp.Request, len(ids))
	for i := range ids {
		id, err := newAppointmentID()
		if err != nil {
			return nil, fmt.Errorf("%s: request id: %w", op, err)
		}
		tmpl := st.repeats[chosen[i]]
		fields, err := requestFields(id, orderID, o.PatientNHS, o.PracticeODS, tmpl, note, o.Actor, ph, now, step)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		if args == nil {
			args = []any{now, len(fields) / 2}
		}
		keys = append(keys, s.rxRequestKey(o.PatientNHS, id))
		args = append(args, tmpl.ID, pendingUntil(now, step, tmpl.Reject), id)
		args = append(args, fields...)
		out[i] = storedRequest{
			id: id, order: orderID, nhs: o.PatientNHS, ods: o.PracticeODS, repeat: tmpl.ID,
			name: tmpl.Name, dose: tmpl.Dose, qty: tmpl.Quantity, note: note, by: o.Actor,
			pharmacy: ph, created: now, step: step, reject: tmpl.Reject,
		}.request(now)
	}
	var res string
	err = s.onMaster(ctx, keys[0], func(c redis.Cmdable) (bool, error) {
		var err error
		res, err = orderScript.Run(ctx, c, keys, args...).Text()
		return res == "ok", err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	switch res {
	case "ok":
		return out, nil
	case "already":
		return nil, fmt.Errorf("%s: %w", op, gp.ErrAlreadyRequested)
	}
	return nil, fmt.Errorf("%s: unexpected answer %q from script", op, res)
}
