package gp

import (
	"context"
	"errors"
	"time"
)

// Errors of the messages part of the port.
var (
	// ErrAlreadyReplied is returned when replying to a message the patient
	// has already replied to: a message takes one reply.
	ErrAlreadyReplied = errors.New("gp: already replied")
	// ErrReplyNotAsked is returned for a reply to a message that asked for
	// none, or a keyword the message did not offer.
	ErrReplyNotAsked = errors.New("gp: reply not asked for")
)

// MaxReplyKeywords is how many keywords a message may offer as replies.
const MaxReplyKeywords = 5

// Message is a message from a practice to one of its patients: what the
// practice wrote, and what the patient did with it (read, replied).
type Message struct {
	ID          string
	PatientNHS  string
	PracticeODS string
	// Sender is who the patient is told the message is from (the
	// practice's name).
	Sender string
	// SentBy is the member of staff who sent it.
	SentBy  string
	Subject string
	// Body is what the practice wrote, in the small Markdown subset the
	// pages show.
	Body string
	// ReplyAsked: the practice asks for a reply; Keywords, when set, are
	// the only replies it takes (at most MaxReplyKeywords), otherwise any
	// text.
	ReplyAsked bool
	Keywords   []string
	Sent       time.Time
	// Read is when the message was first opened, and ReadBy who opened it
	// (the patient or a proxy, as an opaque ID); zero until then.
	Read   time.Time
	ReadBy string
	// Reply is the patient's reply, Replied when it was sent and RepliedBy
	// who sent it.
	Reply     string
	Replied   time.Time
	RepliedBy string
}

// Messages is the patient's side of messages from their practice.
type Messages interface {
	// SendMessage records a message to m.PatientNHS and returns it with
	// its ID: ErrNotFound unless the patient is registered at
	// m.PracticeODS. Read and reply fields of m are ignored.
	SendMessage(ctx context.Context, m Message) (Message, error)
	// PatientMessages lists the patient's messages, newest first:
	// ErrNotFound for a patient the system does not know.
	PatientMessages(ctx context.Context, patientNHS string) ([]Message, error)
	// UnreadMessages counts the patient's messages not opened yet.
	UnreadMessages(ctx context.Context, patientNHS string) (int, error)
	// MarkRead records the message as read by who at the first opening and
	// returns it; later openings change nothing. ErrNotFound unless the
	// message is the patient's.
	MarkRead(ctx context.Context, patientNHS, id, who string) (Message, error)
	// ReplyToMessage records the patient's one reply: ErrNotFound unless
	// the message is the patient's, ErrReplyNotAsked when it asked for no
	// reply or reply is not one of its keywords, ErrAlreadyReplied after
	// the first.
	ReplyToMessage(ctx context.Context, patientNHS, id, reply, who string) (Message, error)
}

// Outbox is the practice's side of messages, for its staff.
type Outbox interface {
	// SentMessages lists the messages the practice sent, newest first,
	// with their read receipts and replies: ErrNotFound for a practice the
	// system does not serve.
	SentMessages(ctx context.Context, ods string) ([]Message, error)
}
