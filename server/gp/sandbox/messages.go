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

// The Redis keys of messages, laid out as online requests are (see
// contactKey): a message is a hash of what the practice sent, which never
// changes, as one JSON document ("doc"), beside the fields the patient
// changes ("read", "read_by", "reply", "replied", "replied_by"); the
// patient's and the practice's sets order message IDs by when they were
// sent (ms), and the patient's unread set holds those not yet opened. All
// are in the practice's slot, so one transaction writes them.
func (s *System) messageKey(ods, id string) string { return s.at(ods, "msg", "m", id) }
func (s *System) messagesKey(ods, nhsNumber string) string {
	return s.at(ods, "msg", "patient", nhsNumber)
}
func (s *System) unreadKey(ods, nhsNumber string) string {
	return s.at(ods, "msg", "unread", nhsNumber)
}
func (s *System) outboxKey(ods string) string { return s.at(ods, "msg", "sent") }

// storedMessage is what the practice sent, as kept in a message's "doc".
type storedMessage struct {
	ID          string    `json:"id"`
	PatientNHS  string    `json:"nhs"`
	PracticeODS string    `json:"ods"`
	Sender      string    `json:"sender"`
	SentBy      string    `json:"by"`
	Subject     string    `json:"subject"`
	Body        string    `json:"body"`
	ReplyAsked  bool      `json:"reply,omitempty"`
	Keywords    []string  `json:"keywords,omitempty"`
	Sent        time.Time `json:"sent"`
}

// SendMessage records a message to a patient registered at the practice.
func (s *System) SendMessage(ctx context.Context, m gp.Message) (gp.Message, error) {
	// Errors name nothing the caller gave: it may be an NHS number.
	const op = "send message"
	if !nhs.ValidNumber(m.PatientNHS) {
		return gp.Message{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	p, err := s.Patient(ctx, m.PatientNHS)
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w", op, err)
	}
	if p.PracticeODS == "" || p.PracticeODS != m.PracticeODS {
		return gp.Message{}, fmt.Errorf("%s: patient at the practice: %w", op, gp.ErrNotFound)
	}
	id, err := newAppointmentID()
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: id: %w", op, err)
	}
	sent := m.Sent
	if sent.IsZero() {
		sent = s.now()
	}
	doc := storedMessage{ID: id, PatientNHS: m.PatientNHS, PracticeODS: m.PracticeODS, Sender: m.Sender, SentBy: m.SentBy,
		Subject: m.Subject, Body: m.Body, ReplyAsked: m.ReplyAsked, Keywords: slices.Clone(m.Keywords), Sent: sent.UTC()}
	if !doc.ReplyAsked {
		doc.Keywords = nil
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w", op, err)
	}
	score := float64(sent.UnixMilli())
	key := s.messageKey(m.PracticeODS, id)
	err = s.onMaster(ctx, key, func(rc redis.Cmdable) (bool, error) {
		_, err := rc.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.HSet(ctx, key, "doc", string(b), "nhs", m.PatientNHS)
			pipe.ZAdd(ctx, s.messagesKey(m.PracticeODS, m.PatientNHS), redis.Z{Score: score, Member: id})
			pipe.SAdd(ctx, s.unreadKey(m.PracticeODS, m.PatientNHS), id)
			pipe.ZAdd(ctx, s.outboxKey(m.PracticeODS), redis.Z{Score: score, Member: id})
			return nil
		})
		return err == nil, err
	})
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	return messageFrom(map[string]string{"doc": string(b)})
}

// PatientMessages lists the patient's messages, newest first.
func (s *System) PatientMessages(ctx context.Context, patientNHS string) ([]gp.Message, error) {
	const op = "patient messages"
	ods, err := s.messagesPractice(ctx, patientNHS)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ids, err := s.rdb.ZRevRange(ctx, s.messagesKey(ods, patientNHS), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	out, err := s.readMessages(ctx, ods, ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// UnreadMessages counts the patient's messages not opened yet.
func (s *System) UnreadMessages(ctx context.Context, patientNHS string) (int, error) {
	const op = "unread messages"
	ods, err := s.messagesPractice(ctx, patientNHS)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	n, err := s.rdb.SCard(ctx, s.unreadKey(ods, patientNHS)).Result()
	if err != nil {
		return 0, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	return int(n), nil
}

// messagesPractice is the practice of a patient the sandbox knows.
func (s *System) messagesPractice(ctx context.Context, patientNHS string) (string, error) {
	if !nhs.ValidNumber(patientNHS) {
		return "", gp.ErrNotFound
	}
	ods, err := s.practiceOf(ctx, patientNHS)
	if errors.Is(err, gp.ErrNotFound) && s.reseedIfLost(ctx) {
		ods, err = s.practiceOf(ctx, patientNHS)
	}
	if err != nil {
		return "", err
	}
	return ods, nil
}

// readMessages reads the practice's messages by ID in one round trip,
// newest first; never nil.
func (s *System) readMessages(ctx context.Context, ods string, ids []string) ([]gp.Message, error) {
	out := make([]gp.Message, 0, len(ids))
	found, err := s.hashes(ctx, ids, func(id string) string { return s.messageKey(ods, id) })
	if err != nil {
		return nil, err
	}
	for _, h := range found {
		m, err := messageFrom(h)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b gp.Message) int {
		return cmp.Or(b.Sent.Compare(a.Sent), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// readScript records the first opening of a message. A message of another
// patient is no message.
// KEYS: message, patient's unread set. ARGV: NHS number, when (RFC 3339), who, ID.
var readScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'nhs') ~= ARGV[1] then return {'no_message'} end
if not redis.call('HGET', KEYS[1], 'read') then
  redis.call('HSET', KEYS[1], 'read', ARGV[2], 'read_by', ARGV[3])
  redis.call('SREM', KEYS[2], ARGV[4])
end
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, 'ok')
return out
`)

// replyScript records the one reply to a message.
// KEYS: message. ARGV: NHS number, reply, when (RFC 3339), who.
var replyScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'nhs') ~= ARGV[1] then return {'no_message'} end
if redis.call('HGET', KEYS[1], 'replied') then return {'replied'} end
redis.call('HSET', KEYS[1], 'reply', ARGV[2], 'replied', ARGV[3], 'replied_by', ARGV[4])
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, 'ok')
return out
`)

// MarkRead records the message as read at its first opening.
func (s *System) MarkRead(ctx context.Context, patientNHS, id, who string) (gp.Message, error) {
	const op = "mark message read"
	ods, err := s.messagesPractice(ctx, patientNHS)
	if err != nil || !validContactID(id) {
		return gp.Message{}, fmt.Errorf("%s: %w", op, cmp.Or(err, gp.ErrNotFound))
	}
	keys := []string{s.messageKey(ods, id), s.unreadKey(ods, patientNHS)}
	return s.runMessageScript(ctx, op, readScript, keys, patientNHS, s.now().UTC().Format(time.RFC3339Nano), who, id)
}

// ReplyToMessage records the patient's one reply.
func (s *System) ReplyToMessage(ctx context.Context, patientNHS, id, reply, who string) (gp.Message, error) {
	const op = "reply to message"
	ods, err := s.messagesPractice(ctx, patientNHS)
	if err != nil || !validContactID(id) {
		return gp.Message{}, fmt.Errorf("%s: %w", op, cmp.Or(err, gp.ErrNotFound))
	}
	key := s.messageKey(ods, id)
	h, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	if h["nhs"] != patientNHS {
		return gp.Message{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	m, err := messageFrom(h)
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w", op, err)
	}
	reply = strings.TrimSpace(reply)
	if !m.ReplyAsked || reply == "" || (len(m.Keywords) > 0 && !slices.Contains(m.Keywords, reply)) {
		return gp.Message{}, fmt.Errorf("%s: %w", op, gp.ErrReplyNotAsked)
	}
	return s.runMessageScript(ctx, op, replyScript, []string{key}, patientNHS, reply, s.now().UTC().Format(time.RFC3339Nano), who)
}

func (s *System) runMessageScript(ctx context.Context, op string, script *redis.Script, keys []string, args ...any) (gp.Message, error) {
	var res []string
	err := s.onMaster(ctx, keys[0], func(c redis.Cmdable) (_ bool, err error) {
		res, err = script.Run(ctx, c, keys, args...).StringSlice()
		return len(res) > 0 && res[0] == "ok", err
	})
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	switch {
	case len(res) == 0:
		return gp.Message{}, fmt.Errorf("%s: empty answer from script", op)
	case res[0] == "no_message":
		return gp.Message{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	case res[0] == "replied":
		return gp.Message{}, fmt.Errorf("%s: %w", op, gp.ErrAlreadyReplied)
	case res[0] != "ok":
		return gp.Message{}, fmt.Errorf("%s: unexpected answer %q from script", op, res[0])
	}
	m, err := messageFrom(pairs(res[1:]))
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w", op, err)
	}
	return m, nil
}

// SentMessages lists the practice's messages, newest first.
func (s *System) SentMessages(ctx context.Context, ods string) ([]gp.Message, error) {
	const op = "sent messages"
	if zones[ods] == nil {
		return nil, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	ids, err := s.rdb.ZRevRange(ctx, s.outboxKey(ods), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	out, err := s.readMessages(ctx, ods, ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// messageFrom reads a stored message, its times in its practice's zone.
func messageFrom(h map[string]string) (gp.Message, error) {
	var d storedMessage
	if err := json.Unmarshal([]byte(h["doc"]), &d); err != nil {
		return gp.Message{}, fmt.Errorf("stored message: %w", err)
	}
	loc := zones[d.PracticeODS]
	if loc == nil {
		loc = time.UTC
	}
	m := gp.Message{ID: d.ID, PatientNHS: d.PatientNHS, PracticeODS: d.PracticeODS, Sender: d.Sender, SentBy: d.SentBy,
		Subject: d.Subject, Body: d.Body, ReplyAsked: d.ReplyAsked, Keywords: d.Keywords, Sent: d.Sent.In(loc),
		ReadBy: h["read_by"], Reply: h["reply"], RepliedBy: h["replied_by"]}
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"read", &m.Read}, {"replied", &m.Replied}} {
		if v := h[f.name]; v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return gp.Message{}, fmt.Errorf("stored message %s: %s: %w", d.ID, f.name, err)
			}
			*f.to = t.In(loc)
		}
	}
	return m, nil
}
