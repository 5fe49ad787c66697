package sandbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// The Redis keys of online consultation. A request is a hash: what the
// patient sent, which never changes, as one JSON document ("doc"), and the
// fields Respond changes ("status", "reply", "responded", "responded_by")
// beside it, so the respond script can check and set them without decoding
// JSON (cjson would turn an empty list into an object). The patient's and
// the practice's sets order request IDs by when they were submitted (ms).
// Seed never touches these keys, so requests outlive reseeding. All are in
// the practice's slot, so a request and both sets are written in one
// transaction.
func (s *System) contactKey(ods, id string) string { return s.at(ods, "contact", "req", id) }
func (s *System) contactsKey(ods, nhsNumber string) string {
	return s.at(ods, "contact", "patient", nhsNumber)
}
func (s *System) contactInboxKey(ods string) string { return s.at(ods, "contact", "inbox") }

// storedContact is what the patient sent, as kept in a request's "doc".
type storedContact struct {
	ID          string         `json:"id"`
	PatientNHS  string         `json:"nhs"`
	PracticeODS string         `json:"ods"`
	Kind        string         `json:"kind"`
	Topic       string         `json:"topic,omitempty"`
	Answers     []storedAnswer `json:"answers,omitempty"`
	Text        string         `json:"text"`
	Screening   string         `json:"screening,omitempty"`
	SubmittedBy string         `json:"by"`
	Submitted   time.Time      `json:"submitted"`
	ReplyBy     time.Time      `json:"reply_by,omitzero"`
}

type storedAnswer struct {
	Question string `json:"q"`
	Answer   string `json:"a"`
}

// SubmitContact records a request in its practice's inbox. It is
// ErrNotFound unless the NHS number is valid and registered at
// c.PracticeODS, and also (the server offers only gp.ContactKinds, so
// anything else is no such kind) when c.Kind is not one of gp.ContactKinds.
// The ID, status and reply fields of c are ignored: the request gets a new
// unguessable ID and starts as received. A zero Submitted becomes now.
func (s *System) SubmitContact(ctx context.Context, c gp.ContactRequest) (gp.ContactRequest, error) {
	// Errors name nothing the caller gave: it may be anything, even an NHS
	// number.
	const op = "submit contact request"
	if !nhs.ValidNumber(c.PatientNHS) {
		return gp.ContactRequest{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	if !slices.Contains(gp.ContactKinds, c.Kind) {
		return gp.ContactRequest{}, fmt.Errorf("%s: kind: %w", op, gp.ErrNotFound)
	}
	p, err := s.Patient(ctx, c.PatientNHS)
	if err != nil {
		return gp.ContactRequest{}, fmt.Errorf("%s: %w", op, err)
	}
	if p.PracticeODS == "" || p.PracticeODS != c.PracticeODS {
		return gp.ContactRequest{}, fmt.Errorf("%s: patient at the practice: %w", op, gp.ErrNotFound)
	}
	id, err := newAppointmentID()
	if err != nil {
		return gp.ContactRequest{}, fmt.Errorf("%s: id: %w", op, err)
	}
	submitted := c.Submitted
	if submitted.IsZero() {
		submitted = s.now()
	}
	doc := storedContact{
		ID: id, PatientNHS: c.PatientNHS, PracticeODS: c.PracticeODS, Kind: string(c.Kind), Topic: c.Topic,
		Text: c.Text, Screening: c.Screening, SubmittedBy: c.SubmittedBy,
		// Kept in UTC: the practice's zone is applied when read.
		Submitted: submitted.UTC(), ReplyBy: utcOrZero(c.ReplyBy),
	}
	for _, a := range c.Answers {
		doc.Answers = append(doc.Answers, storedAnswer(a))
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return gp.ContactRequest{}, fmt.Errorf("%s: %w", op, err)
	}
	fields := map[string]any{
		"doc": string(b), "nhs": c.PatientNHS, "ods": c.PracticeODS, "status": string(gp.ContactReceived),
	}
	score := float64(submitted.UnixMilli())
	err = s.onMaster(ctx, s.contactKey(c.PracticeODS, id), func(rc redis.Cmdable) (bool, error) {
		_, err := rc.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.HSet(ctx, s.contactKey(c.PracticeODS, id), fields)
			pipe.ZAdd(ctx, s.contactsKey(c.PracticeODS, c.PatientNHS), redis.Z{Score: score, Member: id})
			pipe.ZAdd(ctx, s.contactInboxKey(c.PracticeODS), redis.Z{Score: score, Member: id})
			return nil
		})
		return err == nil, err
	})
	if err != nil {
		return gp.ContactRequest{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	// Read back the way lists read it, so what is returned is what is
	// listed.
	out, err := contactFrom(map[string]string{"doc": string(b), "status": string(gp.ContactReceived)})
	if err != nil {
		return gp.ContactRequest{}, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// ContactRequests lists the patient's requests, newest first: ErrNotFound
// for an NHS number that is invalid or not registered, as Repeats and
// PrescriptionRequests are, and an empty list for a patient with none.
func (s *System) ContactRequests(ctx context.Context, patientNHS string) ([]gp.ContactRequest, error) {
	const op = "contact requests"
	if !nhs.ValidNumber(patientNHS) {
		return nil, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	practice, ids, err := s.readContactIndex(ctx, patientNHS)
	if err == nil && practice == "" && s.reseedIfLost(ctx) {
		practice, ids, err = s.readContactIndex(ctx, patientNHS)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	if practice == "" {
		return nil, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	out, err := s.readContacts(ctx, practice, ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// readContactIndex reads the patient's practice ("" when no such patient)
// and their request IDs there.
func (s *System) readContactIndex(ctx context.Context, nhsNumber string) (string, []string, error) {
	practice, err := s.practiceOf(ctx, nhsNumber)
	if errors.Is(err, gp.ErrNotFound) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	ids, err := s.rdb.ZRevRange(ctx, s.contactsKey(practice, nhsNumber), 0, -1).Result()
	return practice, ids, err
}

// Inbox lists the practice's requests, newest first: ErrNotFound for a
// practice the sandbox does not have, an empty list when it has none.
func (s *System) Inbox(ctx context.Context, ods string) ([]gp.ContactRequest, error) {
	const op = "contact inbox"
	if zones[ods] == nil {
		return nil, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	ids, err := s.rdb.ZRevRange(ctx, s.contactInboxKey(ods), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	out, err := s.readContacts(ctx, ods, ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// readContacts reads the practice's requests by ID in one round trip, newest
// first. Never nil: no requests is an empty list.
func (s *System) readContacts(ctx context.Context, ods string, ids []string) ([]gp.ContactRequest, error) {
	out := make([]gp.ContactRequest, 0, len(ids))
	found, err := s.hashes(ctx, ids, func(id string) string { return s.contactKey(ods, id) })
	if err != nil {
		return nil, err
	}
	for _, m := range found {
		r, err := contactFrom(m)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	// The sets order by millisecond; order by the exact time, and requests
	// of the same moment by ID, so every read lists them alike.
	slices.SortStableFunc(out, func(a, b gp.ContactRequest) int {
		return cmp.Or(b.Submitted.Compare(a.Submitted), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// respondScript records a reply in one step, so that of any number of
// concurrent replies, from any number of processes, exactly one is
// recorded. A request at another practice is no request: its existence is
// not revealed.
// KEYS: request. ARGV: practice, reply, responded (RFC 3339), staff.
var respondScript = redis.NewScript(`
local h = redis.call('HMGET', KEYS[1], 'ods', 'status')
if h[1] ~= ARGV[1] then return {'no_request'} end
if h[2] ~= 'received' then return {'responded'} end
redis.call('HSET', KEYS[1], 'status', 'responded', 'reply', ARGV[2], 'responded', ARGV[3], 'responded_by', ARGV[4])
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, 'ok')
return out
`)

// errEmptyReply is returned for a reply that is only blank. It is no
// port error kind: the server checks replies before sending them, so one
// reaching the GP system is a bug.
var errEmptyReply = errors.New("empty reply")

// Respond records the practice's reply (trimmed of surrounding space):
// ErrNotFound unless the request is at ods, ErrAlreadyResponded once it
// has a reply. A blank reply is refused with an error of no port kind.
func (s *System) Respond(ctx context.Context, ods, id, reply, staff string) (gp.ContactRequest, error) {
	// Errors name nothing the caller gave, the ID included: it may be
	// anything.
	const op = "respond to contact request"
	if !validContactID(id) || zones[ods] == nil {
		return gp.ContactRequest{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	reply = strings.TrimSpace(reply)
	if reply == "" {
		return gp.ContactRequest{}, fmt.Errorf("%s: %w", op, errEmptyReply)
	}
	var res []string
	err := s.onMaster(ctx, s.contactKey(ods, id), func(c redis.Cmdable) (_ bool, err error) {
		res, err = respondScript.Run(ctx, c, []string{s.contactKey(ods, id)},
			ods, reply, s.now().UTC().Format(time.RFC3339Nano), staff).StringSlice()
		return len(res) > 0 && res[0] == "ok", err
	})
	if err != nil {
		return gp.ContactRequest{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	if len(res) == 0 {
		return gp.ContactRequest{}, fmt.Errorf("%s: empty answer from script", op)
	}
	switch res[0] {
	case "ok":
		out, err := contactFrom(pairs(res[1:]))
		if err != nil {
			return gp.ContactRequest{}, fmt.Errorf("%s: %w", op, err)
		}
		return out, nil
	case "no_request":
		return gp.ContactRequest{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	case "responded":
		return gp.ContactRequest{}, fmt.Errorf("%s: %w", op, gp.ErrAlreadyResponded)
	}
	return gp.ContactRequest{}, fmt.Errorf("%s: unexpected answer %q from script", op, res[0])
}

// validContactID reports whether id could be one the sandbox made, so a
// caller's ID never reaches a key it does not name.
func validContactID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// contactFrom reads a stored request, its times in its practice's zone.
// Errors name the request's ID, which the sandbox made.
func contactFrom(m map[string]string) (gp.ContactRequest, error) {
	var d storedContact
	if err := json.Unmarshal([]byte(m["doc"]), &d); err != nil {
		return gp.ContactRequest{}, fmt.Errorf("stored contact request: %w", err)
	}
	loc := zones[d.PracticeODS]
	if loc == nil {
		loc = time.UTC
	}
	r := gp.ContactRequest{
		ID: d.ID, PatientNHS: d.PatientNHS, PracticeODS: d.PracticeODS, Kind: gp.ContactKind(d.Kind),
		Topic: d.Topic, Text: d.Text, Screening: d.Screening, SubmittedBy: d.SubmittedBy,
		Submitted: inZone(d.Submitted, loc), ReplyBy: inZone(d.ReplyBy, loc),
		Status: gp.ContactStatus(m["status"]), Reply: m["reply"], RespondedBy: m["responded_by"],
	}
	for _, a := range d.Answers {
		r.Answers = append(r.Answers, gp.Answer(a))
	}
	if v := m["responded"]; v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return gp.ContactRequest{}, fmt.Errorf("stored contact request %s: responded: %w", d.ID, err)
		}
		r.Responded = t.In(loc)
	}
	return r, nil
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func inZone(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.In(loc)
}

// hashes reads the hashes of ids (each key made by key) in one round trip,
// in order, leaving out those that are gone.
func (s *System) hashes(ctx context.Context, ids []string, key func(string) string) ([]map[string]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, key(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("%w: %w", gp.ErrUnavailable, err)
	}
	out := make([]map[string]string, 0, len(cmds))
	for _, c := range cmds {
		if len(c.Val()) > 0 {
			out = append(out, c.Val())
		}
	}
	return out, nil
}

// pairs reads a script's HGETALL answer (field, value, …) as a map.
func pairs(flat []string) map[string]string {
	m := make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		m[flat[i]] = flat[i+1]
	}
	return m
}
