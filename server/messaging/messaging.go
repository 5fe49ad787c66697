// Package messaging is messages from practices to their patients: a
// practice's staff write (a small Markdown subset, optionally asking for a
// reply: any text, or one of a few keywords), the patient or a proxy the
// relationship allows reads them (the first opening is the read receipt the
// practice sees) and replies once. Every send, opening and reply is
// audited. The messages themselves live in the GP system, through the port.
//
// It is server-only: it must not import app/ui nor server.
package messaging

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/internal/bounded"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/notify"
	"github.com/nhs-companion/companion/server/reqstate"
	"github.com/nhs-companion/companion/server/text"
)

// Need is what reading a patient's messages needs: the practice's flag,
// the messages permission for a proxy, and P9, as the NHS App delivers
// messages to P9 users only.
var Need = access.Need{Feature: flags.Messages, Permission: nhs.PermMessages, P9: true}

// Limits on what is written.
const (
	SubjectMax = 120
	BodyMax    = 5000
	ReplyMax   = 1000
	KeywordMax = 30
)

// Refusals.
var (
	ErrNoMessage      = fault.New(fault.NotFound, "message_not_found", "messages.error.notFound")
	ErrReplyRequired  = fault.New(fault.Invalid, "reply_required", "messages.error.reply")
	ErrReplyNotAsked  = fault.New(fault.Unprocessable, "reply_not_asked", "messages.error.notAsked")
	ErrAlreadyReplied = fault.New(fault.Conflict, "already_replied", "messages.error.already")
	ErrBadNHSNumber   = fault.New(fault.Invalid, "bad_nhs_number", "messages.error.nhsNumber")
	ErrNotRegistered  = fault.New(fault.Unprocessable, "patient_not_registered", "messages.error.notRegistered")
	ErrSubject        = fault.New(fault.Invalid, "subject_required", "messages.error.subject")
	ErrBody           = fault.New(fault.Invalid, "body_required", "messages.error.body")
	ErrKeywords       = fault.New(fault.Invalid, "bad_keywords", "messages.error.keywords")
)

// GP is what messaging reaches of the GP system for a practice's staff:
// who its patients are, sending, and what it sent.
type GP interface {
	gp.Directory
	gp.Messages
	gp.Outbox
}

// Service is messaging. Its fields are set at wiring time.
type Service struct {
	GP GP
	// IDs tells the patient's own opening or reply from a proxy's.
	IDs   *access.IDs
	Audit *audit.Trail
	// Notify hears of what patients should be told (nil: nobody is).
	Notify *notify.Service
	// Idem makes a send with an idempotency key happen once.
	Idem *reqstate.Idempotency
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	// unread remembers each patient's unread count for the header for up
	// to UnreadFor, so a page view costs the GP system nothing more; this
	// process forgets it when it sends, opens or lists the patient's
	// messages, which are always read fresh.
	unread bounded.Map[string, counted]
}

// UnreadFor is how long a header's unread count may be remembered: another
// process's send or opening shows in the header within it, and at once on
// the messages pages.
const UnreadFor = 30 * time.Second

type counted struct {
	n  int
	at time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// View is a message as the patient sees it, its body when withBody.
func View(m gp.Message, withBody bool) api.Message {
	v := api.Message{ID: m.ID, Sender: m.Sender, Subject: m.Subject, Sent: m.Sent.UnixMilli(), Read: !m.Read.IsZero(),
		ReplyAsked: m.ReplyAsked, Keywords: m.Keywords, Reply: m.Reply}
	if withBody {
		v.Body = Body(m.Body)
	}
	if !m.Replied.IsZero() {
		v.Replied = m.Replied.UnixMilli()
	}
	return v
}

// List is the patient's messages, newest first, and how many are unread.
func (s *Service) List(ctx context.Context, p *access.Patient) (api.MessageList, error) {
	list, err := p.Messages().List(ctx)
	if err != nil {
		return api.MessageList{}, err
	}
	out := api.MessageList{Messages: make([]api.Message, 0, len(list))}
	for _, m := range list {
		out.Messages = append(out.Messages, View(m, false))
		if m.Read.IsZero() {
			out.Unread++
		}
	}
	s.unread.Put(p.ID(), counted{n: out.Unread, at: s.now()})
	return out, nil
}

// Unread counts the patient's messages not read yet, for the header: as
// remembered, when that was less than UnreadFor ago.
func (s *Service) Unread(ctx context.Context, p *access.Patient) (int, error) {
	if c, ok := s.unread.Get(p.ID()); ok && s.now().Sub(c.at) < UnreadFor && !c.at.IsZero() {
		return c.n, nil
	}
	n, err := p.Messages().Unread(ctx)
	if err != nil {
		return 0, err
	}
	s.unread.Put(p.ID(), counted{n: n, at: s.now()})
	return n, nil
}

// forget drops the remembered unread count of the patient with this ID.
func (s *Service) forget(id string) { s.unread.Put(id, counted{}) }

// Open is one of the patient's messages, opened: the first opening is the
// read receipt. Every opening is audited.
func (s *Service) Open(ctx context.Context, p *access.Patient, id string) (api.Message, error) {
	m, err := p.Messages().Open(ctx, id)
	s.forget(p.ID())
	if errors.Is(err, gp.ErrNotFound) {
		err = ErrNoMessage
	}
	outcome, reason := access.Outcome(err)
	s.Audit.Record(ctx, p.Event("message_read", outcome, reason, "message:"+id))
	if err != nil {
		return api.Message{}, err
	}
	return View(m, true), nil
}

// Reply sends the patient's one reply to a message that asks for one.
func (s *Service) Reply(ctx context.Context, p *access.Patient, id, reply string) (api.Message, error) {
	reply = strings.TrimSpace(reply)
	if reply == "" || utf8.RuneCountInString(reply) > ReplyMax || text.Unsafe(reply) {
		return api.Message{}, ErrReplyRequired
	}
	m, err := p.Messages().Reply(ctx, id, reply)
	switch {
	case errors.Is(err, gp.ErrNotFound):
		err = ErrNoMessage
	case errors.Is(err, gp.ErrReplyNotAsked):
		err = ErrReplyNotAsked
	case errors.Is(err, gp.ErrAlreadyReplied):
		err = ErrAlreadyReplied
	}
	outcome, reason := access.Outcome(err)
	s.Audit.Record(ctx, p.Event("message_reply", outcome, reason, "message:"+id))
	if err != nil {
		return api.Message{}, err
	}
	return View(m, true), nil
}

// Checked is a new message put right for sending: its field refused
// ("nhs_number", "subject", "body" or "keywords") and why, when it is
// not.
func Checked(in api.NewMessage) (api.NewMessage, string, error) {
	in.NHSNumber = strings.ReplaceAll(strings.TrimSpace(in.NHSNumber), " ", "")
	in.Subject, in.Body = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Body)
	switch {
	case !nhs.ValidNumber(in.NHSNumber):
		return in, "nhs_number", ErrBadNHSNumber
	case in.Subject == "" || utf8.RuneCountInString(in.Subject) > SubjectMax || text.Unsafe(in.Subject) || strings.ContainsAny(in.Subject, "\r\n"):
		return in, "subject", ErrSubject
	case in.Body == "" || utf8.RuneCountInString(in.Body) > BodyMax || text.Unsafe(in.Body):
		return in, "body", ErrBody
	}
	if in.Reply != nil {
		var kw []string
		for _, k := range in.Reply.Keywords {
			k = strings.TrimSpace(k)
			if k == "" || utf8.RuneCountInString(k) > KeywordMax || text.Unsafe(k) || strings.ContainsAny(k, "\r\n,") || slices.Contains(kw, k) {
				return in, "keywords", ErrKeywords
			}
			kw = append(kw, k)
		}
		if len(kw) > gp.MaxReplyKeywords {
			return in, "keywords", ErrKeywords
		}
		in.Reply = &api.ReplyRequest{Keywords: kw}
	}
	return in, "", nil
}

// Preview is a new message checked and its patient found at the practice,
// for the member of staff to check whom it goes to before it is sent
// (SentMessage with no ID): the field refused and why, when it cannot go.
func (s *Service) Preview(ctx context.Context, practice gp.Practice, in api.NewMessage) (api.NewMessage, api.SentMessage, string, error) {
	in, field, err := Checked(in)
	if err != nil {
		return in, api.SentMessage{}, field, err
	}
	who, err := s.GP.Patient(ctx, in.NHSNumber)
	switch {
	case errors.Is(err, gp.ErrNotFound) || (err == nil && who.PracticeODS != practice.ODS):
		return in, api.SentMessage{}, "nhs_number", ErrNotRegistered
	case err != nil:
		return in, api.SentMessage{}, "", fault.Unreachable(err)
	}
	v := s.sentView(gp.Message{PatientNHS: in.NHSNumber, Subject: in.Subject, Body: in.Body}, who)
	if in.Reply != nil {
		v.ReplyAsked, v.Keywords = true, in.Reply.Keywords
	}
	return in, v, "", nil
}

// Staff is the member of staff sending: their opaque subject and session,
// for the audit trail.
type Staff struct{ Subject, Session string }

// Send sends a message from the practice to one of its patients, after
// Checked, once per idempotency key (scoped to the member of staff, the
// patient and route); the field refused is returned with the refusal.
func (s *Service) Send(ctx context.Context, who Staff, practice gp.Practice, in api.NewMessage, key, route string) (api.SentMessage, string, error) {
	in, field, err := Checked(in)
	if err != nil {
		return api.SentMessage{}, field, err
	}
	scope := reqstate.Scope{Actor: who.Subject, Patient: s.IDs.For(in.NHSNumber), Route: route}
	sent, err := reqstate.Do(ctx, s.Idem, scope, key, in, func() (api.SentMessage, error) { return s.send(ctx, who, practice, in) })
	if errors.Is(err, ErrNotRegistered) {
		return api.SentMessage{}, "nhs_number", err
	}
	return sent, "", err
}

func (s *Service) send(ctx context.Context, who Staff, practice gp.Practice, in api.NewMessage) (api.SentMessage, error) {
	m := gp.Message{PatientNHS: in.NHSNumber, PracticeODS: practice.ODS, Sender: practice.Name, SentBy: who.Subject,
		Subject: in.Subject, Body: in.Body}
	if in.Reply != nil {
		m.ReplyAsked, m.Keywords = true, in.Reply.Keywords
	}
	sent, err := s.GP.SendMessage(ctx, m)
	if errors.Is(err, gp.ErrNotFound) {
		return api.SentMessage{}, ErrNotRegistered
	}
	if err != nil {
		return api.SentMessage{}, fault.Unreachable(err)
	}
	s.forget(s.IDs.For(in.NHSNumber))
	s.Notify.Emit(ctx, notify.Event{Kind: notify.Message, Patient: s.IDs.For(in.NHSNumber), Key: sent.ID,
		Path: "/messages/" + sent.ID, Need: Need})
	s.Audit.Record(ctx, audit.Event{Action: "message_send", Outcome: "success", Actor: who.Subject, Session: who.Session,
		Patient: s.IDs.For(in.NHSNumber), Object: "message:" + sent.ID})
	who2, err := s.GP.Patient(ctx, in.NHSNumber)
	if err != nil && !errors.Is(err, gp.ErrNotFound) {
		return api.SentMessage{}, fault.Unreachable(err)
	}
	return s.sentView(sent, who2), nil
}

// Outbox is what the practice sent, newest first, with read receipts and
// replies, each patient named as the GP record names them.
func (s *Service) Outbox(ctx context.Context, practice gp.Practice) (*api.Outbox, error) {
	list, err := s.GP.SentMessages(ctx, practice.ODS)
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	out := &api.Outbox{Practice: practice.ODS, PracticeName: practice.Name, Items: make([]api.SentMessage, 0, len(list)), BodyMax: BodyMax}
	read := map[string]gp.Patient{}
	for _, m := range list {
		who, ok := read[m.PatientNHS]
		if !ok {
			if who, err = s.GP.Patient(ctx, m.PatientNHS); err != nil && !errors.Is(err, gp.ErrNotFound) {
				return nil, fault.Unreachable(err)
			}
			read[m.PatientNHS] = who
		}
		out.Items = append(out.Items, s.sentView(m, who))
	}
	return out, nil
}

func (s *Service) sentView(m gp.Message, who gp.Patient) api.SentMessage {
	self := s.IDs.For(m.PatientNHS)
	v := api.SentMessage{ID: m.ID, Patient: strings.TrimSpace(who.GivenName + " " + who.FamilyName), BirthDate: who.BirthDate.String(),
		Subject: m.Subject, Body: Body(m.Body), Sent: m.Sent.UnixMilli(), SentBy: m.SentBy, ReplyAsked: m.ReplyAsked, Keywords: m.Keywords,
		Reply: m.Reply, ReadByProxy: m.ReadBy != "" && m.ReadBy != self, RepliedByProxy: m.RepliedBy != "" && m.RepliedBy != self}
	if !m.Read.IsZero() {
		v.Read = m.Read.UnixMilli()
	}
	if !m.Replied.IsZero() {
		v.Replied = m.Replied.UnixMilli()
	}
	return v
}
