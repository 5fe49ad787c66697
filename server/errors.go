package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/gp"
)

// Error is an error with the HTTP status and stable code it answers with.
type Error struct {
	Status int
	Code   string
	// MessageID is the i18n key of the message shown to people.
	MessageID string
	Err       error
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Err }

// Error kinds. Handlers return these (wrapped or not); only the adapter
// writes error responses.
var (
	ErrNotFound    = &Error{Status: http.StatusNotFound, Code: "not_found", MessageID: "error.notFound"}
	ErrRateLimited = &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", MessageID: "error.rateLimited"}
	ErrInternal    = &Error{Status: http.StatusInternalServerError, Code: "internal", MessageID: "error.internal"}
	ErrBadRequest  = &Error{Status: http.StatusBadRequest, Code: "bad_request", MessageID: "error.badRequest"}
)

// handlerFunc is a handler that reports failure by returning an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// kind maps any error to the Error it answers with, in one place.
func kind(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, access.ErrNotFound), errors.Is(err, gp.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, access.ErrForbidden):
		return ErrForbidden
	case errors.Is(err, access.ErrProofingLevel):
		return ErrProofingLevel
	case errors.Is(err, access.ErrFeatureDisabled):
		return ErrFeatureDisabled
	case errors.Is(err, gp.ErrSlotTaken):
		return ErrSlotTaken
	case errors.Is(err, gp.ErrBookingLimit):
		return ErrBookingLimit
	case errors.Is(err, gp.ErrTooLate):
		return ErrTooLate
	case errors.Is(err, gp.ErrAlreadyCancelled):
		return ErrAlreadyCancelled
	case errors.Is(err, gp.ErrAlreadyRequested):
		return ErrAlreadyRequested
	case errors.Is(err, gp.ErrReviewDue):
		return ErrReviewDue
	case errors.Is(err, gp.ErrTooEarly):
		return ErrEarlyReason
	case errors.Is(err, access.ErrUnavailable), errors.Is(err, gp.ErrUnavailable):
		return ErrUnavailable
	default:
		return ErrInternal
	}
}

// handle adapts a handlerFunc: it maps the error to a status and stable code
// and writes the response, JSON for /api/ and a page for everything else.
// Only unexpected errors are logged at Error level.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		k := kind(err)
		log := s.logger(r)
		var qe *queuedError
		if errors.As(err, &qe) {
			w.Header().Set("X-Queue-Ticket", qe.q.Ticket)
		}
		if k.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((k.RetryAfter+time.Second-1)/time.Second)))
		}
		if k.Status >= 500 {
			log.Error("request failed", "err", err)
		} else {
			log.Info("request refused", "code", k.Code)
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			l := s.Catalogue.Localizer(localeFrom(r.Context()))
			writeJSON(w, k.Status, api.Error{Error: api.ErrorBody{Code: k.Code, Message: l.T(k.MessageID)}})
			return
		}
		build := ui.ServerError
		if k.Status == http.StatusNotFound {
			build = ui.NotFound
		}
		st := s.pageState(r)
		st.Status = k.Status
		l := s.Catalogue.Localizer(st.Locale)
		st.Error = &api.ErrorBody{Code: k.Code, Message: l.T(k.MessageID)}
		if rerr := s.Renderer.Render(w, r, k.Status, st, build); rerr != nil {
			log.Error("render error page", "err", rerr)
		}
	})
}

func (s *Server) logger(r *http.Request) *slog.Logger {
	return s.Logger.With("request_id", requestIDFrom(r.Context()))
}
