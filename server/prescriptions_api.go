package server

import (
	"net/http"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/prescribing"
)

// apiRepeats answers GET /api/v1/patients/{pid}/repeats.
func (s *Server) apiRepeats(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	m, err := s.Prescribing.Medicines(r.Context(), p)
	if err != nil {
		return err
	}
	if err := s.Prescribing.Viewed(r.Context(), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m.Views())
	return nil
}

// apiRequests answers GET /api/v1/patients/{pid}/prescription-requests.
func (s *Server) apiRequests(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	reqs, err := p.Prescriptions().Requests(r.Context())
	if err != nil {
		return err
	}
	out := []api.PrescriptionRequest{}
	for _, rq := range reqs {
		out = append(out, prescribing.RequestView(rq))
	}
	if err := s.Prescribing.Viewed(r.Context(), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiOrder answers POST /api/v1/patients/{pid}/prescription-requests.
func (s *Server) apiOrder(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var req api.OrderRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	res, err := s.Prescribing.Order(r.Context(), p, req, r.Header.Get("Idempotency-Key"), route(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// apiNomination answers GET /api/v1/patients/{pid}/pharmacy.
func (s *Server) apiNomination(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	ph, err := s.Prescribing.Nominated(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.Nomination{Pharmacy: ph})
	return nil
}

// apiNominate answers PUT /api/v1/patients/{pid}/pharmacy.
func (s *Server) apiNominate(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var req api.NominationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ph, err := s.Prescribing.Nominate(r.Context(), p, req.PharmacyODS)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.Nomination{Pharmacy: &ph})
	return nil
}

// apiPharmacies answers GET /api/v1/pharmacies?q= (a name or postcode).
func (s *Server) apiPharmacies(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireSession(r, "patient"); err != nil {
		return err
	}
	out, err := s.Prescribing.SearchPharmacies(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	if out == nil {
		out = []api.Pharmacy{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiNotifications answers GET /api/v1/patients/{pid}/notifications.
func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	list, err := s.Prescribing.Notifications(r.Context(), p)
	if err != nil {
		return err
	}
	if list == nil {
		list = []api.Notification{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// apiMarkRead answers POST /api/v1/patients/{pid}/notifications/{id}/read.
func (s *Server) apiMarkRead(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := s.Prescribing.MarkRead(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
