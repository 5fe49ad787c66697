package server

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/staff"
)

// staffState is the state of a staff page: the member of staff, none of a
// patient's.
func (s *Server) staffState(r *http.Request, member *api.Staff) api.PageState {
	st := s.pageState(r)
	st.User, st.Features, st.Staff = nil, nil, member
	return st
}

// adminPage renders the staff start page: roles, feature flags, history.
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "staff")
	if sess == nil {
		return err
	}
	return s.renderAdmin(w, r, sess, http.StatusOK, "")
}

func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, sess *session.Session, status int, invalid string) error {
	home, err := s.Staff.Home(r.Context(), sess, invalid)
	if err != nil {
		return err
	}
	return s.Renderer.RenderServerOnly(w, r, status, s.staffState(r, home), ui.StaffHome)
}

// adminFlagForm handles the admin page's change forms.
func (s *Server) adminFlagForm(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "staff")
	if sess == nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	f := r.PostForm
	c, err := staff.FlagForm(f.Get)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if _, err := s.Staff.ChangeFlag(r.Context(), sess, flags.Name(name), c); err != nil {
		if errors.Is(err, staff.ErrReasonRequired) {
			return s.renderAdmin(w, r, sess, http.StatusUnprocessableEntity, name+"-"+f.Get("scope")+"-"+f.Get("practice"))
		}
		return err
	}
	http.Redirect(w, r, "/admin#flag-"+name, http.StatusSeeOther)
	return nil
}

// staffForm wraps the handler of an inbox form: a signed-in member of staff,
// the form, and the practice it names, which must be theirs.
func (s *Server) staffForm(h func(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		sess, err := s.pageSession(w, r, "staff")
		if sess == nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return fault.ErrBadRequest
		}
		practice, err := s.Staff.Practice(r.Context(), sess, r.PostForm.Get("practice"))
		if err != nil {
			return err
		}
		return h(w, r, sess, practice)
	}
}

// inboxPage renders /admin/inbox?practice=.
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "staff")
	if sess == nil {
		return err
	}
	practice, err := s.Staff.Practice(r.Context(), sess, r.URL.Query().Get("practice"))
	if err != nil {
		return err
	}
	return s.renderInbox(w, r, sess, practice, "", nil)
}

// renderInbox renders a practice's inbox, with a refusal to put right
// beside field ("" and nil for none).
func (s *Server) renderInbox(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice, field string, refusal error) error {
	box, err := s.Staff.Inbox(r.Context(), practice)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if refusal != nil {
		box.Errors = []api.FieldError{s.fieldError(r, field, refusal)}
		status = fault.Of(refusal).Status()
	}
	// The inbox's requests come first: a fault reading the monitored
	// patients says so on the page rather than take the inbox down.
	if box.Readings, err = s.Monitoring.NeedingAttention(r.Context(), monitoringStaff(sess), practice); err != nil {
		s.Logger.WarnContext(r.Context(), "inbox: monitoring readings", "err", err)
		box.ReadingsUnavailable = true
	}
	st := s.staffState(r, staff.Member(sess))
	st.Inbox = box
	r.URL.Path = "/admin/inbox"
	return s.Renderer.RenderServerOnly(w, r, status, st, ui.StaffInbox)
}

func inboxURL(practice gp.Practice, fragment string) string {
	return "/admin/inbox?practice=" + url.QueryEscape(practice.ODS) + fragment
}

// inboxRespond records a reply to a request (POST /admin/inbox/{id}/respond).
func (s *Server) inboxRespond(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error {
	id := r.PathValue("id")
	err := s.Staff.Respond(r.Context(), sess, practice, id, r.PostForm.Get("reply"))
	if errors.Is(err, staff.ErrReplyRequired) {
		return s.renderInbox(w, r, sess, practice, "reply-"+id, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, inboxURL(practice, "#request-"+url.QueryEscape(id)), http.StatusSeeOther)
	return nil
}

// inboxSuspend pauses online requests with a reason, for up to the
// configured maximum (POST /admin/contact/suspend).
func (s *Server) inboxSuspend(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error {
	f := r.PostForm
	err := s.Staff.Suspend(r.Context(), sess, practice, f.Get("minutes"), f.Get("reason"))
	if errors.Is(err, staff.ErrReasonRequired) || errors.Is(err, staff.ErrSuspendTooLong) {
		return s.renderInbox(w, r, sess, practice, "suspend", err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, inboxURL(practice, ""), http.StatusSeeOther)
	return nil
}

// inboxResume ends a pause (POST /admin/contact/resume).
func (s *Server) inboxResume(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error {
	if err := s.Staff.Resume(r.Context(), sess, practice); err != nil {
		return err
	}
	http.Redirect(w, r, inboxURL(practice, ""), http.StatusSeeOther)
	return nil
}

// inboxSettings handles the inbox page's settings form
// (POST /admin/contact/settings).
func (s *Server) inboxSettings(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error {
	in, field, err := staff.SettingsForm(r.PostForm.Get)
	if err != nil {
		return s.renderInbox(w, r, sess, practice, field, err)
	}
	if err := s.Staff.SaveSettings(r.Context(), sess, practice, in); err != nil {
		if fault.Ours(err) {
			return err
		}
		field := "settings-reason"
		if errors.Is(err, staff.ErrBadHours) {
			field = "hours"
		}
		return s.renderInbox(w, r, sess, practice, field, err)
	}
	http.Redirect(w, r, inboxURL(practice, "#settings"), http.StatusSeeOther)
	return nil
}
