package server

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/monitoring"
	"github.com/nhs-companion/companion/server/staff"
)

// monitoringStaff is who acts on a practice's monitoring pages.
func monitoringStaff(sess *session.Session) monitoring.Staff {
	m := staff.Member(sess)
	return monitoring.Staff{Subject: sess.Subject, Session: sess.ID, Name: m.Name}
}

// boardPage renders /admin/monitoring?practice=: the practice's patients
// on plans, who needs attention first, and the form to put a patient on a
// plan.
func (s *Server) boardPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "staff")
	if sess == nil {
		return err
	}
	practice, err := s.Staff.Practice(r.Context(), sess, r.URL.Query().Get("practice"))
	if err != nil {
		return err
	}
	return s.renderBoard(w, r, sess, practice, nil, http.StatusOK)
}

// renderBoard renders the board, or one patient's page (kept.Open), or the
// plan form (kept.Form), with status.
func (s *Server) renderBoard(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice, kept *api.MonitoringBoard, status int) error {
	b, err := s.Monitoring.Board(r.Context(), monitoringStaff(sess), practice)
	if err != nil {
		return err
	}
	if kept != nil {
		b.Open, b.Form, b.Errors = kept.Open, kept.Form, kept.Errors
	}
	b.Saved = r.URL.Query().Get("saved")
	st := s.staffState(r, staff.Member(sess))
	st.MonitoringBoard = b
	return s.Renderer.RenderServerOnly(w, r, status, st, ui.StaffMonitoring)
}

// monitoredPage renders /admin/monitoring/patients/{pid}?practice=: one
// patient's plan, readings and charts, with the review button and the
// plan's form.
func (s *Server) monitoredPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "staff")
	if sess == nil {
		return err
	}
	practice, err := s.Staff.Practice(r.Context(), sess, r.URL.Query().Get("practice"))
	if err != nil {
		return err
	}
	return s.renderMonitored(w, r, sess, practice, r.PathValue("patient"), nil, http.StatusOK)
}

func (s *Server) renderMonitored(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice, pid string, kept *api.MonitoringBoard, status int) error {
	open, err := s.Monitoring.Patient(r.Context(), monitoringStaff(sess), practice, pid)
	if err != nil {
		return err
	}
	page := &api.MonitoringBoard{Open: open}
	if kept != nil {
		page.Form, page.Errors = kept.Form, kept.Errors
	}
	if page.Form == nil {
		form, err := s.Monitoring.PlanForm(r.Context(), practice, pid)
		if err != nil {
			return err
		}
		page.Form = &form
	}
	r.URL.Path = "/admin/monitoring/patients/" + pid
	return s.renderBoard(w, r, sess, practice, page, status)
}

// planSubmit handles the plan form (POST /admin/monitoring/plan) in two
// steps for a new patient: the NHS number is checked against the GP
// record and the patient named, with their date of birth, beside the
// plan's form, so a mistyped number that belongs to someone else is seen
// before anything is saved; a plan form saves.
func (s *Server) planSubmit(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error {
	f := r.PostForm
	who := monitoringStaff(sess)
	if f.Get("step") == "check" {
		form := monitoring.NewPlanForm(f.Get("nhs_number"))
		patient, err := s.Monitoring.Registered(r.Context(), practice, form.NHSNumber)
		if err != nil {
			return s.renderBoard(w, r, sess, practice, &api.MonitoringBoard{Errors: []api.FieldError{s.fieldError(r, "nhs_number", err)},
				Form: &api.PlanForm{NHSNumber: form.NHSNumber}}, fault.Of(err).Status())
		}
		form, err = s.Monitoring.PlanFormFor(r.Context(), practice, patient)
		if err != nil {
			return err
		}
		return s.renderBoard(w, r, sess, practice, &api.MonitoringBoard{Form: &form}, http.StatusOK)
	}
	form := monitoring.ReadPlanForm(f.Get, func(name string) []string { return f[name] })
	pid, field, err := s.Monitoring.SavePlan(r.Context(), who, practice, form)
	if field != "" {
		if patient, perr := s.Monitoring.Registered(r.Context(), practice, form.NHSNumber); perr == nil {
			form.Name, form.BirthDate = patient.GivenName+" "+patient.FamilyName, patient.BirthDate.String()
		}
		kept := &api.MonitoringBoard{Form: &form, Errors: []api.FieldError{s.fieldError(r, field, err)}}
		return s.renderBoard(w, r, sess, practice, kept, fault.Of(err).Status())
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, monitoredURL(practice, pid, "plan"), http.StatusSeeOther)
	return nil
}

// reviewSubmit records that the practice reviewed a patient's readings
// (POST /admin/monitoring/patients/{pid}/review).
func (s *Server) reviewSubmit(w http.ResponseWriter, r *http.Request, sess *session.Session, practice gp.Practice) error {
	pid := r.PathValue("patient")
	// Up to the newest reading the page showed (a later one still needs
	// review).
	ms, _ := strconv.ParseInt(r.PostForm.Get("up_to"), 10, 64)
	if err := s.Monitoring.Review(r.Context(), monitoringStaff(sess), practice, pid, time.UnixMilli(ms)); err != nil {
		return err
	}
	http.Redirect(w, r, monitoredURL(practice, pid, "review"), http.StatusSeeOther)
	return nil
}

func monitoredURL(practice gp.Practice, pid, saved string) string {
	return "/admin/monitoring/patients/" + url.PathEscape(pid) + "?practice=" + url.QueryEscape(practice.ODS) + "&saved=" + saved
}

// apiBoard answers GET /api/v1/admin/practices/{ods}/monitoring.
func (s *Server) apiBoard(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return err
	}
	practice, err := s.Staff.Practice(r.Context(), sess, r.PathValue("ods"))
	if err != nil {
		return err
	}
	b, err := s.Monitoring.Board(r.Context(), monitoringStaff(sess), practice)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}
