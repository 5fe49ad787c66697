package server

import (
	"net/http"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/gp"
)

// apiMessages answers GET /api/v1/patients/{pid}/messages.
func (s *Server) apiMessages(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	out, err := s.Messaging.List(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiMessage answers GET /api/v1/patients/{pid}/messages/{id}: the message,
// opened, as its page opens it.
func (s *Server) apiMessage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	out, err := s.Messaging.Open(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiMessageReply answers POST /api/v1/patients/{pid}/messages/{id}/reply.
func (s *Server) apiMessageReply(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var in api.MessageReply
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.Messaging.Reply(r.Context(), p, r.PathValue("id"), in.Reply)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// messagingStaff is the signed-in member of staff and the practice in the
// path, which must be one they write to patients of.
func (s *Server) messagingStaff(r *http.Request) (*session.Session, gp.Practice, error) {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return nil, gp.Practice{}, err
	}
	practice, err := s.Staff.MessagingPractice(r.Context(), sess, r.PathValue("ods"))
	return sess, practice, err
}

// apiSendMessage answers POST /api/v1/admin/practices/{ods}/messages,
// once per Idempotency-Key.
func (s *Server) apiSendMessage(w http.ResponseWriter, r *http.Request) error {
	sess, practice, err := s.messagingStaff(r)
	if err != nil {
		return err
	}
	var in api.NewMessage
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	// Each refusal's code names its field (bad_nhs_number, subject_required…).
	out, _, err := s.Messaging.Send(r.Context(), staffOf(sess), practice, in, r.Header.Get("Idempotency-Key"), route(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// apiOutbox answers GET /api/v1/admin/practices/{ods}/messages.
func (s *Server) apiOutbox(w http.ResponseWriter, r *http.Request) error {
	_, practice, err := s.messagingStaff(r)
	if err != nil {
		return err
	}
	box, err := s.Messaging.Outbox(r.Context(), practice)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, box)
	return nil
}
