package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/nhs-companion/companion/app/api"
)

type stateKey struct{}

// AsState returns r marked as a request for its page's data: the page's
// handler runs as for the page, and the Renderer writes the state it would
// have drawn the page from as an api.PageAnswer, not HTML.
func AsState(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), stateKey{}, true))
}

// WantsState reports whether r asks for its page's data (AsState).
func WantsState(r *http.Request) bool { v, _ := r.Context().Value(stateKey{}).(bool); return v }

// writeAnswer writes a page's answer as JSON with the page's status; like
// the page, it is never stored.
func writeAnswer(w http.ResponseWriter, status int, a api.PageAnswer) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Add("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// StateWriter wraps the response of a page's handler asked for its data:
// a redirect (after a form, or to sign in) becomes a PageAnswer naming
// where, since a script cannot read where a redirect went.
func StateWriter(w http.ResponseWriter) http.ResponseWriter { return &stateWriter{ResponseWriter: w} }

type stateWriter struct {
	http.ResponseWriter
	swallow bool
}

func (w *stateWriter) WriteHeader(code int) {
	loc := w.Header().Get("Location")
	if code < 300 || code > 399 || loc == "" {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.Header().Del("Location")
	w.swallow = true // the redirect's own little HTML body
	_ = writeAnswer(w.ResponseWriter, http.StatusOK, api.PageAnswer{Redirect: loc})
}

func (w *stateWriter) Write(b []byte) (int, error) {
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *stateWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
