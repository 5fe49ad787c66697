package server

import (
	"net/http"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/booking"
)

// queueTicket is the admission ticket a request carries (from ?queue=, a
// form field or the X-Queue-Ticket header), which keeps a person's place
// when they try again.
func queueTicket(r *http.Request) string {
	if t := r.FormValue("queue"); t != "" {
		return t
	}
	return r.Header.Get("X-Queue-Ticket")
}

// apiSlots answers GET /api/v1/patients/{pid}/slots?type=&from=&to= with
// free slots (dates are YYYY-MM-DD, inclusive; the booking window by default).
func (s *Server) apiSlots(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	q := r.URL.Query()
	out, err := s.Booking.Find(r.Context(), p, booking.SlotQuery{Type: q.Get("type"), From: q.Get("from"), To: q.Get("to"), Ticket: queueTicket(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiAppointments answers GET /api/v1/patients/{pid}/appointments.
func (s *Server) apiAppointments(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	d, err := s.Booking.Diary(r.Context(), p)
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
	a, err := s.Booking.Book(r.Context(), p, req.SlotID, req.Reason,
		booking.Attempt{Key: r.Header.Get("Idempotency-Key"), Ticket: queueTicket(r), Route: route(r), Hold: req.HoldID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// apiCancel answers DELETE /api/v1/patients/{pid}/appointments/{id}.
func (s *Server) apiCancel(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	a, err := s.Booking.Cancel(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// apiReschedule answers POST /api/v1/patients/{pid}/appointments/{id}/reschedule
// {"slot_id"}: the appointment on its new slot, or, with the appointment
// untouched, 409 slot_taken when the slot has gone.
func (s *Server) apiReschedule(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var req api.RescheduleRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.Booking.Reschedule(r.Context(), p, r.PathValue("id"), req.SlotID,
		booking.Attempt{Key: r.Header.Get("Idempotency-Key"), Ticket: queueTicket(r), Route: route(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// apiHold answers POST /api/v1/patients/{pid}/slot-holds {"slot_id"}: 201
// with the hold, 409 slot_taken when the slot is not free.
func (s *Server) apiHold(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var req api.SlotHoldRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	h, err := s.Booking.Hold(r.Context(), p, req.SlotID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, h)
	return nil
}

// apiReleaseHold answers DELETE /api/v1/patients/{pid}/slot-holds/{id}:
// 204, or 404 hold_not_found.
func (s *Server) apiReleaseHold(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := s.Booking.ReleaseHold(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
