// Package server is Companion's HTTP side: routing, middleware, the page
// renderer, static assets and the handlers for pages and the JSON API.
//
// It is server-only: app/... and i18n must never import it.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/admission"
	"github.com/nhs-companion/companion/server/coalesce"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
)

// Server holds Companion's dependencies, set at wiring time in cmd/companion.
type Server struct {
	Config config.Config
	Logger *slog.Logger
	Redis  redis.UniversalClient
	// GP is the part of the GP system that holds no patient data
	// (practices and pharmacies). Patient data is reached only through
	// Access.
	GP        gp.Practices
	Access    *access.Gate
	Catalogue *i18n.Catalogue
	Assets    *Assets
	Renderer  *Renderer
	Metrics   *Metrics
	Auth      Auth
	Flags     *flags.Store
	// Slots caches practices' free slots for a few seconds, one GP read
	// for any number of readers; Admission queues requests at busy
	// practices.
	Slots     *coalesce.Cache[[]gp.Slot]
	Admission *admission.Gate
	// Consult keeps practices' online-consultation hours, caps and
	// suspensions; Staff is the GP system as a practice's staff reach it
	// (their inbox).
	Consult *consult.Store
	Staff   StaffGP
}

// Handler returns the whole web surface with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)

	mux.Handle("GET /web/", s.Assets)
	for _, p := range []string{"/app.js", "/wasm_exec.js", "/app-worker.js", "/manifest.webmanifest"} {
		mux.Handle("GET "+p, s.Assets)
	}
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.Assets.URL("/web/icons/icon-192.png"), http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("User-agent: *\nDisallow: /\n"))
	})

	patient := func(h handlerFunc) http.Handler { return s.withIdentity("patient", s.handle(h)) }
	staff := func(h handlerFunc) http.Handler { return s.withIdentity("staff", s.handle(h)) }

	scoped := map[string]bool{}
	for _, rt := range s.patientRoutes() {
		scoped[rt.method+" "+rt.pattern] = true
	}
	for _, p := range ui.Paths() {
		if scoped["GET "+p] {
			continue // a patient's page: registered through authorise below
		}
		switch p {
		case "/":
			p = "/{$}" // exactly the root, not every path
		case "/settings", "/profiles":
			continue // registered with their data below
		}
		mux.Handle("GET "+p, patient(s.page))
	}
	mux.Handle("GET /settings", patient(s.settingsPage))
	mux.Handle("GET /profiles", patient(s.profilesPage))
	for _, rt := range s.patientRoutes() {
		mux.Handle(rt.method+" "+rt.pattern, patient(s.rateLimitAPI(s.authorise(rt))))
	}
	mux.Handle("POST /settings/sessions/{id}/end", patient(s.endSession))

	mux.Handle("GET /auth/login", patient(s.signIn("patient")))
	mux.Handle("GET /auth/callback", patient(s.callback("patient")))
	mux.Handle("POST /auth/logout", patient(s.signOut("patient", false)))
	mux.Handle("POST /auth/logout-everywhere", patient(s.signOut("patient", true)))
	mux.Handle("POST /auth/keepalive", patient(s.keepAlive))
	mux.Handle("POST /auth/backchannel-logout", s.handle(s.backChannelLogout))
	mux.Handle("GET /staff/login", staff(s.signIn("staff")))
	mux.Handle("GET /staff/callback", staff(s.callback("staff")))
	mux.Handle("POST /staff/logout", staff(s.signOut("staff", false)))
	mux.Handle("GET /admin", staff(s.adminPage))
	mux.Handle("POST /admin/flags/{name}", staff(s.adminFlagForm))
	mux.Handle("GET /admin/inbox", staff(s.inboxPage))
	mux.Handle("POST /admin/inbox/{id}/respond", staff(s.staffForm(s.inboxRespond)))
	mux.Handle("POST /admin/contact/suspend", staff(s.staffForm(s.inboxSuspend)))
	mux.Handle("POST /admin/contact/resume", staff(s.staffForm(s.inboxSuspend)))
	mux.Handle("POST /admin/contact/settings", staff(s.staffForm(s.inboxSettings)))
	mux.Handle("GET /api/v1/admin/inbox", staff(s.apiInbox))
	mux.Handle("PUT /api/v1/admin/practices/{ods}/contact", staff(s.apiContactSettings))
	mux.Handle("GET /api/v1/admin/flags", staff(s.apiFlags))
	mux.Handle("PUT /api/v1/admin/flags/{name}", staff(s.apiPutFlag))
	if s.Auth.SandboxOP != nil {
		mux.Handle("/sandbox-login/", s.Auth.SandboxOP)
	}

	patientAPI := func(h handlerFunc) http.Handler { return patient(s.rateLimitAPI(h)) }
	mux.Handle("GET /api/v1/me", patientAPI(s.me))
	mux.Handle("GET /api/v1/sessions", patientAPI(s.listSessions))
	mux.Handle("GET /api/v1/pharmacies", patientAPI(s.apiPharmacies))
	mux.Handle("DELETE /api/v1/sessions/{id}", patientAPI(s.endSession))
	mux.Handle("/api/", patientAPI(func(http.ResponseWriter, *http.Request) error { return ErrNotFound }))
	mux.Handle("/", patient(func(http.ResponseWriter, *http.Request) error { return ErrNotFound }))

	var h http.Handler = mux
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.locale(h)
	h = s.securityHeaders(h)
	h = s.observe(mux, h)
	h = requestID(h)
	return h
}

// pageState is the state every page is rendered with.
func (s *Server) pageState(r *http.Request) api.PageState {
	sess := identityFrom(r.Context(), "patient").session
	st := api.PageState{Locale: localeFrom(r.Context()), Path: r.URL.Path, Query: KeptQuery(r), User: s.userState(sess)}
	if sess != nil {
		st.ActingFor = s.actingFor(r, sess)
		st.Features = s.features(r, sess, st.ActingFor)
	}
	return st
}

// features evaluates every flag for the record the person is looking at:
// their own, or that of the person they act for.
func (s *Server) features(r *http.Request, sess *session.Session, acting *api.Profile) map[string]bool {
	out := map[string]bool{}
	if p := authorised(r.Context()); acting != nil && p != nil && p.ID() == acting.PatientID {
		for _, n := range flags.All {
			out[string(n)] = p.Flag(r.Context(), n)
		}
		return out
	}
	sub := flags.Subject{PatientID: s.Access.Self(actorOf(sess)), ODS: sess.GPODS, ICB: s.icbOf(r, sess.GPODS)}
	if acting != nil {
		if p, err := s.Access.Authorize(r.Context(), actorOf(sess), acting.PatientID, access.Need{}); err == nil {
			for _, n := range flags.All {
				out[string(n)] = p.Flag(r.Context(), n)
			}
			return out
		}
	}
	for n, on := range s.Flags.Evaluate(r.Context(), sub) {
		out[string(n)] = on
	}
	return out
}

// icbOf returns the integrated care board of a practice ("" if the GP
// system cannot say); the gate remembers practices for a few minutes.
func (s *Server) icbOf(r *http.Request, ods string) string {
	p, err := s.Access.Practice(r.Context(), ods)
	if err != nil {
		return ""
	}
	return p.ICB
}

// KeptQuery is the request's query without lang, for the language switcher.
// Callback pages keep nothing: their code and state are spent.
func KeptQuery(r *http.Request) string {
	if strings.HasSuffix(r.URL.Path, "/callback") {
		return ""
	}
	q := r.URL.Query()
	q.Del("lang")
	return q.Encode()
}

// rateLimitAPI limits /api requests per session and per client IP.
func (s *Server) rateLimitAPI(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// The two checks are independent Redis round trips: make them at once.
		ipErr := make(chan error, 1)
		go func() { ipErr <- s.limit(r, "api:ip:"+s.clientIP(r), s.Config.RateAPI) }()
		var sessErr error
		if id := identityFrom(r.Context(), "patient"); id.session != nil {
			sessErr = s.limit(r, "api:s:"+id.session.ID, s.Config.RateAPI)
		}
		if err := errors.Join(sessErr, <-ipErr); err != nil {
			return kind(err)
		}
		return next(w, r)
	}
}

// page renders the routed page for the request's path. A browser holding an
// ended session is sent to sign in again, to come back here.
func (s *Server) page(w http.ResponseWriter, r *http.Request) error {
	id := identityFrom(r.Context(), "patient")
	if id.unavailable {
		return ErrUnavailable
	}
	if id.stale && r.URL.Path != "/signed-out" {
		return s.signInRedirect(w, r, "patient", ErrSessionExpired)
	}
	path := r.URL.Path
	build := func(st *ui.Store) ui.Page {
		p, _ := ui.Lookup(path, st)
		return p
	}
	if _, ok := ui.Lookup(path, &ui.Store{Catalogue: s.Catalogue}); !ok {
		return ErrNotFound
	}
	st := s.pageState(r)
	if path == "/" {
		s.homeNotifications(r, &st)
	}
	return s.Renderer.Render(w, r, http.StatusOK, st, build)
}

// renderPage renders the routed page for the request's path from st.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, st api.PageState) error {
	path := r.URL.Path
	return s.Renderer.Render(w, r, http.StatusOK, st, func(st *ui.Store) ui.Page { p, _ := ui.Lookup(path, st); return p })
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz reports whether the dependencies Companion needs answer: Redis and
// the GP system.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"redis": "ok", "gp": "ok"}
	status := http.StatusOK
	if err := s.Redis.Ping(ctx).Err(); err != nil {
		checks["redis"], status = "unavailable", http.StatusServiceUnavailable
		s.logger(r).Warn("readiness: redis", "err", err)
	}
	if err := s.GP.Ping(ctx); err != nil {
		checks["gp"], status = "unavailable", http.StatusServiceUnavailable
		s.logger(r).Warn("readiness: gp", "err", err)
	}
	body := map[string]any{"status": "ok", "checks": checks}
	if status != http.StatusOK {
		body["status"] = "unavailable"
	}
	writeJSON(w, status, body)
}

// writeJSON writes v as a JSON response that is never cached.
// maxBody bounds JSON request bodies.
const maxBody = 16 << 10

// decodeJSON reads a JSON request body strictly.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ErrBadRequest
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
