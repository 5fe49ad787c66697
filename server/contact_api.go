package server

import (
	"net/http"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server/access"
)

// labels put a request's answers into words in the page's language.
type labels struct{ l *i18n.Localizer }

func (lb labels) Question(key string) string { return lb.l.T(key) }
func (lb labels) Answer(question, value string) string {
	return ui.ContactAnswer(lb.l, question, value)
}

func (s *Server) labels(r *http.Request) labels {
	return labels{s.Catalogue.Localizer(localeFrom(r.Context()))}
}

// apiContactList answers GET /api/v1/patients/{pid}/contact-requests.
func (s *Server) apiContactList(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	out, err := s.Contact.List(r.Context(), p)
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
	out, err := s.Contact.Send(r.Context(), p, s.labels(r), req, r.Header.Get("Idempotency-Key"), route(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}
