package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/admission"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/safety"
)

// handlerFunc is a handler that reports failure by returning an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc: it reads the error through the one error
// table (fault.Of) and writes the response, JSON for /api/ and a page for
// everything else. Only unexpected errors are logged at Error level.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		k := fault.Of(err)
		status := k.Status()
		ctx := r.Context()
		var q *admission.Queued
		if errors.As(err, &q) {
			w.Header().Set("X-Queue-Ticket", q.Ticket)
		}
		if k.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((k.RetryAfter+time.Second-1)/time.Second)))
		}
		if errors.Is(err, gp.ErrUnavailable) {
			s.Safety.Raise(ctx, safety.Event{Kind: safety.GPOutage})
		}
		if status >= 500 {
			s.Logger.ErrorContext(ctx, "request failed", "err", err)
		} else {
			s.Logger.InfoContext(ctx, "request refused", "code", k.Code)
		}
		l := s.Catalogue.Localizer(localeFrom(ctx))
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeJSON(w, status, api.Error{Error: api.ErrorBody{Code: k.Code, Message: l.T(k.Message)}})
			return
		}
		build := ui.ServerError
		if status == http.StatusNotFound {
			build = ui.NotFound
		}
		st := s.pageState(r)
		st.Status = status
		st.Error = &api.ErrorBody{Code: k.Code, Message: l.T(k.Message)}
		render := s.Renderer.Render
		if status != http.StatusNotFound && !ui.IsPage(r.URL.Path) {
			// A sign-in's or a file's refusal: the app has no page at
			// that address to take the refusal over with.
			render = s.Renderer.RenderServerOnly
		}
		if rerr := render(w, r, status, st, build); rerr != nil {
			s.Logger.ErrorContext(ctx, "render error page", "err", rerr)
		}
	})
}

// fieldErrors puts refusals into words beside the fields they belong to,
// with args for the messages.
func (s *Server) fieldError(r *http.Request, field string, err error, args ...any) api.FieldError {
	k := fault.Of(err)
	return api.FieldError{Field: field, Code: k.Code, Message: s.Catalogue.Localizer(localeFrom(r.Context())).T(k.Message, args...)}
}
