package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/flags"
)

// patientFrom says where a patient-scoped route finds its patient.
type patientFrom int

const (
	// fromPath: the {pid} path value (the API, and actions on a profile).
	fromPath patientFrom = iota
	// fromActing: the profile the session is acting for (pages at friendly
	// paths such as /appointments).
	fromActing
	// fromSelf: always the signed-in person's own record.
	fromSelf
)

// patientRoute is a page or API about one patient. Every such route is
// declared in patientRoutes and nowhere else: Handler registers them all
// through authorise, and the access-matrix test walks the same list, so a
// new route cannot escape either.
type patientRoute struct {
	method, pattern string
	from            patientFrom
	need            access.Need
	// probe is the status and code a request with no body answers once
	// authorised (the access matrix checks them for every allowed cell).
	probe     int
	probeCode string
	handle    func(w http.ResponseWriter, r *http.Request, p *access.Patient) error
}

// appointments is what booking needs: the permission and the practice's flag.
var appointments = access.Need{Feature: flags.Appointments, Permission: nhs.PermAppointments}

// patientRoutes is every patient-scoped page and API.
func (s *Server) patientRoutes() []patientRoute {
	return []patientRoute{
		{method: "GET", pattern: "/api/v1/patients/{pid}", need: access.Need{}, probe: http.StatusOK, handle: s.apiPatient},
		{method: "GET", pattern: "/api/v1/patients/{pid}/activity", need: access.Need{SelfOnly: true}, probe: http.StatusOK, handle: s.apiActivity},
		{method: "POST", pattern: "/profiles/{pid}/switch", need: access.Need{}, probe: http.StatusSeeOther, handle: s.switchProfile},
		{method: "GET", pattern: "/activity", from: fromSelf, need: access.Need{SelfOnly: true}, probe: http.StatusOK, handle: s.activityPage},

		{method: "GET", pattern: "/api/v1/patients/{pid}/slots", need: appointments, probe: http.StatusOK, handle: s.apiSlots},
		{method: "GET", pattern: "/api/v1/patients/{pid}/appointments", need: appointments, probe: http.StatusOK, handle: s.apiAppointments},
		{method: "POST", pattern: "/api/v1/patients/{pid}/appointments", need: appointments, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiBook},
		{method: "DELETE", pattern: "/api/v1/patients/{pid}/appointments/{id}", need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.apiCancel},
		{method: "GET", pattern: "/appointments", from: fromActing, need: appointments, probe: http.StatusOK, handle: s.appointmentsPage},
		{method: "GET", pattern: "/appointments/book", from: fromActing, need: appointments, probe: http.StatusOK, handle: s.bookPage},
		{method: "POST", pattern: "/appointments/book", from: fromActing, need: appointments, probe: http.StatusSeeOther, handle: s.bookSubmit},
		{method: "GET", pattern: "/appointments/{id}", from: fromActing, need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.appointmentPage},
		{method: "GET", pattern: "/appointments/{id}/cancel", from: fromActing, need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.cancelPage},
		{method: "POST", pattern: "/appointments/{id}/cancel", from: fromActing, need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.cancelSubmit},
		{method: "GET", pattern: "/appointments/{id}/calendar.ics", from: fromActing, need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.calendar},

		{method: "GET", pattern: "/api/v1/patients/{pid}/repeats", need: prescriptions, probe: http.StatusOK, handle: s.apiRepeats},
		{method: "GET", pattern: "/api/v1/patients/{pid}/prescription-requests", need: prescriptions, probe: http.StatusOK, handle: s.apiRequests},
		{method: "POST", pattern: "/api/v1/patients/{pid}/prescription-requests", need: prescriptions, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiOrder},
		{method: "GET", pattern: "/api/v1/patients/{pid}/pharmacy", need: prescriptions, probe: http.StatusOK, handle: s.apiNomination},
		{method: "PUT", pattern: "/api/v1/patients/{pid}/pharmacy", need: prescriptions, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiNominate},
		{method: "GET", pattern: "/api/v1/patients/{pid}/notifications", need: prescriptions, probe: http.StatusOK, handle: s.apiNotifications},
		{method: "POST", pattern: "/api/v1/patients/{pid}/notifications/{id}/read", need: prescriptions, probe: http.StatusNotFound, probeCode: "notification_not_found", handle: s.apiMarkRead},
		{method: "GET", pattern: "/prescriptions", from: fromActing, need: prescriptions, probe: http.StatusOK, handle: s.prescriptionsPage},
		{method: "GET", pattern: "/prescriptions/order", from: fromActing, need: prescriptions, probe: http.StatusOK, handle: s.orderPage},
		{method: "POST", pattern: "/prescriptions/order", from: fromActing, need: prescriptions, probe: http.StatusSeeOther, handle: s.orderSubmit},
		{method: "GET", pattern: "/prescriptions/pharmacy", from: fromActing, need: prescriptions, probe: http.StatusOK, handle: s.pharmacyPage},
		{method: "POST", pattern: "/prescriptions/pharmacy", from: fromActing, need: prescriptions, probe: http.StatusBadRequest, handle: s.pharmacySubmit},
		{method: "POST", pattern: "/notifications/{id}/read", from: fromActing, need: prescriptions, probe: http.StatusNotFound, probeCode: "notification_not_found", handle: s.markReadSubmit},

		{method: "GET", pattern: "/api/v1/patients/{pid}/contact-requests", need: contactNeed, probe: http.StatusOK, handle: s.apiContactList},
		{method: "POST", pattern: "/api/v1/patients/{pid}/contact-requests", need: contactNeed, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiContactSend},
		{method: "GET", pattern: "/contact", from: fromActing, need: contactNeed, probe: http.StatusOK, handle: s.contactPage},
		{method: "POST", pattern: "/contact", from: fromActing, need: contactNeed, probe: http.StatusSeeOther, handle: s.contactSubmit},

		{method: "GET", pattern: "/api/v1/patients/{pid}/record", need: recordNeed, probe: http.StatusOK, handle: s.apiRecord},
		{method: "GET", pattern: "/api/v1/patients/{pid}/record.fhir", need: exportNeed, probe: http.StatusOK, handle: s.apiRecordFHIR},
		{method: "GET", pattern: "/record", from: fromActing, need: recordNeed, probe: http.StatusOK, handle: s.recordPage},
		{method: "GET", pattern: "/record/{section}", from: fromActing, need: recordNeed, probe: http.StatusNotFound, probeCode: "section_not_found", handle: s.recordPage},
		{method: "GET", pattern: "/record/documents/{id}", from: fromActing, need: recordNeed, probe: http.StatusNotFound, probeCode: "document_not_found", handle: s.documentPage},
		{method: "GET", pattern: "/record/documents/{id}/file", from: fromActing, need: recordNeed, probe: http.StatusNotFound, probeCode: "document_not_found", handle: s.documentFile},
	}
}

// PatientRoute describes a patient-scoped route, for the access matrix.
type PatientRoute struct {
	Method, Pattern string
	// From is "path", "acting" or "self".
	From string
	Need access.Need
	// Probe and ProbeCode are what an authorised request with no body
	// answers.
	Probe     int
	ProbeCode string
}

// PatientRoutes lists every patient-scoped route.
func (s *Server) PatientRoutes() []PatientRoute {
	var out []PatientRoute
	for _, rt := range s.patientRoutes() {
		out = append(out, PatientRoute{Method: rt.method, Pattern: rt.pattern, From: [...]string{"path", "acting", "self"}[rt.from], Need: rt.need, Probe: rt.probe, ProbeCode: rt.probeCode})
	}
	return out
}

type patientKey struct{}

// authorised returns the patient the request was authorised for, if any.
func authorised(ctx context.Context) *access.Patient {
	p, _ := ctx.Value(patientKey{}).(*access.Patient)
	return p
}

func actorOf(sess *session.Session) access.Actor {
	return access.Actor{NHSNumber: sess.NHSNumber, Subject: sess.Subject, ProofingLevel: sess.ProofingLevel, BirthDate: sess.BirthDate}
}

// authorise wraps a patient-scoped handler: signed-in session, then the one
// authorisation function, then the handler with the patient handle.
func (s *Server) authorise(rt patientRoute) handlerFunc {
	isPage := func(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/api/") }
	return func(w http.ResponseWriter, r *http.Request) error {
		sess, err := s.requireSession(r, "patient")
		if err != nil {
			if isPage(r) {
				if r.Method != http.MethodGet {
					r.URL.Path, r.URL.RawQuery = "/profiles", ""
				}
				return s.signInRedirect(w, r, "patient", err)
			}
			return err
		}
		actor := actorOf(sess)
		var pid string
		switch rt.from {
		case fromPath:
			pid = r.PathValue("pid")
		case fromActing:
			pid = sess.ActingFor
		}
		if pid == "" {
			pid = s.Access.Self(actor)
		}
		p, err := s.Access.Authorize(r.Context(), actor, pid, rt.need)
		if err != nil {
			s.refused(r, sess, pid, err)
			if rt.from == fromActing && errors.Is(err, access.ErrNotFound) {
				// The access behind the profile ended (revoked, expired, aged
				// out): the session stops acting for it.
				_ = s.Auth.Sessions.SetActingFor(r.Context(), identityFrom(r.Context(), "patient").token, "")
			}
			return err
		}
		return rt.handle(w, r.WithContext(context.WithValue(r.Context(), patientKey{}, p)), p)
	}
}

// refused audits a refused access, naming the patient only when the ID was a
// real one.
func (s *Server) refused(r *http.Request, sess *session.Session, pid string, err error) {
	e := audit.Event{Action: "access_refused", Outcome: "refused", Actor: sess.Subject, Session: sess.ID,
		ActorPatient: s.Access.Self(actorOf(sess)), Reason: kind(err).Code}
	if _, derr := s.Access.IDs.NHSNumber(pid); derr == nil {
		e.Patient = pid
	}
	s.audit(r, e)
}

// auditPatient records an action on a patient's data with the actor and the
// patient kept apart.
func (s *Server) auditPatient(r *http.Request, p *access.Patient, action, outcome, reason string) {
	sess := identityFrom(r.Context(), "patient").session
	e := audit.Event{Action: action, Outcome: outcome, Actor: p.Actor().Subject, ActorPatient: p.ActorID(), Patient: p.ID(), Reason: reason}
	if sess != nil {
		e.Session = sess.ID
	}
	s.audit(r, e)
}

// profileOf is the wire form of an authorised patient.
func profileOf(p *access.Patient) api.Profile {
	sum := p.Summary()
	perms := make([]string, 0, 4)
	for _, x := range p.Permissions() {
		perms = append(perms, string(x))
	}
	return api.Profile{
		PatientID: p.ID(), Name: sum.GivenName + " " + sum.FamilyName, GivenName: sum.GivenName, FamilyName: sum.FamilyName,
		BirthDate: sum.BirthDate.String(), Relationship: p.Relationship(), Permissions: perms, Status: string(access.Active), Self: p.Self(),
	}
}

// profiles lists the person's profiles in wire form, marking the current one.
func (s *Server) profiles(r *http.Request, sess *session.Session) ([]api.Profile, error) {
	list, err := s.Access.Profiles(r.Context(), actorOf(sess))
	if err != nil {
		return nil, kind(err)
	}
	out := make([]api.Profile, 0, len(list))
	for _, x := range list {
		perms := make([]string, 0, len(x.Permissions))
		for _, p := range x.Permissions {
			perms = append(perms, string(p))
		}
		current := x.ID == sess.ActingFor || (x.Self && sess.ActingFor == "")
		out = append(out, api.Profile{
			PatientID: x.ID, Name: x.GivenName + " " + x.FamilyName, GivenName: x.GivenName, FamilyName: x.FamilyName,
			BirthDate: x.BirthDate.String(), Relationship: x.Kind, Permissions: perms, Status: string(x.Status), Self: x.Self, Current: current,
		})
	}
	return out, nil
}

// actingFor is the banner's profile: who the session acts for, when it is
// someone else and that access still holds.
func (s *Server) actingFor(r *http.Request, sess *session.Session) *api.Profile {
	if sess.ActingFor == "" {
		return nil
	}
	p := authorised(r.Context())
	if p == nil || p.ID() != sess.ActingFor {
		var err error
		if p, err = s.Access.Authorize(r.Context(), actorOf(sess), sess.ActingFor, access.Need{}); err != nil {
			if errors.Is(err, access.ErrNotFound) {
				_ = s.Auth.Sessions.SetActingFor(r.Context(), identityFrom(r.Context(), "patient").token, "")
			}
			return nil
		}
	}
	if p.Self() {
		return nil
	}
	prof := profileOf(p)
	return &prof
}

// apiPatient answers GET /api/v1/patients/{pid}: who the patient is and what
// the person may do for them.
func (s *Server) apiPatient(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	writeJSON(w, http.StatusOK, profileOf(p))
	return nil
}

// switchProfile makes the session act for the patient (or the person
// themselves again), then goes home, where the banner names them.
func (s *Server) switchProfile(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	pid := p.ID()
	if p.Self() {
		pid = ""
	}
	if err := s.Auth.Sessions.SetActingFor(r.Context(), identityFrom(r.Context(), "patient").token, pid); err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	action := "switch_profile"
	if p.Self() {
		action = "switch_back"
	}
	s.auditPatient(r, p, action, "success", "")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// activityLimit is how many events the access history shows.
const activityLimit = 100

// shownActions are the audited actions a patient sees in their history:
// access to their data, not the plumbing.
var shownActions = map[string]bool{
	"switch_profile": true, "view_appointments": true, "book": true, "cancel": true,
	"view_prescriptions": true, "order_prescription": true, "change_pharmacy": true,
	"view_record": true, "export_record": true, "contact_practice": true, "contact_red_flag": true,
}

// activity is the patient's access history: successful accesses to their
// data, naming who acted.
func (s *Server) activity(r *http.Request, p *access.Patient) ([]api.ActivityEvent, error) {
	events, err := s.Auth.Audit.ForPatient(r.Context(), p.ID(), activityLimit*2)
	if err != nil {
		return nil, errors.Join(ErrUnavailable, err)
	}
	rels, err := p.Proxies(r.Context())
	if err != nil {
		return nil, kind(err)
	}
	type who struct{ name, kind string }
	names := map[string]who{}
	for _, rel := range rels {
		name, err := p.PersonName(r.Context(), rel)
		if err != nil {
			continue
		}
		names[p.ActorIDOf(rel)] = who{name, rel.Kind}
	}
	out := []api.ActivityEvent{}
	for _, e := range events {
		if e.Outcome != "success" || !shownActions[e.Action] || len(out) == activityLimit {
			continue
		}
		ev := api.ActivityEvent{Time: e.Time.UnixMilli(), Action: e.Action, Self: e.ActorPatient == p.ID()}
		if !ev.Self {
			if w, ok := names[e.ActorPatient]; ok {
				ev.Who, ev.Relationship = w.name, w.kind
			}
		}
		out = append(out, ev)
	}
	return out, nil
}

// apiActivity answers GET /api/v1/patients/{pid}/activity.
func (s *Server) apiActivity(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	list, err := s.activity(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// activityPage renders /activity: who has accessed the person's own record.
func (s *Server) activityPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	list, err := s.activity(r, p)
	if err != nil {
		return err
	}
	st := s.pageState(r)
	st.Activity = list
	return s.renderPage(w, r, st)
}

// profilesPage renders /profiles: the people the person can act for.
func (s *Server) profilesPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return s.signInRedirect(w, r, "patient", err)
	}
	st := s.pageState(r)
	if st.Profiles, err = s.profiles(r, sess); err != nil {
		return err
	}
	return s.renderPage(w, r, st)
}
