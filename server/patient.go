package server

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/prescribing"
	"github.com/nhs-companion/companion/server/profiles"
	"github.com/nhs-companion/companion/server/record"
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
	// file routes answer a download, not a page of the app; redirect
	// routes send the person on to one.
	file, redirect bool
	handle         func(w http.ResponseWriter, r *http.Request, p *access.Patient) error
}

// What each feature needs of the person acting for a patient, as each
// feature declares it.
var (
	appointments  = booking.Need
	prescriptions = prescribing.Need
	contactNeed   = consult.Need
	recordNeed    = record.Need
	exportNeed    = record.ExportNeed
)

// patientRoutes is every patient-scoped page and API.
func (s *Server) patientRoutes() []patientRoute {
	return []patientRoute{
		{method: "GET", pattern: "/api/v1/patients/{pid}", need: access.Need{}, probe: http.StatusOK, handle: s.apiPatient},
		{method: "GET", pattern: "/api/v1/patients/{pid}/activity", need: access.Need{SelfOnly: true}, probe: http.StatusOK, handle: s.apiActivity},
		{method: "POST", pattern: "/profiles/{pid}/switch", need: access.Need{}, probe: http.StatusSeeOther, handle: s.switchProfile},
		{method: "GET", pattern: "/api/v1/patients/{pid}/entries", need: access.Need{}, probe: http.StatusOK, handle: s.apiEntries},
		{method: "GET", pattern: "/notifications/{pid}/{kind}/{key}", need: access.Need{}, probe: http.StatusNotFound, probeCode: "notification_not_found", redirect: true, handle: s.openNotification},
		{method: "GET", pattern: "/activity", from: fromSelf, need: access.Need{SelfOnly: true}, probe: http.StatusOK, handle: s.activityPage},

		{method: "GET", pattern: "/api/v1/patients/{pid}/slots", need: appointments, probe: http.StatusOK, handle: s.apiSlots},
		{method: "GET", pattern: "/api/v1/patients/{pid}/appointments", need: appointments, probe: http.StatusOK, handle: s.apiAppointments},
		{method: "POST", pattern: "/api/v1/patients/{pid}/appointments", need: appointments, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiBook},
		{method: "DELETE", pattern: "/api/v1/patients/{pid}/appointments/{id}", need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.apiCancel},
		{method: "POST", pattern: "/api/v1/patients/{pid}/appointments/{id}/reschedule", need: appointments, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiReschedule},
		{method: "POST", pattern: "/api/v1/patients/{pid}/appointments/{id}/waitlist", need: waitlistNeed, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiJoinWaitlist},
		{method: "GET", pattern: "/api/v1/patients/{pid}/appointments/{id}/waitlist", need: waitlistNeed, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.apiWaitlistEntry},
		{method: "DELETE", pattern: "/api/v1/patients/{pid}/appointments/{id}/waitlist", need: waitlistNeed, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.apiLeaveWaitlist},
		{method: "POST", pattern: "/api/v1/patients/{pid}/appointments/{id}/waitlist/accept", need: waitlistNeed, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.apiAcceptOffer},
		{method: "POST", pattern: "/api/v1/patients/{pid}/appointments/{id}/waitlist/decline", need: waitlistNeed, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.apiDeclineOffer},
		{method: "GET", pattern: "/api/v1/patients/{pid}/waitlist-offers", need: waitlistNeed, probe: http.StatusOK, handle: s.apiWaitlistOffers},
		{method: "POST", pattern: "/api/v1/patients/{pid}/slot-holds", need: appointments, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiHold},
		{method: "DELETE", pattern: "/api/v1/patients/{pid}/slot-holds/{id}", need: appointments, probe: http.StatusNotFound, probeCode: "hold_not_found", handle: s.apiReleaseHold},
		{method: "GET", pattern: "/appointments", from: fromActing, need: appointments, probe: http.StatusOK, handle: s.appointmentsPage},
		{method: "GET", pattern: "/appointments/book", from: fromActing, need: appointments, probe: http.StatusOK, handle: s.bookPage},
		{method: "POST", pattern: "/appointments/book", from: fromActing, need: appointments, probe: http.StatusSeeOther, handle: s.bookSubmit},
		{method: "GET", pattern: "/appointments/{id}", from: fromActing, need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.appointmentPage},
		{method: "GET", pattern: "/appointments/{id}/cancel", from: fromActing, need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.cancelPage},
		{method: "POST", pattern: "/appointments/{id}/cancel", from: fromActing, need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.cancelSubmit},
		{method: "GET", pattern: "/appointments/{id}/waitlist", from: fromActing, need: waitlistNeed, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.waitlistPage},
		{method: "POST", pattern: "/appointments/{id}/waitlist", from: fromActing, need: waitlistNeed, probe: http.StatusNotFound, probeCode: "appointment_not_found", handle: s.waitlistSubmit},
		{method: "POST", pattern: "/appointments/{id}/waitlist/{action}", from: fromActing, need: waitlistNeed, probe: http.StatusNotFound, probeCode: "not_found", handle: s.waitlistAction},
		{method: "GET", pattern: "/appointments/{id}/calendar.ics", from: fromActing, need: appointments, probe: http.StatusNotFound, probeCode: "appointment_not_found", file: true, handle: s.calendar},

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

		{method: "GET", pattern: "/api/v1/patients/{pid}/messages", need: messagesNeed, probe: http.StatusOK, handle: s.apiMessages},
		{method: "GET", pattern: "/api/v1/patients/{pid}/messages/{id}", need: messagesNeed, probe: http.StatusNotFound, probeCode: "message_not_found", handle: s.apiMessage},
		{method: "POST", pattern: "/api/v1/patients/{pid}/messages/{id}/reply", need: messagesNeed, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiMessageReply},
		{method: "GET", pattern: "/messages", from: fromActing, need: messagesNeed, probe: http.StatusOK, handle: s.messagesPage},
		{method: "GET", pattern: "/messages/{id}", from: fromActing, need: messagesNeed, probe: http.StatusNotFound, probeCode: "message_not_found", handle: s.messagePage},
		{method: "POST", pattern: "/messages/{id}/reply", from: fromActing, need: messagesNeed, probe: http.StatusNotFound, probeCode: "message_not_found", handle: s.messageReplySubmit},

		{method: "GET", pattern: "/api/v1/patients/{pid}/monitoring", need: monitoringNeed, probe: http.StatusOK, handle: s.apiMonitoring},
		{method: "POST", pattern: "/api/v1/patients/{pid}/monitoring/readings", need: monitoringNeed, probe: http.StatusBadRequest, probeCode: "bad_request", handle: s.apiSendReading},
		{method: "GET", pattern: "/monitoring", from: fromActing, need: monitoringNeed, probe: http.StatusOK, handle: s.monitoringPage},
		{method: "GET", pattern: "/monitoring/{sign}", from: fromActing, need: monitoringNeed, probe: http.StatusNotFound, probeCode: "reading_not_in_plan", handle: s.readingPage},
		{method: "POST", pattern: "/monitoring/{sign}", from: fromActing, need: monitoringNeed, probe: http.StatusNotFound, probeCode: "reading_not_in_plan", handle: s.readingSubmit},

		{method: "GET", pattern: "/api/v1/patients/{pid}/record", need: recordNeed, probe: http.StatusOK, handle: s.apiRecord},
		{method: "GET", pattern: "/api/v1/patients/{pid}/record.fhir", need: exportNeed, probe: http.StatusOK, handle: s.apiRecordFHIR},
		{method: "GET", pattern: "/record", from: fromActing, need: recordNeed, probe: http.StatusOK, handle: s.recordPage},
		{method: "GET", pattern: "/record/{section}", from: fromActing, need: recordNeed, probe: http.StatusNotFound, probeCode: "section_not_found", handle: s.recordPage},
		{method: "GET", pattern: "/record/documents/{id}", from: fromActing, need: recordNeed, probe: http.StatusNotFound, probeCode: "document_not_found", handle: s.documentPage},
		{method: "GET", pattern: "/record/documents/{id}/file", from: fromActing, need: recordNeed, probe: http.StatusNotFound, probeCode: "document_not_found", file: true, handle: s.documentFile},
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

// PagePatterns lists the path patterns of every page the server renders
// from the app's page table: patient-scoped pages and the others. The
// route-table test holds it equal to the app's (ui.Patterns).
func (s *Server) PagePatterns() []string {
	var out []string
	for _, rt := range s.patientRoutes() {
		if rt.method == http.MethodGet && !rt.file && !rt.redirect && !strings.HasPrefix(rt.pattern, "/api/") {
			out = append(out, rt.pattern)
		}
	}
	for _, pg := range s.pages() {
		out = append(out, strings.TrimSuffix(pg.pattern, "{$}"))
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
	return access.Actor{NHSNumber: sess.NHSNumber, Subject: sess.Subject, ProofingLevel: sess.ProofingLevel, BirthDate: sess.BirthDate, Matched: sess.Matched}
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
				s.stopActing(r)
			}
			return err
		}
		return rt.handle(w, r.WithContext(context.WithValue(r.Context(), patientKey{}, p)), p)
	}
}

// stopActing ends the session's acting for someone whose access ended
// (revoked, expired, aged out).
func (s *Server) stopActing(r *http.Request) {
	if err := s.Auth.Sessions.SetActingFor(r.Context(), identityFrom(r.Context(), "patient").token, ""); err != nil {
		s.Logger.WarnContext(r.Context(), "stop acting", "err", err)
	}
}

// refused audits a refused access, naming the patient only when the ID was a
// real one.
func (s *Server) refused(r *http.Request, sess *session.Session, pid string, err error) {
	e := audit.Event{Action: "access_refused", Outcome: "refused", Actor: sess.Subject, Session: sess.ID,
		ActorPatient: s.Access.Self(actorOf(sess)), Reason: fault.Code(err)}
	if _, derr := s.Access.IDs.NHSNumber(pid); derr == nil {
		e.Patient = pid
	}
	s.Audit.Record(r.Context(), e)
}

// currentProfile is the profile a session acts for, authorised at most once
// a request.
type currentProfile struct {
	done bool
	p    *access.Patient
	err  error
}

// current is the patient the session acts for (the person themselves when
// acting for nobody), authorised once per request for no particular need:
// the banner, the features and the home page's news all start from it, and
// narrow it to what they show. A patient route's own authorisation is
// reused when it is for the same patient.
func (s *Server) current(r *http.Request, sess *session.Session) (*access.Patient, error) {
	c := identityFrom(r.Context(), "patient").current
	if c.done {
		return c.p, c.err
	}
	c.done = true
	pid := sess.ActingFor
	if pid == "" {
		pid = s.Access.Self(actorOf(sess))
	}
	if p := authorised(r.Context()); p != nil && p.ID() == pid {
		c.p, c.err = p.Narrow(r.Context(), access.Need{})
		return c.p, c.err
	}
	c.p, c.err = s.Access.Authorize(r.Context(), actorOf(sess), pid, access.Need{})
	if sess.ActingFor != "" && errors.Is(c.err, access.ErrNotFound) {
		s.stopActing(r)
	}
	return c.p, c.err
}

// pageState is the state every page is rendered with: the language, who
// is signed in, whom they act for and the features they see.
func (s *Server) pageState(r *http.Request) api.PageState {
	sess := identityFrom(r.Context(), "patient").session
	st := api.PageState{Locale: localeFrom(r.Context()), Path: r.URL.Path, Query: KeptQuery(r), User: s.userState(sess)}
	if sess == nil {
		return st
	}
	if st.ActingFor = s.actingFor(r, sess); st.ActingFor != nil {
		p, _ := s.current(r, sess)
		st.Features = map[string]bool{}
		for _, n := range flags.All {
			st.Features[string(n)] = p.Flag(r.Context(), n)
		}
		st.Unread = s.unread(r, sess)
		return st
	}
	st.Features = s.ownFeatures(r, sess)
	if st.Features[string(flags.Messages)] {
		st.Unread = s.unread(r, sess)
	}
	return st
}

// unread counts the unread messages of the profile the session acts for,
// for the header: nil when it has none to read (the feature is off, the
// relationship does not grant them, or they cannot be counted now).
func (s *Server) unread(r *http.Request, sess *session.Session) *int {
	p, err := s.current(r, sess)
	if err != nil {
		return nil
	}
	m, err := p.Narrow(r.Context(), messagesNeed)
	if err != nil {
		return nil
	}
	n, err := s.Messaging.Unread(r.Context(), m)
	if err != nil {
		s.Logger.WarnContext(r.Context(), "unread messages", "err", err)
		return nil
	}
	return &n
}

// ownFeatures evaluates every flag for the person's own record.
func (s *Server) ownFeatures(r *http.Request, sess *session.Session) map[string]bool {
	out := map[string]bool{}
	sub := flags.Subject{PatientID: s.Access.Self(actorOf(sess)), ODS: sess.GPODS}
	if p, err := s.Access.Practice(r.Context(), sess.GPODS); err == nil {
		sub.ICB = p.ICB
	}
	for n, on := range s.Flags.Evaluate(r.Context(), sub) {
		out[string(n)] = on
	}
	return out
}

// actingFor is the banner's profile: who the session acts for, when it is
// someone else and that access still holds.
func (s *Server) actingFor(r *http.Request, sess *session.Session) *api.Profile {
	if sess.ActingFor == "" {
		return nil
	}
	p, err := s.current(r, sess)
	if err != nil || p.Self() {
		return nil
	}
	prof := profiles.Of(p)
	return &prof
}

// KeptQuery is the request's query without lang, for the language switcher.
// Callback pages keep nothing: their code and state are spent.
func KeptQuery(r *http.Request) string {
	if strings.HasSuffix(r.URL.Path, "/callback") {
		return ""
	}
	q := r.URL.Query()
	q.Del("lang")
	q.Del(assertedParam) // a credential: never into the page
	return q.Encode()
}

// route is the method and path a request came by, which idempotency keys
// are scoped to.
func route(r *http.Request) string { return r.Method + " " + r.URL.Path }
