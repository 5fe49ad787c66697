package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/nhs-companion/companion/i18n"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	localeKey
)

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// LocaleFrom is the language chosen for the request (by the locale middleware).
func LocaleFrom(ctx context.Context) string { return localeFrom(ctx) }

func localeFrom(ctx context.Context) string {
	l, _ := ctx.Value(localeKey).(string)
	if l == "" {
		return i18n.DefaultLocale
	}
	return l
}

var goodRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID gives every request an ID, kept from a front proxy's
// X-Request-ID when it is well formed, echoed in the response and logged.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !goodRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// statusRecorder remembers the status and size a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe logs each request (without its query string, which could carry
// identifiers) and records metrics, labelled by route pattern, never by raw
// path.
func (s *Server) observe(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		_, route := mux.Handler(r)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.logger(r).Error("panic", "panic", p)
				if rec.status == 0 {
					http.Error(rec, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
				}
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			if route == "" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			s.Metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
			s.Metrics.duration.WithLabelValues(route).Observe(elapsed.Seconds())
			s.logger(r).Info("request",
				"method", r.Method, "route", route, "path", r.URL.Path,
				"status", rec.status, "bytes", rec.bytes, "duration_ms", float64(elapsed.Microseconds())/1000)
		}()
		next.ServeHTTP(rec, r)
	})
}

// contentSecurityPolicy allows only Companion's own origin. WebAssembly needs
// 'wasm-unsafe-eval'; no inline script or style is ever allowed.
const contentSecurityPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		if s.overTLS(r) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) overTLS(r *http.Request) bool {
	return r.TLS != nil || (s.Config.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// locale picks the request's language: a choice made with the language
// switcher (?lang=), then the remembered choice (cookie), then
// Accept-Language. A switcher choice is remembered in the cookie; for a
// signed-in person withIdentity also saves it to their settings.
//
// The switcher is a link, so this GET sets a cookie: a display preference,
// idempotent, holding no data; nothing else any GET does changes state.
func (s *Server) locale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var choice string
		if c, err := r.Cookie(i18n.CookieName); err == nil {
			choice = c.Value
		}
		if q := r.URL.Query().Get("lang"); q != "" && s.Catalogue.Supported(q) {
			choice = q
			s.setLocaleCookie(w, q)
		}
		loc := s.Catalogue.Negotiate(choice, r.Header.Get("Accept-Language"))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localeKey, loc)))
	})
}

func (s *Server) setLocaleCookie(w http.ResponseWriter, loc string) {
	http.SetCookie(w, &http.Cookie{
		Name: i18n.CookieName, Value: loc, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.Config.SecureCookies(), SameSite: http.SameSiteLaxMode,
	})
}
