// Package server is Companion's HTTP side, and thin: the router, middleware,
// the page renderer, static assets, sign-in and sessions, the one error
// adapter, and per feature a pages file and an API file that decode a
// request, call the feature's package (booking, prescribing, consult,
// record, profiles, staff) and render what it returns. Rules live in those
// packages, Redis key layouts with the stores that own them.
//
// It is server-only: app/... and i18n must never import it.
package server

import (
	"context"
	"encoding/json"
	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/bounded"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/identity"
	"github.com/nhs-companion/companion/server/messaging"
	"github.com/nhs-companion/companion/server/monitoring"
	"github.com/nhs-companion/companion/server/notify"
	"github.com/nhs-companion/companion/server/prefs"
	"github.com/nhs-companion/companion/server/prescribing"
	"github.com/nhs-companion/companion/server/profiles"
	"github.com/nhs-companion/companion/server/ratelimit"
	"github.com/nhs-companion/companion/server/record"
	"github.com/nhs-companion/companion/server/reqstate"
	"github.com/nhs-companion/companion/server/safety"
	"github.com/nhs-companion/companion/server/staff"
	"github.com/nhs-companion/companion/server/web"
)

// Server holds Companion's dependencies, set at wiring time in internal/wire.
type Server struct {
	Config config.Config
	Logger *slog.Logger
	// Redis is pinged for readiness; nothing here keeps keys in it.
	Redis redis.UniversalClient
	// Database keeps the durable records (nil: they are in Redis, in the
	// sandbox); readiness asks it.
	Database interface{ Ping(context.Context) error }
	// GP is the part of the GP system that holds no patient data
	// (practices and pharmacies). Patient data is reached only through
	// Access.
	GP        gp.Practices
	Access    *access.Gate
	Catalogue *i18n.Catalogue
	Assets    *web.Assets
	Renderer  *web.Renderer
	Metrics   *web.Metrics
	Auth      Auth
	// Identity matches people signing in to their GP record.
	Identity *identity.SignIn
	// Safety lists and counts clinical safety events.
	Safety *safety.Log
	Flags  *flags.Store
	Audit  *audit.Trail
	Limits *ratelimit.Limiter
	Prefs  prefs.Preferences
	Drafts *reqstate.Drafts

	// The features.
	Booking     *booking.Service
	Prescribing *prescribing.Service
	Contact     *consult.Service
	Records     *record.Service
	Profiles    *profiles.Service
	Staff       *staff.Service
	Messaging   *messaging.Service
	Monitoring  *monitoring.Service
	// Notify turns events into in-app entries and pushes.
	Notify *notify.Service

	// actors remembers whose each recent session is (session ID to NHS
	// number), so the access stamp is read with the session: a hint,
	// used only when the session read names the same person.
	actors bounded.Map[string, string]
}

// Handler returns the whole web surface with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
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
	staffOnly := func(h handlerFunc) http.Handler { return s.withIdentity("staff", s.handle(h)) }
	patientAPI := func(h handlerFunc) http.Handler { return s.withLimitedIdentity(s.handle(s.rateLimitAPI(h))) }

	// Every page of the app's route table: a patient's page through the
	// one authorisation, a page with data of its own through its handler,
	// any other through the plain page handler.
	for _, rt := range s.patientRoutes() {
		mux.Handle(rt.method+" "+rt.pattern, patientAPI(s.authorise(rt)))
	}
	for _, pg := range s.pages() {
		mux.Handle("GET "+pg.pattern, patient(pg.handle))
	}
	mux.Handle("POST /settings/sessions/{id}/end", patient(s.endSession))
	mux.Handle("POST /settings/notifications", patient(s.notifySettingsSubmit))

	mux.Handle("GET /auth/login", patient(s.signIn("patient")))
	mux.Handle("GET /auth/callback", patient(s.callback("patient")))
	mux.Handle("POST /auth/logout", patient(s.signOut("patient", false)))
	mux.Handle("POST /auth/logout-everywhere", patient(s.signOut("patient", true)))
	mux.Handle("POST /auth/keepalive", patient(s.keepAlive))
	mux.Handle("POST /auth/backchannel-logout", s.handle(s.backChannelLogout))
	mux.Handle("GET /staff/login", staffOnly(s.signIn("staff")))
	mux.Handle("GET /staff/callback", staffOnly(s.callback("staff")))
	mux.Handle("POST /staff/logout", staffOnly(s.signOut("staff", false)))
	mux.Handle("GET /admin", staffOnly(s.adminPage))
	mux.Handle("POST /admin/flags/{name}", staffOnly(s.adminFlagForm))
	mux.Handle("GET /admin/inbox", staffOnly(s.inboxPage))
	mux.Handle("POST /admin/inbox/{id}/respond", staffOnly(s.staffForm(s.inboxRespond)))
	mux.Handle("POST /admin/contact/suspend", staffOnly(s.staffForm(s.inboxSuspend)))
	mux.Handle("POST /admin/contact/resume", staffOnly(s.staffForm(s.inboxResume)))
	mux.Handle("POST /admin/contact/settings", staffOnly(s.staffForm(s.inboxSettings)))
	mux.Handle("GET /api/v1/admin/inbox", staffOnly(s.apiInbox))
	mux.Handle("PUT /api/v1/admin/practices/{ods}/contact", staffOnly(s.apiContactSettings))
	mux.Handle("GET /admin/messages", staffOnly(s.outboxPage))
	mux.Handle("POST /admin/messages", staffOnly(s.outboxSend))
	mux.Handle("GET /api/v1/admin/practices/{ods}/messages", staffOnly(s.apiOutbox))
	mux.Handle("POST /api/v1/admin/practices/{ods}/messages", staffOnly(s.apiSendMessage))
	mux.Handle("GET /admin/monitoring", staffOnly(s.boardPage))
	// A practice's staff name a patient on its plans by the patient's opaque
	// ID ({patient}, not a patient route's {pid}): the staff member's role
	// at the practice and the patient's plan there authorise it, never
	// the patients' gate.
	mux.Handle("GET /admin/monitoring/patients/{patient}", staffOnly(s.monitoredPage))
	mux.Handle("POST /admin/monitoring/plan", staffOnly(s.staffForm(s.planSubmit)))
	mux.Handle("POST /admin/monitoring/patients/{patient}/review", staffOnly(s.staffForm(s.reviewSubmit)))
	mux.Handle("GET /api/v1/admin/practices/{ods}/monitoring", staffOnly(s.apiBoard))
	mux.Handle("GET /api/v1/admin/flags", staffOnly(s.apiFlags))
	mux.Handle("PUT /api/v1/admin/flags/{name}", staffOnly(s.apiPutFlag))
	if s.Auth.SandboxOP != nil {
		mux.Handle("/sandbox-login/", s.Auth.SandboxOP)
	}

	pageStates := s.handle(s.pageStates(mux))
	mux.Handle("GET "+api.PagesPrefix+"/{path...}", pageStates)
	mux.Handle("POST "+api.PagesPrefix+"/{path...}", pageStates)
	mux.Handle("GET /api/v1/me", patientAPI(s.me))
	mux.Handle("GET /api/v1/push/key", patientAPI(s.apiPushKey))
	mux.Handle("POST /api/v1/push/subscriptions", patientAPI(s.apiSubscribe))
	mux.Handle("DELETE /api/v1/push/subscriptions", patientAPI(s.apiUnsubscribe))
	mux.Handle("GET /api/v1/notify/settings", patientAPI(s.apiNotifySettings))
	mux.Handle("PUT /api/v1/notify/settings", patientAPI(s.apiNotifySettings))
	mux.Handle("GET /api/v1/sessions", patientAPI(s.listSessions))
	mux.Handle("GET /api/v1/pharmacies", patientAPI(s.apiPharmacies))
	mux.Handle("DELETE /api/v1/sessions/{id}", patientAPI(s.endSession))
	mux.Handle("/api/", patientAPI(func(http.ResponseWriter, *http.Request) error { return fault.ErrNotFound }))
	mux.Handle("/", patient(func(http.ResponseWriter, *http.Request) error { return fault.ErrNotFound }))

	var h http.Handler = mux
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.nhsAppSignOn(h)
	h = s.locale(h)
	h = s.wasmChoice(h)
	h = web.SecurityHeaders(s.overTLS, h)
	h = web.Observe(mux, s.Metrics, s.Logger, h)
	h = web.RequestID(h)
	return h
}

// page is a page of the app's route table that is not about one patient.
type page struct {
	pattern string
	handle  handlerFunc
}

// pages are the app's pages that are not patient-scoped; those that need
// data of their own have their own handler. A page of the app that shows
// the server's data with no handler to supply it is not served at all, so
// the route-table test catches it.
func (s *Server) pages() []page {
	scoped := map[string]bool{}
	for _, rt := range s.patientRoutes() {
		scoped[rt.method+" "+rt.pattern] = true
	}
	own := map[string]handlerFunc{"/": s.homePage, "/settings": s.settingsPage, "/profiles": s.profilesPage,
		"/settings/notifications": s.notifySettingsPage}
	var out []page
	for _, p := range ui.Patterns() {
		if scoped["GET "+p] {
			continue
		}
		h, ok := own[p]
		if !ok && ui.FromServer(p) {
			continue
		}
		if !ok {
			h = func(w http.ResponseWriter, r *http.Request) error { return s.plainPage(w, r, nil) }
		}
		if p == "/" {
			p = "/{$}" // exactly the root, not every path
		}
		out = append(out, page{pattern: p, handle: h})
	}
	return out
}

// readyz reports whether the dependencies Companion needs answer: Redis and
// the GP system.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"redis": "ok", "gp": "ok"}
	status := http.StatusOK
	if s.Database != nil {
		checks["database"] = "ok"
		if err := s.Database.Ping(ctx); err != nil {
			checks["database"], status = "unavailable", http.StatusServiceUnavailable
			s.Logger.WarnContext(ctx, "readiness: database", "err", err)
		}
	}
	if err := s.Redis.Ping(ctx).Err(); err != nil {
		checks["redis"], status = "unavailable", http.StatusServiceUnavailable
		s.Logger.WarnContext(ctx, "readiness: redis", "err", err)
	}
	if err := s.GP.Ping(ctx); err != nil {
		checks["gp"], status = "unavailable", http.StatusServiceUnavailable
		s.Logger.WarnContext(ctx, "readiness: gp", "err", err)
	}
	body := map[string]any{"status": "ok", "checks": checks}
	if status != http.StatusOK {
		body["status"] = "unavailable"
	}
	writeJSON(w, status, body)
}

// maxBody bounds JSON request bodies.
const maxBody = 16 << 10

// decodeJSON reads a JSON request body strictly: sent as JSON, exactly
// one value, no unknown fields, no more than maxBody.
func decodeJSON(r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fault.ErrContentType
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fault.ErrBadRequest
	}
	if _, err := dec.Token(); err != io.EOF {
		return fault.ErrBadRequest // trailing bytes after the value
	}
	return nil
}

// writeJSON writes v as a JSON response that is never cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
