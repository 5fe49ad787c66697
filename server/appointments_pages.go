package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/fault"
)

// appointmentsPage renders /appointments.
func (s *Server) appointmentsPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	d, err := s.Booking.Diary(r.Context(), p)
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

// newBooking is a booking for the patient, at the start.
func newBooking(p *access.Patient) *api.Booking {
	return &api.Booking{Patient: p.Summary().Name(), Types: booking.Types}
}

// bookPage renders the booking steps at /appointments/book: the query says
// how far the person has got (type, then day, then slot).
func (s *Server) bookPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	q := r.URL.Query()
	b, err := s.newBooking(r, p, q.Get("change"))
	if err != nil {
		return err
	}
	if b.Change == nil {
		b.Type = q.Get("type")
	}
	b.Day = q.Get("day")
	return s.renderBooking(w, r, p, b, q.Get("slot"), http.StatusOK)
}

// newBooking is a booking for the patient, at the start; with change (an
// appointment's ID), choosing a new time for that appointment, of its type.
func (s *Server) newBooking(r *http.Request, p *access.Patient, change string) (*api.Booking, error) {
	b := newBooking(p)
	if change == "" {
		return b, nil
	}
	a, err := s.Booking.Changing(r.Context(), p, change)
	if err != nil {
		return nil, err
	}
	b.Change, b.Type = a, a.Slot.Type
	return b, nil
}

// renderBooking fills in the step the booking b has reached and renders it:
// status, unless the step finds something to put right.
func (s *Server) renderBooking(w http.ResponseWriter, r *http.Request, p *access.Patient, b *api.Booking, slotID string, status int) error {
	problems, err := s.Booking.Step(r.Context(), p, b, slotID, queueTicket(r), r.URL.Query().Has("type"))
	var q booking.Queued
	if errors.As(err, &q) {
		return s.renderQueue(w, r, b, q)
	}
	if err != nil {
		return err
	}
	for i, pr := range problems {
		if i == 0 {
			status = pr.Err.Status()
		}
		b.Errors = append(b.Errors, s.fieldError(r, pr.Field, pr.Err))
	}
	st := s.pageState(r)
	st.Booking = b
	r.URL.Path = "/appointments/book"
	return s.Renderer.Render(w, r, status, st, ui.BookingPage)
}

// renderQueue shows the polite "you are in a queue" page, which tries again
// by itself, keeping the person's place.
func (s *Server) renderQueue(w http.ResponseWriter, r *http.Request, b *api.Booking, q booking.Queued) error {
	query := r.URL.Query()
	query.Set("queue", q.Ticket)
	secs := int((q.RetryAfter + time.Second - 1) / time.Second)
	b.Step = api.BookQueued
	b.Queue = &api.Queue{Position: q.Position, Ahead: q.Ahead, RetryAfter: secs, Ticket: q.Ticket,
		Retry: (&url.URL{Path: "/appointments/book", RawQuery: query.Encode()}).String()}
	st := s.pageState(r)
	st.Booking = b
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	w.Header().Set("Refresh", fmt.Sprintf("%d; url=%s", secs, b.Queue.Retry))
	r.URL.Path = "/appointments/book"
	return s.Renderer.Render(w, r, http.StatusTooManyRequests, st, ui.BookingPage)
}

// bookSubmit handles the check page's form: book, then show the
// confirmation; when the slot has just gone, back to choosing a time.
func (s *Server) bookSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	f := r.PostForm
	b, err := s.newBooking(r, p, f.Get("change"))
	if err != nil {
		return err
	}
	if b.Change == nil {
		b.Type = f.Get("type")
	}
	b.Day, b.Reason, b.IdempotencyKey = f.Get("day"), f.Get("reason"), f.Get("idempotency_key")
	slotID := f.Get("slot")
	if !booking.ValidType(b.Type) || slotID == "" {
		http.Redirect(w, r, "/appointments/book", http.StatusSeeOther)
		return nil
	}
	at := booking.Attempt{Key: b.IdempotencyKey, Ticket: queueTicket(r), Route: route(r), Hold: f.Get("hold_id")}
	var a api.Appointment
	done := "booked"
	if b.Change != nil {
		a, err = s.Booking.Reschedule(r.Context(), p, b.Change.ID, slotID, at)
		done = "changed"
	} else {
		a, err = s.Booking.Book(r.Context(), p, slotID, b.Reason, at)
	}
	var q booking.Queued
	switch {
	case err == nil:
		http.Redirect(w, r, "/appointments/"+url.PathEscape(a.ID)+"?"+done+"=1", http.StatusSeeOther)
		return nil
	case errors.As(err, &q):
		return s.renderQueue(w, r, b, q)
	case errors.Is(err, booking.ErrReasonNeeded), errors.Is(err, booking.ErrReasonTooLong):
		b.Errors = append(b.Errors, s.fieldError(r, "reason", err))
		return s.renderBooking(w, r, p, b, slotID, fault.Of(err).Status())
	case errors.Is(err, booking.ErrSlotTaken), errors.Is(err, booking.ErrTooLate), errors.Is(err, booking.ErrOtherType), errors.Is(err, fault.ErrNotFound):
		if errors.Is(err, fault.ErrNotFound) {
			err = booking.ErrSlotTaken
		}
		b.Errors = append(b.Errors, s.fieldError(r, "slot", err))
		b.IdempotencyKey = ""
		return s.renderBooking(w, r, p, b, "", fault.Of(err).Status())
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
	q, after := r.URL.Query(), ""
	for _, done := range []string{"booked", "changed"} {
		if q.Get(done) == "1" {
			after = done
		}
	}
	v, err := s.Booking.View(r.Context(), p, r.PathValue("id"), confirm, after)
	if err != nil {
		return err
	}
	if wl, err := p.Narrow(r.Context(), waitlistNeed); err == nil && !confirm {
		if v.Waitlist, err = s.Booking.WaitlistEntry(r.Context(), wl, v.Appointment.ID); err != nil {
			s.Logger.WarnContext(r.Context(), "waitlist entry", "err", err)
		}
		v.CanWait = v.Appointment.Cancellable
	}
	switch q.Get("waitlist") {
	case "joined":
		v.Notice = "waitlist_joined"
	case "gone":
		v.Notice = "offer_gone"
	}
	st := s.pageState(r)
	st.Appointment = v
	return s.Renderer.Render(w, r, http.StatusOK, st, ui.AppointmentPage)
}

// cancelSubmit cancels after the confirmation step.
func (s *Server) cancelSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	id := r.PathValue("id")
	if _, err := s.Booking.Cancel(r.Context(), p, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/appointments?cancelled="+url.QueryEscape(id), http.StatusSeeOther)
	return nil
}

// calendar answers /appointments/{id}/calendar.ics: the appointment as an
// iCalendar event, to add to a phone's calendar.
func (s *Server) calendar(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	a, err := s.Booking.Appointment(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	practice := p.Summary().Practice
	ics, err := booking.Calendar(a, practice, booking.Event{
		Title:       l.T("ics.summary", "Type", ui.SlotTypeName(l, string(a.Slot.Type)), "Practice", practice.Name),
		Description: l.T("ics.description", "Phone", practice.Phone),
		Sequence:    a.Sequence,
	}, time.Now())
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="appointment.ics"`)
	h.Set("Cache-Control", "no-store")
	_, err = io.WriteString(w, ics)
	return err
}
