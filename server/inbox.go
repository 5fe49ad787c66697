package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/gp"
)

// StaffGP is what a practice's staff reach in the GP system: their inbox,
// and who each request is from.
type StaffGP interface {
	gp.Inbox
	Patient(ctx context.Context, nhsNumber string) (gp.Patient, error)
}

// inboxPractice is the practice whose inbox the staff member asked for: one
// they look after. Only practice staff (site admins) have an inbox.
func (s *Server) inboxPractice(r *http.Request, sess *session.Session, ods string) (gp.Practice, error) {
	if ods == "" && len(sess.RoleODS) > 0 {
		ods = sess.RoleODS[0]
	}
	if ods == "" || !slices.Contains(sess.RoleODS, ods) {
		return gp.Practice{}, ErrOutOfScope
	}
	p, err := s.GP.Practice(r.Context(), ods)
	if err != nil {
		return gp.Practice{}, err
	}
	return p, nil
}

// inbox is a practice's requests with who sent them.
func (s *Server) inbox(r *http.Request, practice gp.Practice) (*api.Inbox, error) {
	list, err := s.Staff.Inbox(r.Context(), practice.ODS)
	if err != nil {
		return nil, err
	}
	av, set, err := s.availabilityOf(r.Context(), practice, "")
	if err != nil {
		return nil, err
	}
	out := &api.Inbox{Practice: practice.ODS, PracticeName: practice.Name, Items: []api.InboxItem{}, Availability: av,
		MaxSuspension: int(s.Config.ContactMaxSuspension / time.Minute),
		Settings: api.ContactSettings{Hours: consult.FormatWindows(set.Windows), BankHolidaysOpen: set.BankHolidaysOpen,
			Caps: map[string]int{}, PatientDaily: set.PatientDaily}}
	for k, n := range set.Caps {
		out.Settings.Caps[string(k)] = n
	}
	for _, c := range list {
		who, err := s.Staff.Patient(r.Context(), c.PatientNHS)
		if err != nil && !errors.Is(err, gp.ErrNotFound) {
			return nil, err
		}
		out.Items = append(out.Items, api.InboxItem{Request: contactView(c), Patient: who.GivenName + " " + who.FamilyName,
			BirthDate: who.BirthDate.String(), ByProxy: c.SubmittedBy != "" && c.SubmittedBy != s.Access.IDs.For(c.PatientNHS)})
	}
	return out, nil
}

// staffForm wraps the handler of an inbox form: a signed-in member of staff,
// the form, and the practice it names, which must be theirs.
func (s *Server) staffForm(h func(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sess, err := s.requireSession(r, "staff")
		if err != nil {
			return s.signInRedirect(w, r, "staff", err)
		}
		if err := r.ParseForm(); err != nil {
			return ErrBadRequest
		}
		practice, err := s.inboxPractice(r, sess, r.PostForm.Get("practice"))
		if err != nil {
			return err
		}
		return h(w, r, sess, practice)
	}
}

// inboxPage renders /admin/inbox?practice=.
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return s.signInRedirect(w, r, "staff", err)
	}
	practice, err := s.inboxPractice(r, sess, r.URL.Query().Get("practice"))
	if err != nil {
		return err
	}
	return s.renderInbox(w, r, sess, practice, nil, http.StatusOK)
}

func (s *Server) renderInbox(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice, fe *api.FieldError, status int) error {
	box, err := s.inbox(r, practice)
	if err != nil {
		return err
	}
	if fe != nil {
		box.Errors = []api.FieldError{*fe}
	}
	st := s.pageState(r)
	st.User, st.Features = nil, nil
	st.Staff = &api.Staff{Name: strings.TrimSpace(sess.GivenName + " " + sess.FamilyName), Roles: sess.Roles, Practices: sess.RoleODS, National: isNational(sess)}
	st.Inbox = box
	r.URL.Path = "/admin/inbox"
	return s.Renderer.RenderServerOnly(w, r, status, st, ui.StaffInbox)
}

func (s *Server) staffAudit(r *http.Request, sess *session.Session, action, reason, object string) {
	s.audit(r, audit.Event{Action: action, Outcome: "success", Actor: sess.Subject, Session: sess.ID, Reason: reason, Object: object})
}

// inboxRespond records a reply to a request (POST /admin/inbox/{id}/respond).
func (s *Server) inboxRespond(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error {
	id := r.PathValue("id")
	reply := strings.TrimSpace(r.PostForm.Get("reply"))
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	if reply == "" || utf8.RuneCountInString(reply) > contactTextMax || hasControl(reply) {
		return s.renderInbox(w, r, sess, practice, &api.FieldError{Field: "reply-" + id, Code: ErrReplyRequired.Code, Message: l.T(ErrReplyRequired.MessageID)}, ErrReplyRequired.Status)
	}
	_, err := s.Staff.Respond(r.Context(), practice.ODS, id, reply, sess.Subject)
	switch {
	case errors.Is(err, gp.ErrNotFound):
		return ErrNoContact
	case errors.Is(err, gp.ErrAlreadyResponded):
		return ErrAlreadyReplied
	case err != nil:
		return err
	}
	s.staffAudit(r, sess, "contact_respond", "", "contact:"+id)
	http.Redirect(w, r, "/admin/inbox?practice="+url.QueryEscape(practice.ODS)+"#request-"+url.QueryEscape(id), http.StatusSeeOther)
	return nil
}

// inboxSuspend pauses online requests with a reason, for up to the
// configured maximum (POST /admin/contact/suspend), or resumes them
// (POST /admin/contact/resume).
func (s *Server) inboxSuspend(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error {
	f := r.PostForm
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	if strings.HasSuffix(r.URL.Path, "/resume") {
		if err := s.Consult.Resume(r.Context(), practice.ODS); err != nil {
			return errors.Join(ErrUnavailable, err)
		}
		s.staffAudit(r, sess, "contact_resume", "", "practice:"+practice.ODS)
	} else {
		minutes, err := strconv.Atoi(f.Get("minutes"))
		if err != nil || minutes <= 0 {
			return ErrBadRequest
		}
		reason := strings.TrimSpace(f.Get("reason"))
		if utf8.RuneCountInString(reason) > maxReason || hasControl(reason) {
			return ErrBadRequest
		}
		now := time.Now()
		err = s.Consult.Suspend(r.Context(), practice.ODS, consult.Suspension{Until: now.Add(time.Duration(minutes) * time.Minute), Reason: reason, By: sess.Subject}, now)
		var e *Error
		switch {
		case errors.Is(err, consult.ErrReasonRequired):
			e = ErrReasonRequired
		case errors.Is(err, consult.ErrSuspensionTooLong), errors.Is(err, consult.ErrBadSuspension):
			e = ErrSuspendTooLong
		case err != nil:
			return errors.Join(ErrUnavailable, err)
		}
		if e != nil {
			return s.renderInbox(w, r, sess, practice, &api.FieldError{Field: "suspend", Code: e.Code, Message: l.T(e.MessageID)}, e.Status)
		}
		s.staffAudit(r, sess, "contact_suspend", reason, "practice:"+practice.ODS)
	}
	http.Redirect(w, r, "/admin/inbox?practice="+url.QueryEscape(practice.ODS), http.StatusSeeOther)
	return nil
}

// apiInbox answers GET /api/v1/admin/inbox?practice=.
func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return err
	}
	practice, err := s.inboxPractice(r, sess, r.URL.Query().Get("practice"))
	if err != nil {
		return err
	}
	box, err := s.inbox(r, practice)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, box)
	return nil
}

// apiContactSettings answers PUT /api/v1/admin/practices/{ods}/contact: a
// practice's opening windows, daily caps and per-patient limit.
func (s *Server) apiContactSettings(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return err
	}
	practice, err := s.inboxPractice(r, sess, r.PathValue("ods"))
	if err != nil {
		return err
	}
	var in api.ContactSettings
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.saveContactSettings(r, sess, practice, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// saveContactSettings checks and keeps a practice's settings, with the
// reason for the change in the audit trail.
func (s *Server) saveContactSettings(r *http.Request, sess *session.Session, practice gp.Practice, in api.ContactSettings) error {
	reason := strings.TrimSpace(in.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxReason || hasControl(reason) {
		return ErrReasonRequired
	}
	windows, err := consult.ParseWindows(in.Hours)
	if err != nil {
		return ErrBadHours
	}
	set := consult.Settings{Windows: windows, BankHolidaysOpen: in.BankHolidaysOpen, Caps: map[gp.ContactKind]int{}, PatientDaily: in.PatientDaily}
	for k, n := range in.Caps {
		if !slices.Contains(gp.ContactKinds, gp.ContactKind(k)) || n < 0 {
			return ErrBadRequest
		}
		set.Caps[gp.ContactKind(k)] = n
	}
	if in.PatientDaily < 0 {
		return ErrBadRequest
	}
	if err := s.Consult.SaveSettings(r.Context(), practice.ODS, set); errors.Is(err, consult.ErrInvalidSettings) {
		return ErrBadHours
	} else if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	s.staffAudit(r, sess, "contact_settings", reason, "practice:"+practice.ODS)
	return nil
}

// inboxSettings handles the inbox page's settings form
// (POST /admin/contact/settings).
func (s *Server) inboxSettings(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error {
	f := r.PostForm
	in := api.ContactSettings{Hours: f.Get("hours"), BankHolidaysOpen: f.Get("bank_holidays_open") == "on", Caps: map[string]int{}, Reason: f.Get("reason")}
	number := func(name string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
		return n, err == nil && n >= 0 && n <= 100000
	}
	field, ok := "", true
	for _, k := range gp.ContactKinds {
		if in.Caps[string(k)], ok = number("cap-" + string(k)); !ok {
			field = "cap-" + string(k)
			break
		}
	}
	if ok {
		if in.PatientDaily, ok = number("patient_daily"); !ok {
			field = "patient_daily"
		}
	}
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	if !ok {
		return s.renderInbox(w, r, sess, practice, &api.FieldError{Field: field, Code: ErrBadNumber.Code, Message: l.T(ErrBadNumber.MessageID)}, ErrBadNumber.Status)
	}
	if err := s.saveContactSettings(r, sess, practice, in); err != nil {
		k := kind(err)
		if k.Status >= 500 {
			return err
		}
		field := "settings-reason"
		if k == ErrBadHours {
			field = "hours"
		}
		return s.renderInbox(w, r, sess, practice, &api.FieldError{Field: field, Code: k.Code, Message: l.T(k.MessageID)}, k.Status)
	}
	http.Redirect(w, r, "/admin/inbox?practice="+url.QueryEscape(practice.ODS)+"#settings", http.StatusSeeOther)
	return nil
}
