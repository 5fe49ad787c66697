package fhir

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// A message from a practice is a Communication: about the patient
// (subject) and to them (recipient), from the practice's Organization
// (sender, its name as display), its subject as topic, its body as the one
// payload, categorised as a practice message so it is told from other
// Communications. The patient opening it sets received and who opened it;
// the patient's one reply is written on it as extensions. Both change the
// Communication only at the version read (If-Match), so of two replies at
// once one is kept, as the practice's reply to a Task is.
const (
	// MessageCategorySystem codes Communication.category.
	MessageCategorySystem = "https://companion.nhs.uk/fhir/CodeSystem/communication-category"
	messageCategory       = "practice-message"
	ExtSentBy             = "https://companion.nhs.uk/fhir/StructureDefinition/sent-by"
	ExtReplyAsked         = "https://companion.nhs.uk/fhir/StructureDefinition/reply-asked"
	ExtReplyKeyword       = "https://companion.nhs.uk/fhir/StructureDefinition/reply-keyword"
	ExtReadBy             = "https://companion.nhs.uk/fhir/StructureDefinition/read-by"
	ExtReply              = "https://companion.nhs.uk/fhir/StructureDefinition/reply"
	ExtReplied            = "https://companion.nhs.uk/fhir/StructureDefinition/replied"
	ExtRepliedBy          = "https://companion.nhs.uk/fhir/StructureDefinition/replied-by"
)

type communication struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *meta             `json:"meta,omitempty"`
	Extension    []extension       `json:"extension,omitempty"`
	Status       string            `json:"status"`
	Category     []codeableConcept `json:"category,omitempty"`
	Subject      *reference        `json:"subject,omitempty"`
	Topic        *codeableConcept  `json:"topic,omitempty"`
	Sent         string            `json:"sent,omitempty"`
	Received     string            `json:"received,omitempty"`
	Recipient    []reference       `json:"recipient,omitempty"`
	Sender       *reference        `json:"sender,omitempty"`
	Payload      []commPayload     `json:"payload,omitempty"`
}

type commPayload struct {
	ContentString string `json:"contentString"`
}

// SendMessage records a message to a patient registered at the practice.
func (s *System) SendMessage(ctx context.Context, m gp.Message) (gp.Message, error) {
	const op = "send message"
	if !nhs.ValidNumber(m.PatientNHS) {
		return gp.Message{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	p, pid, err := s.patient(ctx, m.PatientNHS)
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w", op, err)
	}
	if p.PracticeODS == "" || p.PracticeODS != m.PracticeODS {
		return gp.Message{}, fmt.Errorf("%s: patient at the practice: %w", op, gp.ErrNotFound)
	}
	ctx = withPractice(ctx, m.PracticeODS)
	info, err := s.practice(ctx, m.PracticeODS)
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w", op, err)
	}
	sent := m.Sent
	if sent.IsZero() {
		sent = s.now()
	}
	c := communication{
		ResourceType: "Communication", Status: "completed",
		Category: []codeableConcept{{Coding: []coding{{System: MessageCategorySystem, Code: messageCategory}}}},
		Subject:  &reference{Reference: ref("Patient", pid)}, Recipient: []reference{{Reference: ref("Patient", pid)}},
		Sender: &reference{Reference: ref("Organization", info.orgID), Identifier: &identifier{System: ODSSystem, Value: m.PracticeODS},
			Display: m.Sender},
		Topic: &codeableConcept{Text: m.Subject}, Sent: sent.UTC().Format(millis), Payload: []commPayload{{ContentString: m.Body}},
	}
	if m.SentBy != "" {
		c.Extension = append(c.Extension, extension{URL: ExtSentBy, ValueString: m.SentBy})
	}
	if m.ReplyAsked {
		c.Extension = append(c.Extension, extension{URL: ExtReplyAsked, ValueBool: true})
		for _, k := range m.Keywords {
			c.Extension = append(c.Extension, extension{URL: ExtReplyKeyword, ValueString: k})
		}
	}
	var made communication
	if _, err := s.c.do(ctx, "POST", s.c.base+"/Communication", nil, c, &made); err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w", op, err)
	}
	return messageOf(made, m.PatientNHS, m.PracticeODS, info.Location()), nil
}

// PatientMessages lists the patient's messages, newest first.
func (s *System) PatientMessages(ctx context.Context, patientNHS string) ([]gp.Message, error) {
	out, _, err := s.patientMessages(ctx, patientNHS)
	if err != nil {
		return nil, fmt.Errorf("patient messages: %w", err)
	}
	return out, nil
}

// UnreadMessages counts the patient's messages not opened yet.
func (s *System) UnreadMessages(ctx context.Context, patientNHS string) (int, error) {
	list, _, err := s.patientMessages(ctx, patientNHS)
	if err != nil {
		return 0, fmt.Errorf("unread messages: %w", err)
	}
	n := 0
	for _, m := range list {
		if m.Read.IsZero() {
			n++
		}
	}
	return n, nil
}

func (s *System) patientMessages(ctx context.Context, patientNHS string) ([]gp.Message, string, error) {
	if !nhs.ValidNumber(patientNHS) {
		return nil, "", gp.ErrNotFound
	}
	p, pid, err := s.patient(ctx, patientNHS)
	if err != nil {
		return nil, "", err
	}
	loc := gp.UK
	if info, err := s.practice(ctx, p.PracticeODS); err == nil {
		loc = info.Location()
	}
	found, err := s.communications(ctx, url.Values{"subject": {ref("Patient", pid)}})
	if err != nil {
		return nil, "", err
	}
	out := []gp.Message{}
	for _, c := range found {
		if c.Subject != nil && idOf(*c.Subject, "Patient") == pid {
			out = append(out, messageOf(c, patientNHS, odsOfSender(c), loc))
		}
	}
	return out, pid, nil
}

// SentMessages lists the practice's messages, newest first.
func (s *System) SentMessages(ctx context.Context, ods string) ([]gp.Message, error) {
	ctx = withPractice(ctx, ods)
	info, err := s.practice(ctx, ods)
	if err != nil {
		return nil, fmt.Errorf("sent messages: %w", err)
	}
	found, err := s.communications(ctx, url.Values{"sender": {ref("Organization", info.orgID)}})
	if err != nil {
		return nil, fmt.Errorf("sent messages: %w", err)
	}
	nhsOfPatient := s.nhsNumbers()
	out := []gp.Message{}
	for _, c := range found {
		if c.Sender == nil || idOf(*c.Sender, "Organization") != info.orgID || c.Subject == nil {
			continue
		}
		nhsNumber, err := nhsOfPatient(ctx, idOf(*c.Subject, "Patient"))
		if err != nil {
			return nil, fmt.Errorf("sent messages: %w", err)
		}
		out = append(out, messageOf(c, nhsNumber, ods, info.Location()))
	}
	return out, nil
}

// communications finds practice messages, newest first.
func (s *System) communications(ctx context.Context, q url.Values) ([]communication, error) {
	q.Set("category", MessageCategorySystem+"|"+messageCategory)
	q.Set("_count", "200")
	found, err := searchAll[communication](ctx, s.c, "Communication", q)
	if err != nil {
		return nil, err
	}
	found = slices.DeleteFunc(found, func(c communication) bool { return !isMessage(c) })
	slices.SortFunc(found, func(a, b communication) int {
		ta, _ := time.Parse(time.RFC3339Nano, a.Sent)
		tb, _ := time.Parse(time.RFC3339Nano, b.Sent)
		return cmp.Or(tb.Compare(ta), cmp.Compare(a.ID, b.ID))
	})
	return found, nil
}

func isMessage(c communication) bool {
	for _, cat := range c.Category {
		if cat.code(MessageCategorySystem) == messageCategory {
			return true
		}
	}
	return false
}

func odsOfSender(c communication) string {
	if c.Sender != nil && c.Sender.Identifier != nil {
		return c.Sender.Identifier.Value
	}
	return ""
}

// MarkRead records the first opening of the patient's message.
func (s *System) MarkRead(ctx context.Context, patientNHS, id, who string) (gp.Message, error) {
	return s.changeMessage(ctx, "mark message read", patientNHS, id, func(c *communication) error {
		if c.Received == "" {
			c.Received = s.now().UTC().Format(millis)
			c.Extension = append(c.Extension, extension{URL: ExtReadBy, ValueString: who})
		}
		return nil
	})
}

// ReplyToMessage records the patient's one reply.
func (s *System) ReplyToMessage(ctx context.Context, patientNHS, id, reply, who string) (gp.Message, error) {
	reply = strings.TrimSpace(reply)
	return s.changeMessage(ctx, "reply to message", patientNHS, id, func(c *communication) error {
		m := messageOf(*c, "", "", time.UTC)
		switch {
		case !m.ReplyAsked || reply == "" || (len(m.Keywords) > 0 && !slices.Contains(m.Keywords, reply)):
			return gp.ErrReplyNotAsked
		case !m.Replied.IsZero():
			return gp.ErrAlreadyReplied
		}
		c.Extension = append(c.Extension, extension{URL: ExtReply, ValueString: reply},
			extension{URL: ExtReplied, ValueTime: s.now().UTC().Format(millis)}, extension{URL: ExtRepliedBy, ValueString: who})
		return nil
	})
}

// changeMessage reads the patient's message, changes it and writes it
// back at the version read, reading again when another change came first.
// A change that leaves the message as it was writes nothing.
func (s *System) changeMessage(ctx context.Context, op, patientNHS, id string, change func(*communication) error) (gp.Message, error) {
	if !nhs.ValidNumber(patientNHS) || id == "" || strings.ContainsAny(id, "/?#") {
		return gp.Message{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	p, pid, err := s.patient(ctx, patientNHS)
	if err != nil {
		return gp.Message{}, fmt.Errorf("%s: %w", op, err)
	}
	loc := gp.UK
	if info, err := s.practice(ctx, p.PracticeODS); err == nil {
		loc = info.Location()
	}
	for range 3 {
		var c communication
		etag, err := s.c.read(ctx, "Communication", id, &c)
		if err != nil {
			return gp.Message{}, fmt.Errorf("%s: %w", op, err)
		}
		if !isMessage(c) || c.Subject == nil || idOf(*c.Subject, "Patient") != pid {
			return gp.Message{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
		}
		before := len(c.Extension)
		received := c.Received
		if err := change(&c); err != nil {
			return gp.Message{}, fmt.Errorf("%s: %w", op, err)
		}
		if len(c.Extension) == before && c.Received == received {
			return messageOf(c, patientNHS, odsOfSender(c), loc), nil
		}
		var done communication
		_, err = s.c.do(ctx, "PUT", s.c.base+"/Communication/"+url.PathEscape(id), map[string][]string{"If-Match": {etag}}, c, &done)
		if errors.Is(err, errConflict) {
			continue
		}
		if err != nil {
			return gp.Message{}, fmt.Errorf("%s: %w", op, err)
		}
		return messageOf(done, patientNHS, odsOfSender(done), loc), nil
	}
	return gp.Message{}, fmt.Errorf("%s: %w: kept changing", op, gp.ErrUnavailable)
}

// messageOf maps a Communication, with times in the practice's zone.
func messageOf(c communication, patientNHS, ods string, loc *time.Location) gp.Message {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}
		}
		return v.In(loc)
	}
	m := gp.Message{ID: c.ID, PatientNHS: patientNHS, PracticeODS: ods, Sent: at(c.Sent), Read: at(c.Received),
		SentBy: extValue(c.Extension, ExtSentBy), ReadBy: extValue(c.Extension, ExtReadBy),
		Reply: extValue(c.Extension, ExtReply), Replied: at(extValue(c.Extension, ExtReplied)), RepliedBy: extValue(c.Extension, ExtRepliedBy)}
	if c.Sender != nil {
		m.Sender = c.Sender.Display
	}
	if c.Topic != nil {
		m.Subject = c.Topic.Text
	}
	if len(c.Payload) > 0 {
		m.Body = c.Payload[0].ContentString
	}
	for _, e := range c.Extension {
		switch e.URL {
		case ExtReplyAsked:
			m.ReplyAsked = e.ValueBool
		case ExtReplyKeyword:
			m.Keywords = append(m.Keywords, e.ValueString)
		}
	}
	return m
}
