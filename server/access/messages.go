package access

import (
	"context"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Messages is the patient's messages from their practice, reachable only
// from a patient authorised for the messages permission: a proxy reads
// them only when the relationship grants it, as in the NHS App.
type Messages struct {
	p   *Patient
	sys gp.Messages
}

// Messages returns the patient's messages. It panics unless the patient
// was authorised for messages (see granted).
func (p *Patient) Messages() Messages {
	p.granted(nhs.PermMessages)
	return Messages{p: p, sys: p.gate.GP}
}

// List is the patient's messages, newest first.
func (m Messages) List(ctx context.Context) ([]gp.Message, error) {
	return m.sys.PatientMessages(ctx, m.p.nhs)
}

// Unread counts the patient's messages not opened yet.
func (m Messages) Unread(ctx context.Context) (int, error) {
	return m.sys.UnreadMessages(ctx, m.p.nhs)
}

// Open marks the message read by whoever is acting, at its first opening,
// and returns it.
func (m Messages) Open(ctx context.Context, id string) (gp.Message, error) {
	return m.sys.MarkRead(ctx, m.p.nhs, id, m.p.ActorID())
}

// Reply sends the patient's one reply to the message, recording who sent it.
func (m Messages) Reply(ctx context.Context, id, reply string) (gp.Message, error) {
	return m.sys.ReplyToMessage(ctx, m.p.nhs, id, reply, m.p.ActorID())
}
