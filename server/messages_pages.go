package server

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/messaging"
	"github.com/nhs-companion/companion/server/reqstate"
	"github.com/nhs-companion/companion/server/staff"
)

var messagesNeed = messaging.Need

// messagesPage renders /messages: the profile's messages, newest first.
func (s *Server) messagesPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	return s.renderMessages(w, r, p, nil, http.StatusOK)
}

// renderMessages renders the list, or one message (m.Open) with status.
func (s *Server) renderMessages(w http.ResponseWriter, r *http.Request, p *access.Patient, m *api.MessagesPage, status int) error {
	list, err := s.Messaging.List(r.Context(), p)
	if err != nil {
		return err
	}
	if m == nil {
		m = &api.MessagesPage{}
	}
	m.Patient, m.Messages, m.ReplyMax = p.Summary().Name(), list.Messages, messaging.ReplyMax
	st := s.pageState(r)
	st.Messages = m
	st.Unread = &list.Unread
	return s.Renderer.Render(w, r, status, st, ui.MessagesPage)
}

// messagePage renders /messages/{id}: the message, opened (the first
// opening is the read receipt), with its reply form when it asks for one.
func (s *Server) messagePage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	m, err := s.Messaging.Open(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderMessages(w, r, p, &api.MessagesPage{Open: &m, Replied: r.URL.Query().Get("replied") == "1"}, http.StatusOK)
}

// messageReplySubmit sends the reply form (POST /messages/{id}/reply).
func (s *Server) messageReplySubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	id, reply := r.PathValue("id"), r.PostForm.Get("reply")
	_, err := s.Messaging.Reply(r.Context(), p, id, reply)
	if errors.Is(err, messaging.ErrReplyRequired) || errors.Is(err, messaging.ErrReplyNotAsked) {
		m, oerr := s.Messaging.Open(r.Context(), p, id)
		if oerr != nil {
			return oerr
		}
		r.URL.Path = "/messages/" + id
		page := &api.MessagesPage{Open: &m, Reply: reply, Errors: []api.FieldError{s.fieldError(r, "reply", err)}}
		return s.renderMessages(w, r, p, page, fault.Of(err).Status())
	}
	if err != nil && !errors.Is(err, messaging.ErrAlreadyReplied) {
		return err
	}
	// Sent, or sent already (a second press): the message shows the reply.
	http.Redirect(w, r, "/messages/"+url.PathEscape(id)+"?replied=1", http.StatusSeeOther)
	return nil
}

// outboxPage renders /admin/messages?practice=: what the practice sent,
// read receipts and replies, and the form to write to a patient.
func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "staff")
	if sess == nil {
		return err
	}
	practice, err := s.Staff.MessagingPractice(r.Context(), sess, r.URL.Query().Get("practice"))
	if err != nil {
		return err
	}
	return s.renderOutbox(w, r, sess, practice, nil, http.StatusOK)
}

func (s *Server) renderOutbox(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice, kept *api.Outbox, status int) error {
	box, err := s.Messaging.Outbox(r.Context(), practice)
	if err != nil {
		return err
	}
	if kept != nil {
		box.Form, box.Keywords, box.Errors, box.Check, box.Key = kept.Form, kept.Keywords, kept.Errors, kept.Check, kept.Key
	}
	box.Sent = r.URL.Query().Get("sent")
	st := s.staffState(r, staff.Member(sess))
	st.Outbox = box
	r.URL.Path = "/admin/messages"
	return s.Renderer.RenderServerOnly(w, r, status, st, ui.StaffMessages)
}

// outboxSend sends the staff page's form (POST /admin/messages) in two
// steps: the message is checked and shown with the patient's name and date
// of birth from the GP record, so a mistyped NHS number that belongs to
// someone else is seen before anything is sent; only the confirmed form
// sends. "change" goes back to the form with what was typed.
func (s *Server) outboxSend(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "staff")
	if sess == nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	f := r.PostForm
	practice, err := s.Staff.MessagingPractice(r.Context(), sess, f.Get("practice"))
	if err != nil {
		return err
	}
	in := api.NewMessage{NHSNumber: f.Get("nhs_number"), Subject: f.Get("subject"), Body: f.Get("body")}
	if f.Get("reply") == "text" || f.Get("reply") == "keywords" {
		in.Reply = &api.ReplyRequest{}
		if f.Get("reply") == "keywords" {
			in.Reply.Keywords = ui.SplitKeywords(f.Get("keywords"))
			if len(in.Reply.Keywords) == 0 {
				in.Reply.Keywords = []string{""} // asked for keywords and gave none
			}
		}
	}
	kept := &api.Outbox{Form: in, Keywords: f.Get("keywords")}
	refused := func(field string, err error) error {
		kept.Errors = []api.FieldError{s.fieldError(r, field, err)}
		return s.renderOutbox(w, r, sess, practice, kept, fault.Of(err).Status())
	}
	if f.Get("change") != "" {
		return s.renderOutbox(w, r, sess, practice, kept, http.StatusOK)
	}
	if f.Get("confirmed") != "yes" {
		_, check, field, err := s.Messaging.Preview(r.Context(), practice, in)
		if field != "" {
			return refused(field, err)
		}
		if err != nil {
			return err
		}
		kept.Check, kept.Key = &check, reqstate.NewKey()
		return s.renderOutbox(w, r, sess, practice, kept, http.StatusOK)
	}
	// The key made for the check: a second press of its Send sends once.
	sent, field, err := s.Messaging.Send(r.Context(), staffOf(sess), practice, in, f.Get("idempotency_key"), route(r))
	if field != "" {
		return refused(field, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/messages?practice="+url.QueryEscape(practice.ODS)+"&sent="+url.QueryEscape(sent.ID)+"#sent", http.StatusSeeOther)
	return nil
}

func staffOf(sess *session.Session) messaging.Staff {
	return messaging.Staff{Subject: sess.Subject, Session: sess.ID}
}
