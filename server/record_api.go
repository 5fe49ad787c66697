package server

import (
	"net/http"

	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fhir"
)

// apiRecord answers GET /api/v1/patients/{pid}/record.
func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	v, err := s.Records.Whole(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// apiRecordFHIR answers GET /api/v1/patients/{pid}/record.fhir: what the
// viewer may see of the record as a FHIR R4 Bundle.
func (s *Server) apiRecordFHIR(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	body, err := s.Records.FHIR(r.Context(), p)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", fhir.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="gp-record.fhir.json"`)
	_, err = w.Write(body)
	return err
}
