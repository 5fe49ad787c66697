package server

import (
	"net/http"

	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/web"
)

// pageStates serves GET and POST /api/v1/pages/{path...}: the page at path
// (with the request's query, or its form) through the very handler that
// serves the page, with its session, authorisation, rate limits, audit and
// errors, answering the state the page would have been drawn from (or
// where it redirects) as an api.PageAnswer. The WebAssembly app navigates and submits
// forms with it, and draws the answer with the same components.
//
// A POST's Idempotency-Key stands for the form's idempotency_key when the
// form carries none, so every retried submission is answered once; when
// both are sent they must agree.
func (s *Server) pageStates(pages http.Handler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		path := "/" + r.PathValue("path")
		if !ui.IsPage(path) {
			return fault.ErrNotFound
		}
		inner := web.AsState(r.Clone(r.Context()))
		inner.URL.Path, inner.URL.RawPath = path, ""
		inner.RequestURI = inner.URL.RequestURI()
		inner.Pattern = ""
		if r.Method == http.MethodPost {
			if err := inner.ParseForm(); err != nil {
				return fault.ErrBadRequest
			}
			if key := r.Header.Get("Idempotency-Key"); key != "" {
				switch f := inner.PostForm.Get("idempotency_key"); {
				case f == "":
					inner.PostForm.Set("idempotency_key", key)
					inner.Form.Set("idempotency_key", key)
				case f != key:
					return fault.ErrBadRequest
				}
			}
		}
		pages.ServeHTTP(web.StateWriter(w), inner)
		return nil
	}
}
