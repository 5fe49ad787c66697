package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/nhs-companion/companion/internal/roundtrip"
	"github.com/nhs-companion/companion/server/audit"
)

// The middleware every response passes through, whatever it serves.

var goodRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// RequestID gives every request an ID, kept from a front proxy's
// X-Request-ID when it is well formed, echoed in the response and logged.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !goodRequestID.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(audit.WithRequestID(r.Context(), id)))
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

// Observe logs each request (without its query string, which could carry
// identifiers) and records metrics, labelled by route pattern, never by raw
// path.
func Observe(mux *http.ServeMux, m *Metrics, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		_, route := mux.Handler(r)
		rec := &statusRecorder{ResponseWriter: w}
		ctx, cost := roundtrip.With(r.Context())
		r = r.WithContext(ctx)
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(r.Context(), "panic", "panic", p)
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
			m.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
			m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
			m.roundTrips.WithLabelValues(route).Observe(float64(cost.Redis()))
			m.gpCalls.WithLabelValues(route).Observe(float64(cost.GP()))
			if f := m.trace.Load(); f != nil {
				(*f)(r.Method+" "+r.URL.Path, cost)
			}
			log.InfoContext(r.Context(), "request",
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

// SecurityHeaders sets the headers every response carries.
func SecurityHeaders(overTLS func(*http.Request) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		if overTLS(r) {
			w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
}

// Metrics are Companion's Prometheus metrics, on their own registry (no
// globals), served on a separate listener.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// roundTrips and gpCalls are what each request cost its stores.
	roundTrips, gpCalls *prometheus.HistogramVec
	trace               atomic.Pointer[func(request string, cost *roundtrip.Counter)]
}

// NewMetrics creates the registry with Go runtime and HTTP metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "companion_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "companion_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	m.roundTrips = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "companion_redis_round_trips", Help: "Redis round trips per HTTP request, by route pattern.",
		Buckets: []float64{0, 1, 2, 3, 4, 6, 8, 12, 16, 24},
	}, []string{"route"})
	m.gpCalls = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "companion_gp_calls", Help: "Calls to the GP system (beyond Redis) per HTTP request, by route pattern.",
		Buckets: []float64{0, 1, 2, 3, 4, 6, 8, 12, 16, 24},
	}, []string{"route"})
	m.Registry.MustRegister(m.requests, m.duration, m.roundTrips, m.gpCalls,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// SetTrace has f told each request's cost once it has been answered (tests
// and benchmarks); nil stops it.
func (m *Metrics) SetTrace(f func(request string, cost *roundtrip.Counter)) {
	if f == nil {
		m.trace.Store(nil)
		return
	}
	m.trace.Store(&f)
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	// A CPU profile, for finding where a benchmark's time goes: stack
	// samples only, no memory contents, and only on this internal listener.
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	return mux
}
