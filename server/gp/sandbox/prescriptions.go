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

// The Redis keys of prescribing, all in the patient's slot. repeats holds
// the templates by ID; requests orders request IDs by when they were made;
// pending holds, per template, the time (ms) until which a request for it is
// on its way; request is one request; nominated is the nominated pharmacy.
func (s *System) rxRepeatsKey(nhsNumber string) string   { return s.of(nhsNumber, "rx", "repeats") }
func (s *System) rxRequestsKey(nhsNumber string) string  { return s.of(nhsNumber, "rx", "requests") }
func (s *System) rxPendingKey(nhsNumber string) string   { return s.of(nhsNumber, "rx", "pending") }
func (s *System) rxNominatedKey(nhsNumber string) string { return s.of(nhsNumber, "rx", "nominated") }
func (s *System) rxRequestKey(nhsNumber, id string) string {
	return s.of(nhsNumber, "rx", "request", id)
}

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
	known := gp.Registration(ctx, nhsNumber)
	var practice *redis.StringCmd
	if known == "" {
		practice = pipe.HGet(ctx, s.key("patient", nhsNumber), "practice")
	}
	repeats := pipe.HGetAll(ctx, s.rxRepeatsKey(nhsNumber))
	ids := pipe.ZRevRange(ctx, s.rxRequestsKey(nhsNumber), 0, -1)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return rxState{}, err
	}
	st := rxState{practice: known}
	if practice != nil && practice.Val() != "" {
		st.practice = practice.Val()
		gp.NoteRegistration(ctx, nhsNumber, st.practice)
	}
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
		cmds[i] = pipe.HGetAll(ctx, s.rxRequestKey(nhsNumber, id))
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
