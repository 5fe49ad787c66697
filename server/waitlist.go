package server

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/fault"
)

var waitlistNeed = booking.WaitlistNeed

// apiJoinWaitlist answers POST /api/v1/patients/{pid}/appointments/{id}/waitlist
// {"before","same_clinician"}: 201 with the appointment's place on the list.
func (s *Server) apiJoinWaitlist(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var req api.WaitlistRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	e, err := s.Booking.JoinWaitlist(r.Context(), p, r.PathValue("id"), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

// apiWaitlistEntry answers GET …/appointments/{id}/waitlist: its place on
// the list and the earlier time offered, or 404 waitlist_not_found.
func (s *Server) apiWaitlistEntry(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	id := r.PathValue("id")
	if _, err := s.Booking.Appointment(r.Context(), p, id); err != nil {
		return err
	}
	e, err := s.Booking.WaitlistEntry(r.Context(), p, id)
	if err != nil {
		return err
	}
	if e == nil {
		return booking.ErrNotWaiting
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

// apiLeaveWaitlist answers DELETE …/appointments/{id}/waitlist: 204.
func (s *Server) apiLeaveWaitlist(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := s.Booking.LeaveWaitlist(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiAcceptOffer answers POST …/appointments/{id}/waitlist/accept: the
// appointment moved to the earlier time offered.
func (s *Server) apiAcceptOffer(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	a, err := s.Booking.AcceptOffer(r.Context(), p, r.PathValue("id"), booking.Attempt{Key: r.Header.Get("Idempotency-Key"), Route: route(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// apiDeclineOffer answers POST …/appointments/{id}/waitlist/decline: 204.
func (s *Server) apiDeclineOffer(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := s.Booking.DeclineOffer(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiWaitlistOffers answers GET /api/v1/patients/{pid}/waitlist-offers:
// the earlier times held for the person now.
func (s *Server) apiWaitlistOffers(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	out, err := s.Booking.WaitlistOffers(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// waitlistPage renders /appointments/{id}/waitlist: the question before
// joining the list for an earlier time.
func (s *Server) waitlistPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	return s.renderWaitlist(w, r, p, api.WaitlistRequest{}, nil, http.StatusOK)
}

func (s *Server) renderWaitlist(w http.ResponseWriter, r *http.Request, p *access.Patient, answers api.WaitlistRequest, problem error, status int) error {
	v, err := s.Booking.View(r.Context(), p, r.PathValue("id"), false, "")
	if err != nil {
		return err
	}
	if !v.Appointment.Cancellable {
		return booking.ErrTooLate
	}
	v.Asking, v.Answers = true, answers
	if problem != nil {
		v.Errors = append(v.Errors, s.fieldError(r, "before", problem))
	}
	st := s.pageState(r)
	st.Appointment = v
	return s.Renderer.Render(w, r, status, st, ui.AppointmentPage)
}

// waitlistSubmit joins the list from the question's form.
func (s *Server) waitlistSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	id := r.PathValue("id")
	req := api.WaitlistRequest{Before: r.PostForm.Get("before"), SameClinician: r.PostForm.Get("clinician") == "same"}
	_, err := s.Booking.JoinWaitlist(r.Context(), p, id, req)
	if errors.Is(err, booking.ErrWaitlistDate) {
		return s.renderWaitlist(w, r, p, req, err, fault.Of(err).Status())
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/appointments/"+url.PathEscape(id)+"?waitlist=joined", http.StatusSeeOther)
	return nil
}

// waitlistAction answers the appointment page's forms about the list:
// leave it, accept the earlier time offered, or decline it.
func (s *Server) waitlistAction(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	ctx, id := r.Context(), r.PathValue("id")
	back := "/appointments/" + url.PathEscape(id)
	var err error
	switch r.PathValue("action") {
	case "leave":
		err = s.Booking.LeaveWaitlist(ctx, p, id)
	case "decline":
		err = s.Booking.DeclineOffer(ctx, p, id)
	case "accept":
		if err = r.ParseForm(); err != nil {
			return fault.ErrBadRequest
		}
		_, err = s.Booking.AcceptOffer(ctx, p, id, booking.Attempt{Route: route(r)})
		if errors.Is(err, booking.ErrNoOffer) {
			// Pressed twice: the first press moved it there.
			if a, aerr := s.Booking.Appointment(ctx, p, id); aerr == nil && a.Slot.ID == r.PostForm.Get("slot") && string(a.Status) == "booked" {
				err = nil
			}
		}
		if err == nil {
			back += "?changed=1"
		}
	default:
		return fault.ErrNotFound
	}
	switch {
	case errors.Is(err, booking.ErrSlotTaken), errors.Is(err, booking.ErrTooLate), errors.Is(err, booking.ErrNoOffer):
		back += "?waitlist=gone"
	case err != nil:
		return err
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
