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
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// defaultRxStep is how long a sandbox request takes over each status, unless
// SetPrescriptionStep says otherwise: short enough to watch a request move
// in a demo.
const defaultRxStep = 2 * time.Minute

// A request's statuses come at these multiples of its step after it is made.
// A rejection comes at the first step and is the last.
const (
	approvedAfter  = 1
	sentAfter      = 2
	readyAfter     = 3
	dispensedAfter = 6
)

// SetPrescriptionStep sets how long each new request takes over each status
// (defaultRxStep when d <= 0). Requests keep the step they were made with.
func (s *System) SetPrescriptionStep(d time.Duration) {
	if d <= 0 {
		d = defaultRxStep
	}
	s.rxStep.Store(int64(d))
}

func (s *System) prescriptionStep() time.Duration {
	if d := time.Duration(s.rxStep.Load()); d > 0 {
		return d
	}
	return defaultRxStep
}

// The Redis keys of prescribing, by NHS number like the patient record.
// repeats holds the templates by ID; requests orders request IDs by when
// they were made; pending holds, per template, the time (ms) until which a
// request for it is on its way; nominated is the nominated pharmacy.
func (s *System) rxRepeatsKey(nhsNumber string) string   { return s.key("rx", "repeats", nhsNumber) }
func (s *System) rxRequestsKey(nhsNumber string) string  { return s.key("rx", "requests", nhsNumber) }
func (s *System) rxPendingKey(nhsNumber string) string   { return s.key("rx", "pending", nhsNumber) }
func (s *System) rxNominatedKey(nhsNumber string) string { return s.key("rx", "nominated", nhsNumber) }
func (s *System) rxRequestKey(id string) string          { return s.key("rx", "request", id) }

// storedRepeat is a repeat template as the sandbox keeps it in Redis.
type storedRepeat struct {
	ID         string    `json:"id"`
	Drug       gp.Coding `json:"drug"`
	Name       string    `json:"name"`
	Dose       string    `json:"dose"`
	Quantity   string    `json:"qty"`
	SupplyDays int       `json:"supply"`
	LastIssued string    `json:"last,omitempty"`
	ReviewDate string    `json:"review,omitempty"`
	// Reject is the sandbox's own: why the practice turns down every
	// request for it. It is never shown through the port except as a
	// rejection's reason.
	Reject string `json:"reject,omitempty"`
}

// storedPharmacy is a pharmacy as copied into a request.
type storedPharmacy struct {
	ODS      string   `json:"ods"`
	Name     string   `json:"name"`
	Address  []string `json:"address"`
	Postcode string   `json:"postcode"`
	Phone    string   `json:"phone"`
}

// storedRequest is a request as read from its hash.
type storedRequest struct {
	id, order, nhs, ods, repeat string
	name, dose, qty, note, by   string
	pharmacy                    gp.Pharmacy
	created, step               int64 // ms
	reject                      string
}

// repeatID names a template: stable across reseeding, different for each
// patient, and holding no personal data.
func repeatID(owner, drugCode string) string {
	sum := sha256.Sum256([]byte("companion-sandbox-repeat\x00" + owner + "\x00" + drugCode))
	return "rx-" + hex.EncodeToString(sum[:6])
}

// seededID names a seeded request or order, so reseeding rewrites it
// rather than adding another.
func seededID(kind, owner, drugCode string) string {
	sum := sha256.Sum256([]byte("companion-sandbox-" + kind + "\x00" + owner + "\x00" + drugCode))
	return kind + "-" + hex.EncodeToString(sum[:8])
}

// castRepeats derives the cast member's templates from the current repeat
// medicines in their record on the day today.
func castRepeats(c castMember, today time.Time) ([]storedRepeat, error) {
	tmpls := castTemplates[c.nhsNumber]
	if len(tmpls) == 0 {
		return nil, nil
	}
	rec := castRecord(c, today)
	clock := newClock(today, c)
	owner := c.given + " " + c.family
	out := make([]storedRepeat, 0, len(tmpls))
	for _, t := range tmpls {
		i := slices.IndexFunc(rec.Medicines, func(m gp.Medicine) bool {
			return m.Drug.Code == t.drug.Code && m.Kind == "repeat" && m.Status == "current" && !m.Sensitive
		})
		if i < 0 {
			return nil, fmt.Errorf("repeat template of %s: %s is none of their current repeat medicines", owner, t.drug.Display)
		}
		m := rec.Medicines[i]
		out = append(out, storedRepeat{
			ID: repeatID(owner, m.Drug.Code), Drug: m.Drug, Name: m.Name, Dose: m.Dose, Quantity: m.Quantity,
			SupplyDays: t.supplyDays, LastIssued: m.LastIssued.String(), ReviewDate: clock.ago(-t.reviewIn).String(),
			Reject: t.reject,
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
	for nhsNumber, ods := range nominations {
		if _, ok := findPharmacy(ods); !ok {
			return fmt.Errorf("nomination: no sandbox pharmacy %s", ods)
		}
		pipe.HSetNX(ctx, s.rxNominatedKey(nhsNumber), "ods", ods)
	}
	for _, sr := range seededRequests {
		c, ok := byNHS[sr.patient]
		if !ok {
			return fmt.Errorf("seeded request: no cast member %s", sr.drug.Display)
		}
		owner := c.given + " " + c.family
		id := repeatID(owner, sr.drug.Code)
		i := slices.IndexFunc(templates[sr.patient], func(r storedRepeat) bool { return r.ID == id })
		if i < 0 {
			return fmt.Errorf("seeded request of %s: no template for %s", owner, sr.drug.Display)
		}
		ph, ok := findPharmacy(nominations[sr.patient])
		if !ok {
			return fmt.Errorf("seeded request of %s: no nominated pharmacy", owner)
		}
		created := today.Add(-sr.ago).UnixMilli()
		step := sr.step.Milliseconds()
		reqID := seededID("rq", owner, sr.drug.Code)
		fields, err := requestFields(reqID, seededID("or", owner, sr.drug.Code), c.nhsNumber, c.practice,
			templates[sr.patient][i], sr.note, "", ph, created, step)
		if err != nil {
			return err
		}
		pipe.HSet(ctx, s.rxRequestKey(reqID), fields...)
		pipe.ZAdd(ctx, s.rxRequestsKey(c.nhsNumber), redis.Z{Score: float64(created), Member: reqID})
		pipe.Eval(ctx, pendingMaxScript, []string{s.rxPendingKey(c.nhsNumber)}, id,
			pendingUntil(created, step, templates[sr.patient][i].Reject))
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

// Pharmacies lists the sandbox pharmacies whose name holds query, or whose
// postcode does when spaces are ignored, regardless of case; "" lists all.
// They are ordered by name.
func (s *System) Pharmacies(_ context.Context, query string) ([]gp.Pharmacy, error) {
	q := strings.ToLower(strings.TrimSpace(query))
	compact := strings.ReplaceAll(q, " ", "")
	out := []gp.Pharmacy{}
	for _, p := range pharmacies {
		if q == "" || strings.Contains(strings.ToLower(p.Name), q) ||
			(compact != "" && strings.Contains(strings.ToLower(strings.ReplaceAll(p.Postcode, " ", "")), compact)) {
			out = append(out, clonePharmacy(p))
		}
	}
	return out, nil
}

// Pharmacy returns one sandbox pharmacy by ODS code.
func (s *System) Pharmacy(_ context.Context, ods string) (gp.Pharmacy, error) {
	p, ok := findPharmacy(ods)
	if !ok {
		return gp.Pharmacy{}, fmt.Errorf("pharmacy: %w", gp.ErrNotFound)
	}
	return p, nil
}

func findPharmacy(ods string) (gp.Pharmacy, bool) {
	i := slices.IndexFunc(pharmacies, func(p gp.Pharmacy) bool { return p.ODS == ods })
	if i < 0 || ods == "" {
		return gp.Pharmacy{}, false
	}
	return clonePharmacy(pharmacies[i]), true
}

// clonePharmacy copies p, so no caller can change the directory.
func clonePharmacy(p gp.Pharmacy) gp.Pharmacy {
	p.Address = slices.Clone(p.Address)
	return p
}

func sortedPharmacies(ps []gp.Pharmacy) []gp.Pharmacy {
	slices.SortFunc(ps, func(a, b gp.Pharmacy) int { return cmp.Compare(a.Name, b.Name) })
	return ps
}

// rxState is what the sandbox holds about one patient's prescribing.
type rxState struct {
	practice string // "" when no such patient
	repeats  []storedRepeat
	requests []storedRequest // newest first
}

// readRx reads the patient's registration, templates and requests: two
// round trips, whatever their number.
func (s *System) readRx(ctx context.Context, nhsNumber string) (rxState, error) {
	st, err := s.tryReadRx(ctx, nhsNumber)
	if err == nil && st.practice == "" && s.reseedIfLost(ctx) {
		st, err = s.tryReadRx(ctx, nhsNumber)
	}
	return st, err
}

func (s *System) tryReadRx(ctx context.Context, nhsNumber string) (rxState, error) {
	pipe := s.rdb.Pipeline()
	practice := pipe.HGet(ctx, s.key("patient", nhsNumber), "practice")
	repeats := pipe.HGetAll(ctx, s.rxRepeatsKey(nhsNumber))
	ids := pipe.ZRevRange(ctx, s.rxRequestsKey(nhsNumber), 0, -1)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return rxState{}, err
	}
	st := rxState{practice: practice.Val()}
	for id, v := range repeats.Val() {
		var r storedRepeat
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return rxState{}, fmt.Errorf("stored repeat %s: %w", id, err)
		}
		st.repeats = append(st.repeats, r)
	}
	slices.SortFunc(st.repeats, func(a, b storedRepeat) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	if len(ids.Val()) == 0 {
		return st, nil
	}
	pipe = s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids.Val()))
	for i, id := range ids.Val() {
		cmds[i] = pipe.HGetAll(ctx, s.rxRequestKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return rxState{}, err
	}
	for _, c := range cmds {
		m := c.Val()
		if len(m) == 0 {
			continue
		}
		r, err := requestFrom(m)
		if err != nil {
			return rxState{}, err
		}
		st.requests = append(st.requests, r)
	}
	// Medicines ordered together were made at the same moment: keep them
	// together, by name.
	slices.SortStableFunc(st.requests, func(a, b storedRequest) int {
		return cmp.Or(cmp.Compare(b.created, a.created), cmp.Compare(a.order, b.order), cmp.Compare(a.name, b.name))
	})
	return st, nil
}

func requestFrom(m map[string]string) (storedRequest, error) {
	var ph storedPharmacy
	if err := json.Unmarshal([]byte(m["pharmacy"]), &ph); err != nil {
		return storedRequest{}, fmt.Errorf("stored request %s: pharmacy: %w", m["id"], err)
	}
	created, err1 := strconv.ParseInt(m["created"], 10, 64)
	step, err2 := strconv.ParseInt(m["step"], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return storedRequest{}, fmt.Errorf("stored request %s: %w", m["id"], err)
	}
	return storedRequest{
		id: m["id"], order: m["order"], nhs: m["nhs"], ods: m["ods"], repeat: m["repeat"],
		name: m["name"], dose: m["dose"], qty: m["qty"], note: m["note"], by: m["by"],
		pharmacy: gp.Pharmacy(ph), created: created, step: step, reject: m["reject"],
	}, nil
}

// at is when the request reached the status n steps after it was made.
func (r storedRequest) at(n int64) int64 { return r.created + n*r.step }

func (r storedRequest) location() *time.Location {
	if loc := zones[r.ods]; loc != nil {
		return loc
	}
	return time.UTC
}

// history is the request's statuses up to now (ms). The request itself is
// always there, even if another process's clock made it a moment ahead.
func (r storedRequest) history(now int64) []gp.StatusChange {
	loc := r.location()
	t := func(ms int64) time.Time { return time.UnixMilli(ms).In(loc) }
	h := []gp.StatusChange{{Status: gp.RxRequested, At: t(r.created)}}
	if r.reject != "" {
		if at := r.at(approvedAfter); at <= now {
			h = append(h, gp.StatusChange{Status: gp.RxRejected, At: t(at), Reason: r.reject})
		}
		return h
	}
	for _, st := range []struct {
		n      int64
		status gp.RequestStatus
	}{{approvedAfter, gp.RxApproved}, {sentAfter, gp.RxSent}, {readyAfter, gp.RxReady}, {dispensedAfter, gp.RxDispensed}} {
		at := r.at(st.n)
		if at > now {
			break
		}
		h = append(h, gp.StatusChange{Status: st.status, At: t(at)})
	}
	return h
}

// issued is the date the request's medicine was issued, if it has been by
// now: the day it was approved, at its practice.
func (r storedRequest) issued(now int64) (gp.Date, bool) {
	at := r.at(approvedAfter)
	if r.reject != "" || at > now {
		return gp.Date{}, false
	}
	return gp.DateOf(time.UnixMilli(at).In(r.location())), true
}

func (r storedRequest) request(now int64) gp.Request {
	return gp.Request{
		ID: r.id, OrderID: r.order, PatientNHS: r.nhs, RepeatID: r.repeat,
		Name: r.name, Dose: r.dose, Quantity: r.qty, Note: r.note, Pharmacy: clonePharmacy(r.pharmacy),
		History: r.history(now), RequestedBy: r.by,
	}
}

// repeatsAt are the patient's templates as of now: each last issued on the
// later of the template's date and its latest approved request.
func (st rxState) repeatsAt(now int64) ([]gp.Repeat, error) {
	out := make([]gp.Repeat, 0, len(st.repeats))
	for _, r := range st.repeats {
		rp := gp.Repeat{ID: r.ID, Drug: r.Drug, Name: r.Name, Dose: r.Dose, Quantity: r.Quantity, SupplyDays: r.SupplyDays}
		var err error
		if r.LastIssued != "" {
			if rp.LastIssued, err = parseDate(r.LastIssued); err != nil {
				return nil, fmt.Errorf("stored repeat %s: %w", r.ID, err)
			}
		}
		if r.ReviewDate != "" {
			if rp.ReviewDate, err = parseDate(r.ReviewDate); err != nil {
				return nil, fmt.Errorf("stored repeat %s: %w", r.ID, err)
			}
		}
		for _, rq := range st.requests {
			if d, ok := rq.issued(now); ok && rq.repeat == r.ID && rp.LastIssued.Before(d) {
				rp.LastIssued = d
			}
		}
		out = append(out, rp)
	}
	return out, nil
}

// Repeats lists the patient's repeat templates, ordered by name.
func (s *System) Repeats(ctx context.Context, patientNHS string) ([]gp.Repeat, error) {
	if !nhs.ValidNumber(patientNHS) {
		return nil, fmt.Errorf("repeats: %w", gp.ErrNotFound)
	}
	st, err := s.readRx(ctx, patientNHS)
	if err != nil {
		return nil, fmt.Errorf("repeats: %w: %w", gp.ErrUnavailable, err)
	}
	if st.practice == "" {
		return nil, fmt.Errorf("repeats: %w", gp.ErrNotFound)
	}
	out, err := st.repeatsAt(s.now().UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("repeats: %w", err)
	}
	return out, nil
}

// PrescriptionRequests lists the patient's requests, newest first, each with
// its history up to now.
func (s *System) PrescriptionRequests(ctx context.Context, patientNHS string) ([]gp.Request, error) {
	if !nhs.ValidNumber(patientNHS) {
		return nil, fmt.Errorf("prescription requests: %w", gp.ErrNotFound)
	}
	st, err := s.readRx(ctx, patientNHS)
	if err != nil {
		return nil, fmt.Errorf("prescription requests: %w: %w", gp.ErrUnavailable, err)
	}
	if st.practice == "" {
		return nil, fmt.Errorf("prescription requests: %w", gp.ErrNotFound)
	}
	now := s.now().UnixMilli()
	out := make([]gp.Request, len(st.requests))
	for i, r := range st.requests {
		out[i] = r.request(now)
	}
	return out, nil
}

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
		keys = append(keys, s.rxRequestKey(id))
		args = append(args, tmpl.ID, pendingUntil(now, step, tmpl.Reject), id)
		args = append(args, fields...)
		out[i] = storedRequest{
			id: id, order: orderID, nhs: o.PatientNHS, ods: o.PracticeODS, repeat: tmpl.ID,
			name: tmpl.Name, dose: tmpl.Dose, qty: tmpl.Quantity, note: note, by: o.Actor,
			pharmacy: ph, created: now, step: step, reject: tmpl.Reject,
		}.request(now)
	}
	res, err := orderScript.Run(ctx, s.rdb, keys, args...).Text()
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

// NominatedPharmacy returns the patient's nominated pharmacy, and false if
// they have none.
func (s *System) NominatedPharmacy(ctx context.Context, patientNHS string) (gp.Pharmacy, bool, error) {
	const op = "nominated pharmacy"
	if !nhs.ValidNumber(patientNHS) {
		return gp.Pharmacy{}, false, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	practice, ods, err := s.readNomination(ctx, patientNHS)
	if err == nil && practice == "" && s.reseedIfLost(ctx) {
		practice, ods, err = s.readNomination(ctx, patientNHS)
	}
	if err != nil {
		return gp.Pharmacy{}, false, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	if practice == "" {
		return gp.Pharmacy{}, false, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	// A pharmacy gone from the directory is no nomination.
	p, ok := findPharmacy(ods)
	return p, ok, nil
}

func (s *System) readNomination(ctx context.Context, nhsNumber string) (practice, ods string, err error) {
	pipe := s.rdb.Pipeline()
	pr := pipe.HGet(ctx, s.key("patient", nhsNumber), "practice")
	od := pipe.HGet(ctx, s.rxNominatedKey(nhsNumber), "ods")
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return "", "", err
	}
	return pr.Val(), od.Val(), nil
}

// Nominate makes ods the patient's nominated pharmacy.
func (s *System) Nominate(ctx context.Context, patientNHS, ods, actor string) (gp.Pharmacy, error) {
	const op = "nominate pharmacy"
	p, ok := findPharmacy(ods)
	if !nhs.ValidNumber(patientNHS) || !ok {
		return gp.Pharmacy{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	if _, err := s.Patient(ctx, patientNHS); err != nil {
		return gp.Pharmacy{}, fmt.Errorf("%s: %w", op, err)
	}
	err := s.rdb.HSet(ctx, s.rxNominatedKey(patientNHS), map[string]any{
		"ods": ods, "by": actor, "at": s.now().UnixMilli(),
	}).Err()
	if err != nil {
		return gp.Pharmacy{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	return p, nil
}
