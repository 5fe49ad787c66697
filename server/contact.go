package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
)

// contactNeed is what contacting the practice needs: the practice's flag,
// and for someone acting for the patient, the appointments permission.
var contactNeed = access.Need{Feature: flags.OnlineConsultation, Permission: nhs.PermAppointments}

// Contact errors.
var (
	ErrContactClosed  = &Error{Status: http.StatusConflict, Code: "closed", MessageID: "contact.error.closed"}
	ErrContactFull    = &Error{Status: http.StatusConflict, Code: "full", MessageID: "contact.error.full"}
	ErrContactLimit   = &Error{Status: http.StatusConflict, Code: "patient_limit", MessageID: "contact.error.patientLimit"}
	ErrUrgent999      = &Error{Status: http.StatusUnprocessableEntity, Code: "urgent", MessageID: "contact.error.urgent999"}
	ErrUrgent111      = &Error{Status: http.StatusUnprocessableEntity, Code: "urgent", MessageID: "contact.error.urgent111"}
	ErrUnanswered     = &Error{Status: http.StatusBadRequest, Code: "screening_required", MessageID: "contact.error.screening"}
	ErrKindRequired   = &Error{Status: http.StatusBadRequest, Code: "kind_required", MessageID: "contact.error.kind"}
	ErrTopicRequired  = &Error{Status: http.StatusBadRequest, Code: "topic_required", MessageID: "contact.error.topic"}
	ErrDuration       = &Error{Status: http.StatusBadRequest, Code: "duration_required", MessageID: "contact.error.duration"}
	ErrTrend          = &Error{Status: http.StatusBadRequest, Code: "trend_required", MessageID: "contact.error.trend"}
	ErrMedicineName   = &Error{Status: http.StatusBadRequest, Code: "medicine_name_required", MessageID: "contact.error.medicine"}
	ErrTextRequired   = &Error{Status: http.StatusBadRequest, Code: "text_required", MessageID: "contact.error.text"}
	ErrTextTooLong    = &Error{Status: http.StatusBadRequest, Code: "text_too_long", MessageID: "contact.error.textTooLong"}
	ErrNoContact      = &Error{Status: http.StatusNotFound, Code: "request_not_found", MessageID: "error.notFound"}
	ErrReplyRequired  = &Error{Status: http.StatusBadRequest, Code: "reply_required", MessageID: "inbox.error.reply"}
	ErrAlreadyReplied = &Error{Status: http.StatusConflict, Code: "already_responded", MessageID: "inbox.error.already"}
	ErrSuspendTooLong = &Error{Status: http.StatusBadRequest, Code: "suspension_too_long", MessageID: "inbox.error.tooLong"}
	ErrBadHours       = &Error{Status: http.StatusBadRequest, Code: "bad_hours", MessageID: "inbox.error.hours"}
	ErrBadNumber      = &Error{Status: http.StatusBadRequest, Code: "bad_number", MessageID: "inbox.error.number"}
)

// contactTextMax is the longest request, in characters.
const contactTextMax = 2000

// The answers a request's structured questions take.
var (
	contactTopics    = []string{"fit_note", "letter", "test_result", "other"}
	contactDurations = []string{"days", "week", "month", "longer"}
	contactTrends    = []string{"better", "same", "worse"}
)

func contactView(c gp.ContactRequest) api.ContactRequest {
	v := api.ContactRequest{ID: c.ID, Kind: string(c.Kind), Topic: c.Topic, Text: c.Text, Sent: c.Submitted.UnixMilli(),
		ReplyBy: c.ReplyBy.UnixMilli(), Status: string(c.Status), Reply: c.Reply}
	for _, a := range c.Answers {
		v.Answers = append(v.Answers, api.ContactAnswer{Question: a.Question, Answer: a.Answer})
	}
	if !c.Responded.IsZero() {
		v.Responded = c.Responded.UnixMilli()
	}
	return v
}

// availabilityOf says whether the practice takes requests of each kind now,
// for this patient.
func (s *Server) availabilityOf(ctx context.Context, practice gp.Practice, patientID string) (api.ContactAvailability, consult.Settings, error) {
	now := time.Now()
	settings, st, err := s.contactStatus(ctx, practice, now)
	if err != nil {
		return api.ContactAvailability{}, settings, err
	}
	av := api.ContactAvailability{Open: st.Open, Why: st.Why, BankHoliday: st.BankHoliday, Hours: consult.FormatWindows(settings.Windows),
		Practice: practice.Name, Phone: practice.Phone}
	if st.Suspension != nil {
		av.Suspended = st.Suspension.Reason
	}
	if !st.Reopens.IsZero() {
		av.Reopens = st.Reopens.UnixMilli()
	}
	day := consult.Day(now)
	used, err := s.Consult.Used(ctx, practice.ODS, day)
	if err != nil {
		return api.ContactAvailability{}, settings, errors.Join(ErrUnavailable, err)
	}
	mine := 0
	if patientID != "" {
		if mine, err = s.Consult.PatientUsed(ctx, patientID, day); err != nil {
			return api.ContactAvailability{}, settings, errors.Join(ErrUnavailable, err)
		}
	}
	for _, k := range gp.ContactKinds {
		ks := api.ContactKindState{Kind: string(k), Open: st.Open}
		switch {
		case !st.Open:
		case settings.PatientDaily > 0 && mine >= settings.PatientDaily:
			ks.Open, ks.Why = false, "patient_limit"
		case settings.Caps[k] > 0 && used[k] >= settings.Caps[k]:
			ks.Open, ks.Why = false, "full"
		}
		av.Kinds = append(av.Kinds, ks)
	}
	return av, settings, nil
}

// contactStatus is the practice's settings and whether it takes requests at
// now (its hours, bank holidays and any pause); the daily counts are left to
// Take, which checks them atomically.
func (s *Server) contactStatus(ctx context.Context, practice gp.Practice, now time.Time) (consult.Settings, consult.Status, error) {
	settings, err := s.Consult.Settings(ctx, practice.ODS)
	if err != nil {
		return settings, consult.Status{}, errors.Join(ErrUnavailable, err)
	}
	susp, err := s.Consult.Suspension(ctx, practice.ODS, now)
	if err != nil {
		return settings, consult.Status{}, errors.Join(ErrUnavailable, err)
	}
	return settings, settings.StatusAt(now, practice.Country, susp), nil
}

func kindOpen(av api.ContactAvailability, kind string) (bool, string) {
	for _, k := range av.Kinds {
		if k.Kind == kind {
			return k.Open, k.Why
		}
	}
	return false, ""
}

// contactRequest turns the patient's answers into a request for the
// practice, checking each: the emergency questions first.
func contactRequest(l *i18n.Localizer, req api.ContactSubmit, child bool) (gp.ContactRequest, error) {
	kind := gp.ContactKind(req.Kind)
	if !slices.Contains(gp.ContactKinds, kind) {
		return gp.ContactRequest{}, ErrKindRequired
	}
	c := gp.ContactRequest{Kind: kind}
	answer := func(q, a string) { c.Answers = append(c.Answers, gp.Answer{Question: l.T(q), Answer: a}) }
	switch kind {
	case gp.ContactMedical:
		stop, advice, _, err := consult.Screening.Screen(child, req.Screening)
		if err != nil {
			return c, ErrUnanswered
		}
		if stop {
			if advice == "999" {
				return c, ErrUrgent999
			}
			return c, ErrUrgent111
		}
		c.Screening = consult.Screening.Version
		if !slices.Contains(contactDurations, req.Duration) {
			return c, ErrDuration
		}
		if !slices.Contains(contactTrends, req.Trend) {
			return c, ErrTrend
		}
		answer("contact.duration.question", ui.ContactAnswer(l, "duration", req.Duration))
		answer("contact.trend.question", ui.ContactAnswer(l, "trend", req.Trend))
	case gp.ContactMedication:
		m := strings.TrimSpace(req.Medicine)
		if m == "" || utf8.RuneCountInString(m) > 200 || hasControl(m) {
			return c, ErrMedicineName
		}
		answer("contact.medicine.label", m)
	case gp.ContactAdmin:
		if !slices.Contains(contactTopics, req.Topic) {
			return c, ErrTopicRequired
		}
		c.Topic = req.Topic
		answer("contact.topic.question", ui.ContactAnswer(l, "topic", req.Topic))
	}
	c.Text = strings.TrimSpace(req.Text)
	switch {
	case c.Text == "":
		return c, ErrTextRequired
	case utf8.RuneCountInString(c.Text) > contactTextMax:
		return c, ErrTextTooLong
	case hasControl(c.Text):
		return c, ErrBadRequest
	}
	return c, nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' })
}

// sendContact checks a request and sends it to the practice, once per
// idempotency key: emergency answers stop it (audited), a closed practice or
// a full day refuses it, and the day's place is taken atomically before the
// GP system is asked, and given back if it refuses.
func (s *Server) sendContact(r *http.Request, p *access.Patient, req api.ContactSubmit, key string) (api.ContactRequest, error) {
	_, body, err := s.once(r, p, key, req, func() (int, any, error) {
		x := p.Contact()
		practice := x.Practice()
		l := s.Catalogue.Localizer(localeFrom(r.Context()))
		c, err := contactRequest(l, req, x.Child(consult.ChildAge))
		if errors.Is(err, ErrUrgent999) || errors.Is(err, ErrUrgent111) {
			s.auditContact(r, p, "contact_red_flag", "stopped", kind(err).MessageID, "")
			return 0, nil, err
		}
		if err != nil {
			return 0, nil, err
		}
		now := time.Now()
		settings, status, err := s.contactStatus(r.Context(), practice, now)
		if err != nil {
			return 0, nil, err
		}
		if !status.Open {
			return 0, nil, ErrContactClosed
		}
		ticket, err := s.Consult.Take(r.Context(), practice.ODS, p.ID(), c.Kind, consult.Day(now), settings)
		switch {
		case errors.Is(err, consult.ErrFull):
			return 0, nil, ErrContactFull
		case errors.Is(err, consult.ErrPatientLimit):
			return 0, nil, ErrContactLimit
		case err != nil:
			return 0, nil, errors.Join(ErrUnavailable, err)
		}
		c.Submitted, c.ReplyBy = now, settings.ReplyBy(now, practice.Country)
		sent, err := x.Submit(r.Context(), c)
		if err != nil {
			if rerr := s.Consult.Release(context.WithoutCancel(r.Context()), ticket); rerr != nil {
				s.logger(r).Warn("release contact place", "err", rerr)
			}
			return 0, nil, err
		}
		s.auditContact(r, p, "contact_practice", "success", string(c.Kind), "contact:"+sent.ID)
		return http.StatusCreated, contactView(sent), nil
	})
	if err != nil {
		return api.ContactRequest{}, err
	}
	var out api.ContactRequest
	return out, json.Unmarshal(body, &out)
}

func (s *Server) auditContact(r *http.Request, p *access.Patient, action, outcome, reason, object string) {
	s.audit(r, audit.Event{Action: action, Outcome: outcome, Reason: reason, Actor: p.Actor().Subject,
		ActorPatient: p.ActorID(), Patient: p.ID(), Object: object, Session: sessionID(r)})
}

// contactList is the patient's requests and whether they can send another.
func (s *Server) contactList(r *http.Request, p *access.Patient) (api.ContactList, error) {
	x := p.Contact()
	av, _, err := s.availabilityOf(r.Context(), x.Practice(), p.ID())
	if err != nil {
		return api.ContactList{}, err
	}
	list, err := x.Requests(r.Context())
	if err != nil {
		return api.ContactList{}, err
	}
	out := api.ContactList{Availability: av, Requests: []api.ContactRequest{}}
	for _, c := range list {
		out.Requests = append(out.Requests, contactView(c))
	}
	return out, nil
}

// --- API ---

// apiContactList answers GET /api/v1/patients/{pid}/contact-requests.
func (s *Server) apiContactList(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	out, err := s.contactList(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiContactSend answers POST /api/v1/patients/{pid}/contact-requests.
func (s *Server) apiContactSend(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var req api.ContactSubmit
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if len(req.Screening) > 50 {
		return ErrBadRequest
	}
	out, err := s.sendContact(r, p, req, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// --- pages ---

// contactDraft is a request in progress, kept on the server between the
// steps: what people write about their health never travels in a URL.
type contactDraft struct {
	Kind      string            `json:"kind,omitempty"`
	Screening map[string]string `json:"screening,omitempty"`
	Screened  bool              `json:"screened,omitempty"`
	Duration  string            `json:"duration,omitempty"`
	Trend     string            `json:"trend,omitempty"`
	Medicine  string            `json:"medicine,omitempty"`
	Topic     string            `json:"topic,omitempty"`
	Text      string            `json:"text,omitempty"`
	Key       string            `json:"key,omitempty"`
	// Sent is the request the draft became.
	Sent string `json:"sent,omitempty"`
}

func (d contactDraft) submit() api.ContactSubmit {
	return api.ContactSubmit{Kind: d.Kind, Screening: d.Screening, Duration: d.Duration, Trend: d.Trend,
		Medicine: d.Medicine, Topic: d.Topic, Text: d.Text}
}

// contactSteps are the contact pages, in order.
var contactSteps = []string{"start", "screen", "details", "check"}

// reached is the furthest step the draft allows.
func (d contactDraft) reached() string {
	switch {
	case d.Kind == "":
		return "start"
	case d.Kind == string(gp.ContactMedical) && !d.Screened:
		return "screen"
	case d.Text == "":
		return "details"
	}
	return "check"
}

func contactURL(step string) string {
	if step == "start" {
		return "/contact"
	}
	return "/contact?step=" + step
}

// contactPage renders /contact: whether the practice is open, then one
// question per page; ?sent= is the confirmation.
func (s *Server) contactPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var d contactDraft
	if err := s.loadDraft(r, p, "contact", &d); err != nil {
		return err
	}
	q := r.URL.Query()
	if id := q.Get("sent"); id != "" {
		return s.renderSent(w, r, p, id)
	}
	if d.Sent != "" {
		d = contactDraft{}
	}
	step := q.Get("step")
	if step == "" {
		step = "start"
	}
	if !slices.Contains(contactSteps, step) {
		return ErrNotFound
	}
	if slices.Index(contactSteps, step) > slices.Index(contactSteps, d.reached()) {
		http.Redirect(w, r, contactURL(d.reached()), http.StatusSeeOther)
		return nil
	}
	return s.renderContact(w, r, p, d, step, nil, http.StatusOK)
}

// renderSent is the confirmation of a request the patient sent.
func (s *Server) renderSent(w http.ResponseWriter, r *http.Request, p *access.Patient, id string) error {
	list, err := s.contactList(r, p)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list.Requests, func(c api.ContactRequest) bool { return c.ID == id })
	if i < 0 {
		return ErrNoContact
	}
	f := &api.ContactForm{Step: "sent", Patient: patientName(p), Availability: list.Availability, Sent: &list.Requests[i], TextMax: contactTextMax}
	return s.renderContactForm(w, r, f, http.StatusOK)
}

func (s *Server) renderContactForm(w http.ResponseWriter, r *http.Request, f *api.ContactForm, status int) error {
	st := s.pageState(r)
	st.Contact = f
	r.URL.Path = "/contact"
	return s.Renderer.Render(w, r, status, st, ui.ContactPage)
}

// renderContact renders one step from the draft.
func (s *Server) renderContact(w http.ResponseWriter, r *http.Request, p *access.Patient, d contactDraft, step string, e *Error, status int) error {
	x := p.Contact()
	av, _, err := s.availabilityOf(r.Context(), x.Practice(), p.ID())
	if err != nil {
		return err
	}
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	f := &api.ContactForm{Step: step, Patient: patientName(p), Availability: av, Kind: d.Kind, Topic: d.Topic,
		Duration: d.Duration, Trend: d.Trend, Medicine: d.Medicine, Text: d.Text, TextMax: contactTextMax,
		Screening: d.Screening, IdempotencyKey: d.Key}
	for _, q := range consult.Screening.For(x.Child(consult.ChildAge)) {
		f.Questions = append(f.Questions, api.ScreenQuestion{ID: q.ID, Text: l.T(q.Key)})
	}
	if e != nil {
		f.Errors = []api.FieldError{{Field: contactField(step, e), Code: e.Code, Message: l.T(e.MessageID)}}
	}
	return s.renderContactForm(w, r, f, status)
}

// contactField is the field an error belongs to, for the error summary's
// link.
func contactField(step string, e *Error) string {
	switch e {
	case ErrTopicRequired:
		return "topic"
	case ErrDuration:
		return "duration"
	case ErrTrend:
		return "trend"
	case ErrMedicineName:
		return "medicine"
	case ErrTextRequired, ErrTextTooLong, ErrBadRequest:
		return "text"
	case ErrUnanswered:
		return "screen"
	}
	if step == "check" {
		return "check"
	}
	return "kind"
}

// contactSubmit handles each step's form.
func (s *Server) contactSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := r.ParseForm(); err != nil {
		return ErrBadRequest
	}
	f := r.PostForm
	var d contactDraft
	if err := s.loadDraft(r, p, "contact", &d); err != nil {
		return err
	}
	step := f.Get("step")
	if d.Sent != "" {
		if step == "check" {
			http.Redirect(w, r, "/contact?sent="+url.QueryEscape(d.Sent), http.StatusSeeOther)
			return nil
		}
		d = contactDraft{}
	}
	fail := func(e *Error) error { return s.renderContact(w, r, p, d, step, e, e.Status) }
	x := p.Contact()
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	next := ""
	switch step {
	case "start":
		kind := f.Get("kind")
		if !slices.Contains(gp.ContactKinds, gp.ContactKind(kind)) {
			return fail(ErrKindRequired)
		}
		av, _, err := s.availabilityOf(r.Context(), x.Practice(), p.ID())
		if err != nil {
			return err
		}
		if open, why := kindOpen(av, kind); !open {
			switch why {
			case "full":
				return fail(ErrContactFull)
			case "patient_limit":
				return fail(ErrContactLimit)
			}
			return fail(ErrContactClosed)
		}
		d = contactDraft{Kind: kind}
		next = "details"
		if kind == string(gp.ContactMedical) {
			next = "screen"
		}
	case "screen":
		if d.Kind != string(gp.ContactMedical) {
			break
		}
		d.Screening = map[string]string{}
		for _, q := range consult.Screening.For(x.Child(consult.ChildAge)) {
			if v := f.Get("q-" + q.ID); v != "" {
				d.Screening[q.ID] = v
			}
		}
		stop, advice, _, err := consult.Screening.Screen(x.Child(consult.ChildAge), d.Screening)
		if err != nil {
			return fail(ErrUnanswered)
		}
		if stop {
			e := ErrUrgent111
			if advice == "999" {
				e = ErrUrgent999
			}
			s.auditContact(r, p, "contact_red_flag", "stopped", e.MessageID, "")
			s.Redis.Del(r.Context(), draftKey(r, p, "contact"))
			form := &api.ContactForm{Step: "urgent", Patient: patientName(p), Advice: advice, Kind: d.Kind, TextMax: contactTextMax}
			form.Availability.Practice, form.Availability.Phone = x.Practice().Name, x.Practice().Phone
			return s.renderContactForm(w, r, form, http.StatusOK)
		}
		d.Screened, next = true, "details"
	case "details":
		if d.reached() == "start" || d.reached() == "screen" {
			break
		}
		d.Duration, d.Trend, d.Medicine, d.Topic, d.Text = f.Get("duration"), f.Get("trend"), f.Get("medicine"), f.Get("topic"), f.Get("text")
		if _, err := contactRequest(l, d.submit(), x.Child(consult.ChildAge)); err != nil {
			return fail(kind(err))
		}
		d.Text, d.Medicine = strings.TrimSpace(d.Text), strings.TrimSpace(d.Medicine)
		d.Key, next = newKey(), "check"
	case "check":
		if d.reached() != "check" {
			break
		}
		var sent api.ContactRequest
		err := waitInProgress(func() (err error) { sent, err = s.sendContact(r, p, d.submit(), f.Get("idempotency_key")); return err })
		if err != nil {
			k, err := s.sendFailed(r, p, "contact", &d, &d.Key, err)
			if err != nil {
				return err
			}
			return fail(k)
		}
		d.Sent = sent.ID
		return s.sent(w, r, p, "contact", d, "/contact?sent="+url.QueryEscape(sent.ID))
	}
	if next != "" {
		next = contactURL(next)
	}
	return s.advance(w, r, p, "contact", d, next, contactURL(d.reached()))
}

// homeContacts are the recent requests to the practice of whoever the
// session acts for, with their status and reply, when the person may see
// them.
func (s *Server) homeContacts(r *http.Request, pid string, actor access.Actor, st *api.PageState) {
	p, err := s.Access.Authorize(r.Context(), actor, pid, contactNeed)
	if err != nil {
		return
	}
	list, err := p.Contact().Requests(r.Context())
	if err != nil {
		s.logger(r).Warn("home contact requests", "err", err)
		return
	}
	since := time.Now().Add(-api.ContactRecent)
	for _, c := range list {
		if c.Submitted.After(since) || c.Responded.After(since) {
			st.ContactRequests = append(st.ContactRequests, contactView(c))
		}
	}
}
