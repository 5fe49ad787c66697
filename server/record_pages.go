package server

import (
	"net/http"
	"strconv"

	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
)

// recordPage renders /record and /record/{section}.
func (s *Server) recordPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	v, err := s.Records.Section(r.Context(), p, r.PathValue("section"))
	if err != nil {
		return err
	}
	st := s.pageState(r)
	st.Record = v
	return s.Renderer.Render(w, r, http.StatusOK, st, ui.RecordPage)
}

// documentPage renders /record/documents/{id}: a text document's words.
func (s *Server) documentPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	v, _, err := s.Records.Document(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	st := s.pageState(r)
	st.Record = v
	return s.Renderer.Render(w, r, http.StatusOK, st, ui.RecordPage)
}

// documentFile answers /record/documents/{id}/file: the document itself.
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	_, d, err := s.Records.Document(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(d.Body)))
	h.Set("Cache-Control", "no-store")
	ext := ".txt"
	if d.ContentType == "application/pdf" {
		ext = ".pdf"
	}
	h.Set("Content-Disposition", `attachment; filename="document`+ext+`"`)
	_, err = w.Write(d.Body)
	return err
}
