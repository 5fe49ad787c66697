package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/admission"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/gp"
)

// Booking errors.
var (
	ErrSlotTaken        = &Error{Status: http.StatusConflict, Code: "slot_taken", MessageID: "book.error.slotTaken"}
	ErrBookingLimit     = &Error{Status: http.StatusConflict, Code: "booking_limit", MessageID: "book.error.limit"}
	ErrTooLate          = &Error{Status: http.StatusConflict, Code: "too_late", MessageID: "book.error.tooLate"}
	ErrAlreadyCancelled = &Error{Status: http.StatusConflict, Code: "already_cancelled", MessageID: "cancel.error.already"}
	ErrReasonNeeded     = &Error{Status: http.StatusBadRequest, Code: "reason_required", MessageID: "book.error.reasonRequired"}
	ErrReasonTooLong    = &Error{Status: http.StatusBadRequest, Code: "reason_too_long", MessageID: "book.error.reasonTooLong"}
	// ErrNoAppointment: the patient (whom the person may act for) has no
	// appointment with that ID. Distinct from not_found, which refuses the
	// patient.
	ErrNoAppointment = &Error{Status: http.StatusNotFound, Code: "appointment_not_found", MessageID: "error.notFound"}
	ErrQueued        = &Error{Status: http.StatusTooManyRequests, Code: "queued", MessageID: "queue.error"}
)

// bookingWindow is how far ahead people can book online.
const bookingWindow = 28 * 24 * time.Hour

// slotTypes are the kinds of appointment people can book, in the order the
// booking page offers them.
var slotTypes = []string{string(gp.SlotGP), string(gp.SlotNurse), string(gp.SlotBloodTest)}

// queuedError is a request waiting for its place at a busy practice.
type queuedError struct {
	kind *Error
	q    *admission.Queued
}

func (e *queuedError) Error() string { return "queued: " + e.q.Error() }
func (e *queuedError) Unwrap() error { return e.kind }

// admit takes a place among the practice's requests in flight, or reports
// where in the queue the person is. The ticket (from ?queue=, a form field or
// the X-Queue-Ticket header) keeps their place when they try again.
func (s *Server) admit(r *http.Request, practice string) (func(), error) {
	ticket := r.Header.Get("X-Queue-Ticket")
	if t := r.FormValue("queue"); t != "" {
		ticket = t
	}
	pass, err := s.Admission.Enter(r.Context(), practice, ticket)
	var q *admission.Queued
	if errors.As(err, &q) {
		k := *ErrQueued
		k.RetryAfter = q.RetryAfter
		return nil, &queuedError{kind: &k, q: q}
	}
	if err != nil {
		return nil, err
	}
	if pass.Unguarded != nil {
		s.logger(r).Warn("admission unguarded", "err", pass.Unguarded)
	}
	return func() { _ = pass.Release(r.Context()) }, nil
}

// london is where every sandbox and English or Welsh practice keeps its diary.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// freeSlots is the practice's free slots of a type over the booking window,
// from the shared cache: one read of the GP system per practice and type
// every few seconds, however many people are looking. Slots inside the
// booking cut-off are left out.
func (s *Server) freeSlots(r *http.Request, d access.Diary, typ string) ([]gp.Slot, error) {
	now := time.Now().In(london)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, london)
	to := from.Add(bookingWindow + 24*time.Hour)
	key := typ + "|" + from.Format(time.DateOnly)
	all, err := s.Slots.Get(r.Context(), d.Practice(), key, func(ctx context.Context) ([]gp.Slot, error) {
		return d.Slots(ctx, gp.SlotQuery{From: from, To: to, Type: gp.SlotType(typ)})
	})
	if err != nil {
		return nil, err
	}
	earliest := time.Now().Add(d.Rules().BookCutoff)
	out := make([]gp.Slot, 0, len(all))
	for _, sl := range all {
		if !sl.Start.Before(earliest) {
			out = append(out, sl)
		}
	}
	return out, nil
}

func slotView(sl gp.Slot) api.Slot {
	return api.Slot{
		ID: sl.ID, Start: sl.Start.UnixMilli(), End: sl.End.UnixMilli(), Type: string(sl.Type), Mode: string(sl.Mode),
		Clinician: sl.Clinician.Name, ClinicianRole: sl.Clinician.Role, Location: sl.Location,
	}
}

func appointmentView(a gp.Appointment, rules gp.BookingRules, now time.Time) api.Appointment {
	v := api.Appointment{ID: a.ID, Slot: slotView(a.Slot), Reason: a.Reason, Status: string(a.Status), BookedAt: a.BookedAt.UnixMilli()}
	if !a.CancelledAt.IsZero() {
		v.CancelledAt = a.CancelledAt.UnixMilli()
	}
	v.Past = !a.Slot.Start.After(now)
	v.Cancellable = a.Status == gp.StatusBooked && a.Slot.Start.After(now.Add(rules.CancelCutoff))
	return v
}

// diary sorts the patient's appointments into upcoming, past and cancelled.
func (s *Server) diary(r *http.Request, p *access.Patient) (*api.Diary, error) {
	d := p.Diary()
	list, err := d.Appointments(r.Context())
	if err != nil {
		return nil, err
	}
	sum := p.Summary()
	out := &api.Diary{Upcoming: []api.Appointment{}, Past: []api.Appointment{}, Cancelled: []api.Appointment{},
		Limit: d.Rules().MaxFuture, Practice: sum.Practice.Name, Phone: sum.Practice.Phone}
	now := time.Now()
	for _, a := range list {
		v := appointmentView(a, d.Rules(), now)
		switch {
		case a.Status == gp.StatusCancelled:
			out.Cancelled = append(out.Cancelled, v)
		case v.Past:
			out.Past = append(out.Past, v)
		default:
			out.Upcoming = append(out.Upcoming, v)
		}
	}
	// The most recent past appointment first; upcoming soonest first.
	sort.SliceStable(out.Past, func(i, j int) bool { return out.Past[i].Slot.Start > out.Past[j].Slot.Start })
	sort.SliceStable(out.Cancelled, func(i, j int) bool { return out.Cancelled[i].Slot.Start > out.Cancelled[j].Slot.Start })
	s.auditPatient(r, p, "view_appointments", "success", "")
	return out, nil
}

// findAppointment returns one of the patient's appointments.
func findAppointment(r *http.Request, p *access.Patient, id string) (gp.Appointment, error) {
	list, err := p.Diary().Appointments(r.Context())
	if err != nil {
		return gp.Appointment{}, err
	}
	for _, a := range list {
		if a.ID == id {
			return a, nil
		}
	}
	return gp.Appointment{}, ErrNoAppointment
}

// checkReason applies the practice's rules to the reason given.
func checkReason(reason string, rules gp.BookingRules) (string, error) {
	reason = strings.TrimSpace(reason)
	max := rules.ReasonMax
	if max <= 0 {
		max = gp.DefaultBookingRules.ReasonMax
	}
	switch {
	case utf8.RuneCountInString(reason) > max:
		return "", ErrReasonTooLong
	case reason == "" && rules.ReasonRequired:
		return "", ErrReasonNeeded
	case strings.ContainsFunc(reason, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }):
		return "", ErrBadRequest
	}
	return reason, nil
}

// book books a slot for the patient under the practice's rules, once per
// idempotency key, invalidating the practice's cached free slots.
func (s *Server) book(r *http.Request, p *access.Patient, slotID, reason, key string) (api.Appointment, error) {
	d := p.Diary()
	if slotID == "" || len(slotID) > 200 {
		return api.Appointment{}, ErrBadRequest
	}
	reason, err := checkReason(reason, d.Rules())
	if err != nil {
		return api.Appointment{}, err
	}
	release, err := s.admit(r, d.Practice())
	if err != nil {
		return api.Appointment{}, err
	}
	defer release()
	_, body, err := s.once(r, p, key, api.BookRequest{SlotID: slotID, Reason: reason}, func() (int, any, error) {
		a, err := d.Book(r.Context(), slotID, reason, time.Now().Add(d.Rules().BookCutoff))
		outcome, code := "success", ""
		if err != nil {
			outcome, code = "refused", kind(err).Code
		}
		s.audit(r, audit.Event{Action: "book", Outcome: outcome, Reason: code, Actor: p.Actor().Subject,
			ActorPatient: p.ActorID(), Patient: p.ID(), Object: "slot:" + slotID, Session: sessionID(r)})
		if err != nil {
			return 0, nil, err
		}
		if err := s.Slots.Invalidate(r.Context(), d.Practice()); err != nil {
			s.logger(r).Warn("invalidate slots", "err", err)
		}
		return http.StatusCreated, appointmentView(a, d.Rules(), time.Now()), nil
	})
	if err != nil {
		return api.Appointment{}, err
	}
	var out api.Appointment
	return out, json.Unmarshal(body, &out)
}

// cancel cancels one of the patient's appointments, up to the cut-off.
func (s *Server) cancel(r *http.Request, p *access.Patient, id string) (api.Appointment, error) {
	d := p.Diary()
	a, err := d.Cancel(r.Context(), id, time.Now().Add(d.Rules().CancelCutoff))
	if errors.Is(err, gp.ErrNotFound) {
		err = ErrNoAppointment
	}
	outcome, code := "success", ""
	if err != nil {
		outcome, code = "refused", kind(err).Code
	}
	s.audit(r, audit.Event{Action: "cancel", Outcome: outcome, Reason: code, Actor: p.Actor().Subject,
		ActorPatient: p.ActorID(), Patient: p.ID(), Object: "appointment:" + id, Session: sessionID(r)})
	if err != nil {
		return api.Appointment{}, err
	}
	if err := s.Slots.Invalidate(r.Context(), d.Practice()); err != nil {
		s.logger(r).Warn("invalidate slots", "err", err)
	}
	return appointmentView(a, d.Rules(), time.Now()), nil
}

func sessionID(r *http.Request) string {
	if sess := identityFrom(r.Context(), "patient").session; sess != nil {
		return sess.ID
	}
	return ""
}

// --- API ---

// apiSlots answers GET /api/v1/patients/{pid}/slots?type=&from=&to= with
// free slots (dates are YYYY-MM-DD, inclusive; the booking window by default).
func (s *Server) apiSlots(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	q := r.URL.Query()
	typ := q.Get("type")
	if typ == "" {
		typ = string(gp.SlotGP)
	}
	if !validType(typ) {
		return ErrBadRequest
	}
	var from, to time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(f.name); v != "" {
			t, err := time.ParseInLocation(time.DateOnly, v, london)
			if err != nil {
				return ErrBadRequest
			}
			*f.dst = t
		}
	}
	release, err := s.admit(r, p.Diary().Practice())
	if err != nil {
		return err
	}
	defer release()
	slots, err := s.freeSlots(r, p.Diary(), typ)
	if err != nil {
		return err
	}
	out := []api.Slot{}
	for _, sl := range slots {
		if (!from.IsZero() && sl.Start.Before(from)) || (!to.IsZero() && !sl.Start.Before(to.AddDate(0, 0, 1))) {
			continue
		}
		out = append(out, slotView(sl))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiAppointments answers GET /api/v1/patients/{pid}/appointments.
func (s *Server) apiAppointments(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	d, err := s.diary(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// apiBook answers POST /api/v1/patients/{pid}/appointments.
func (s *Server) apiBook(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var req api.BookRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.book(r, p, req.SlotID, req.Reason, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// apiCancel answers DELETE /api/v1/patients/{pid}/appointments/{id}.
func (s *Server) apiCancel(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	a, err := s.cancel(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// --- pages ---

func validType(t string) bool {
	for _, x := range slotTypes {
		if t == x {
			return true
		}
	}
	return false
}

func patientName(p *access.Patient) string {
	sum := p.Summary()
	return sum.GivenName + " " + sum.FamilyName
}

// appointmentsPage renders /appointments.
func (s *Server) appointmentsPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	d, err := s.diary(r, p)
	if err != nil {
		return err
	}
	// After a cancellation, say so, if that appointment really is cancelled.
	if id := r.URL.Query().Get("cancelled"); id != "" {
		for _, a := range d.Cancelled {
			if a.ID == id {
				d.Notice = "cancelled"
			}
		}
	}
	st := s.pageState(r)
	st.Diary = d
	return s.renderPage(w, r, st)
}

// bookPage renders the booking steps at /appointments/book: the query says
// how far the person has got (type, then day, then slot).
func (s *Server) bookPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	q := r.URL.Query()
	b := &api.Booking{Patient: patientName(p), Types: slotTypes, Type: q.Get("type"), Day: q.Get("day")}
	return s.renderBooking(w, r, p, b, q.Get("slot"), http.StatusOK)
}

// renderBooking fills in the step the booking b has reached and renders it.
func (s *Server) renderBooking(w http.ResponseWriter, r *http.Request, p *access.Patient, b *api.Booking, slotID string, status int) error {
	d := p.Diary()
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	fieldError := func(field string, k *Error) {
		b.Errors = append(b.Errors, api.FieldError{Field: field, Code: k.Code, Message: l.T(k.MessageID)})
	}
	switch {
	case !validType(b.Type):
		b.Step, b.Type, b.Day = "type", "", ""
		if r.URL.Query().Has("type") {
			fieldError("type", &Error{Code: "type_required", MessageID: "book.error.type"})
			status = http.StatusBadRequest
		}
	case slotID != "":
		sl, free, err := d.Slot(r.Context(), slotID)
		if errors.Is(err, gp.ErrNotFound) || (err == nil && string(sl.Type) != b.Type) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !free || sl.Start.Before(time.Now().Add(d.Rules().BookCutoff)) {
			b.Day = sl.Start.In(london).Format(time.DateOnly)
			fieldError("slot", ErrSlotTaken)
			return s.renderBooking(w, r, p, b, "", http.StatusConflict)
		}
		v := slotView(sl)
		b.Step, b.Slot, b.Day = "check", &v, sl.Start.In(london).Format(time.DateOnly)
		b.ReasonRequired, b.ReasonMax = d.Rules().ReasonRequired, d.Rules().ReasonMax
		if b.ReasonMax <= 0 {
			b.ReasonMax = gp.DefaultBookingRules.ReasonMax
		}
		if b.IdempotencyKey == "" {
			b.IdempotencyKey = newKey()
		}
	default:
		release, err := s.admit(r, d.Practice())
		var qe *queuedError
		if errors.As(err, &qe) {
			return s.renderQueue(w, r, b, qe)
		}
		if err != nil {
			return err
		}
		slots, err := s.freeSlots(r, d, b.Type)
		release()
		if err != nil {
			return err
		}
		if _, err := time.Parse(time.DateOnly, b.Day); err != nil {
			if b.Day != "" {
				fieldError("day", &Error{Code: "day_required", MessageID: "book.error.day"})
				status = http.StatusBadRequest
			}
			b.Step, b.Day = "day", ""
			b.Days = days(slots)
			break
		}
		b.Step = "time"
		for _, sl := range slots {
			if sl.Start.In(london).Format(time.DateOnly) == b.Day {
				b.Slots = append(b.Slots, slotView(sl))
			}
		}
	}
	st := s.pageState(r)
	st.Booking = b
	r.URL.Path = "/appointments/book"
	return s.Renderer.Render(w, r, status, st, ui.BookingPage)
}

// renderQueue shows the polite "you are in a queue" page, which tries again
// by itself, keeping the person's place.
func (s *Server) renderQueue(w http.ResponseWriter, r *http.Request, b *api.Booking, qe *queuedError) error {
	q := r.URL.Query()
	q.Set("queue", qe.q.Ticket)
	secs := int((qe.q.RetryAfter + time.Second - 1) / time.Second)
	b.Step = "queued"
	b.Queue = &api.Queue{Position: qe.q.Position, Ahead: qe.q.Ahead, RetryAfter: secs, Ticket: qe.q.Ticket,
		Retry: (&url.URL{Path: "/appointments/book", RawQuery: q.Encode()}).String()}
	st := s.pageState(r)
	st.Booking = b
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	w.Header().Set("Refresh", fmt.Sprintf("%d; url=%s", secs, b.Queue.Retry))
	r.URL.Path = "/appointments/book"
	return s.Renderer.Render(w, r, http.StatusTooManyRequests, st, ui.BookingPage)
}

// days counts free slots per day, in date order.
func days(slots []gp.Slot) []api.Day {
	var out []api.Day
	for _, sl := range slots {
		d := sl.Start.In(london).Format(time.DateOnly)
		if n := len(out); n > 0 && out[n-1].Date == d {
			out[n-1].Free++
			continue
		}
		out = append(out, api.Day{Date: d, Free: 1})
	}
	return out
}

func newKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// bookSubmit handles the check page's form: book, then show the
// confirmation; when the slot has just gone, back to choosing a time.
func (s *Server) bookSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := r.ParseForm(); err != nil {
		return ErrBadRequest
	}
	f := r.PostForm
	b := &api.Booking{Patient: patientName(p), Types: slotTypes, Type: f.Get("type"), Day: f.Get("day"),
		Reason: f.Get("reason"), IdempotencyKey: f.Get("idempotency_key")}
	slotID := f.Get("slot")
	if !validType(b.Type) || slotID == "" {
		http.Redirect(w, r, "/appointments/book", http.StatusSeeOther)
		return nil
	}
	a, err := s.book(r, p, slotID, b.Reason, b.IdempotencyKey)
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	var qe *queuedError
	if err == nil {
		http.Redirect(w, r, "/appointments/"+url.PathEscape(a.ID)+"?booked=1", http.StatusSeeOther)
		return nil
	}
	if errors.As(err, &qe) {
		return s.renderQueue(w, r, b, qe)
	}
	// Errors may be replays of an earlier answer: compare stable codes.
	k := kind(err)
	switch k.Code {
	case ErrReasonNeeded.Code, ErrReasonTooLong.Code:
		b.Errors = append(b.Errors, api.FieldError{Field: "reason", Code: k.Code, Message: l.T(k.MessageID)})
		return s.renderBooking(w, r, p, b, slotID, k.Status)
	case ErrSlotTaken.Code, ErrTooLate.Code, ErrNotFound.Code:
		if k.Code == ErrNotFound.Code {
			k = ErrSlotTaken
		}
		b.Errors = append(b.Errors, api.FieldError{Field: "slot", Code: k.Code, Message: l.T(k.MessageID)})
		b.IdempotencyKey = ""
		return s.renderBooking(w, r, p, b, "", k.Status)
	}
	return err
}

// appointmentPage renders /appointments/{id}: the appointment, and after
// booking, the confirmation.
func (s *Server) appointmentPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	return s.renderAppointment(w, r, p, false)
}

// cancelPage renders /appointments/{id}/cancel, which asks before cancelling.
func (s *Server) cancelPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	return s.renderAppointment(w, r, p, true)
}

func (s *Server) renderAppointment(w http.ResponseWriter, r *http.Request, p *access.Patient, confirm bool) error {
	a, err := findAppointment(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := p.Diary()
	sum := p.Summary()
	v := &api.AppointmentView{
		Appointment: appointmentView(a, d.Rules(), time.Now()), Patient: patientName(p),
		Practice: sum.Practice.Name, Address: strings.Join(append(append([]string{}, sum.Practice.Address...), sum.Practice.Postcode), ", "),
		Phone: sum.Practice.Phone, Confirm: confirm,
	}
	v.Booked = !confirm && r.URL.Query().Get("booked") == "1" && a.Status == gp.StatusBooked
	if confirm && !v.Appointment.Cancellable {
		v.Confirm = false
	}
	st := s.pageState(r)
	st.Appointment = v
	return s.Renderer.Render(w, r, http.StatusOK, st, ui.AppointmentPage)
}

// cancelSubmit cancels after the confirmation step.
func (s *Server) cancelSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	id := r.PathValue("id")
	_, err := s.cancel(r, p, id)
	if errors.Is(err, ErrTooLate) || errors.Is(err, gp.ErrTooLate) || errors.Is(err, gp.ErrAlreadyCancelled) {
		return err
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/appointments?cancelled="+url.QueryEscape(id), http.StatusSeeOther)
	return nil
}

// calendar answers /appointments/{id}/calendar.ics: the appointment as an
// iCalendar event, to add to a phone's calendar. It holds no name, no reason
// and no NHS number: calendars are often shared and synced.
func (s *Server) calendar(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	a, err := findAppointment(r, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if a.Status != gp.StatusBooked {
		return ErrNoAppointment
	}
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	sum := p.Summary()
	title := l.T("ics.summary", "Type", ui.SlotTypeName(l, string(a.Slot.Type)), "Practice", sum.Practice.Name)
	var b strings.Builder
	line := func(k, v string) { b.WriteString(k + ":" + icsEscape(v) + "\r\n") }
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//NHS Companion//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n")
	line("UID", a.ID+"@companion")
	b.WriteString("DTSTAMP:" + time.Now().UTC().Format("20060102T150405Z") + "\r\n")
	b.WriteString("DTSTART:" + a.Slot.Start.UTC().Format("20060102T150405Z") + "\r\n")
	b.WriteString("DTEND:" + a.Slot.End.UTC().Format("20060102T150405Z") + "\r\n")
	line("SUMMARY", title)
	line("LOCATION", strings.Join(append(append([]string{}, sum.Practice.Address...), sum.Practice.Postcode), ", "))
	line("DESCRIPTION", l.T("ics.description", "Phone", sum.Practice.Phone))
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="appointment.ics"`)
	h.Set("Cache-Control", "no-store")
	_, err = io.WriteString(w, b.String())
	return err
}

// icsEscape escapes text for an iCalendar property value (RFC 5545 3.3.11).
func icsEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`).Replace(s)
}
