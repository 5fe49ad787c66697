// Package config reads Companion's configuration from the environment, once,
// into a typed struct. Nothing else in Companion reads the environment.
//
// It must not be imported by app/... or i18n (they are linked into app.wasm).
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Env names the deployment environment.
type Env string

// The environments Companion knows.
const (
	EnvSandbox    Env = "sandbox"
	EnvProduction Env = "production"
)

// Config is everything Companion can be told. The README has a table of every
// variable; TestREADMEListsEveryVariable keeps them in step.
type Config struct {
	Env         Env    // COMPANION_ENV
	Addr        string // ADDR: interface to listen on
	Port        int    // PORT
	MetricsAddr string // METRICS_ADDR: separate listener for /metrics; empty turns it off
	RedisURL    string // REDIS_URL: empty means the in-process sandbox Redis
	// RedisClusterAddrs (REDIS_CLUSTER_ADDRS) makes the client a Redis
	// Cluster client seeded with these nodes.
	RedisClusterAddrs []string
	DatabaseURL       string        // DATABASE_URL: PostgreSQL for durable records; empty keeps them in Redis (sandbox)
	GPSystem          string        // GP_SYSTEM: which GP-system adapter to use
	WebDir            string        // WEB_DIR: built static files
	LogLevel          string        // LOG_LEVEL: debug, info, warn, error
	TrustProxy        bool          // TRUST_PROXY: believe X-Forwarded-Proto from a front proxy
	TLSCertFile       string        // TLS_CERT_FILE
	TLSKeyFile        string        // TLS_KEY_FILE
	ShutdownTimeout   time.Duration // SHUTDOWN_TIMEOUT

	PublicURL string // PUBLIC_URL: the URL people reach Companion at

	FHIR FHIR // FHIR_*: the FHIR R4 GP system, when GP_SYSTEM=fhir

	NHSLogin OIDC // NHSLOGIN_*: patient sign-in; empty issuer means the sandbox provider
	Staff    OIDC // STAFF_*: staff sign-in (NHS CIS2); empty issuer means the sandbox provider
	// StaffRBAC maps CIS2 roles to staff roles (STAFF_SITE_ADMIN_ROLES…).
	StaffRBAC StaffRBAC
	// Push configures Web Push (VAPID_*, PUSH_SERVICES, NOTIFY_TICK).
	Push Push
	// NHSApp configures pages inside the NHS App (NHSAPP_JS_URL).
	NHSApp NHSApp

	SessionIdle     time.Duration // SESSION_IDLE
	SessionAbsolute time.Duration // SESSION_ABSOLUTE
	RateSignIn      int           // RATE_LIMIT_SIGNIN: sign-in starts and callbacks per minute per client IP
	RateAPI         int           // RATE_LIMIT_API: /api requests per minute per session and per client IP
	AuditRetention  time.Duration // AUDIT_RETENTION
	PatientIDKey    string        // PATIENT_ID_KEY: secret for opaque patient IDs; empty in sandbox makes one

	BookingConcurrency int           // BOOKING_CONCURRENCY: slot and booking requests in flight per practice
	SlotCacheTTL       time.Duration // SLOT_CACHE_TTL: how long a practice's free slots are reused
	SlotHold           time.Duration // SLOT_HOLD: how long a chosen time is kept for its chooser
	WaitlistOffer      time.Duration // WAITLIST_OFFER: how long an earlier time offered from the waitlist is held

	// SandboxPrescriptionStep is how long each step of a prescription
	// request takes in the sandbox GP system (SANDBOX_PRESCRIPTION_STEP).
	SandboxPrescriptionStep time.Duration

	// ContactHours are the default opening windows for online requests
	// (CONTACT_HOURS); practices may set their own.
	ContactHours string
	// ContactBankHolidaysOpen keeps online requests open on bank holidays
	// by default (CONTACT_BANK_HOLIDAYS_OPEN).
	ContactBankHolidaysOpen bool
	// ContactMaxSuspension is the longest a practice may pause online
	// requests (CONTACT_MAX_SUSPENSION).
	ContactMaxSuspension time.Duration
}

// OIDC is one OpenID Connect relying-party registration.
type OIDC struct {
	Issuer   string
	ClientID string
	KeyPEM   string // the client's RSA private key, PEM (from *_KEY or *_KEY_FILE)
	KeyID    string
	VTR      []string // acceptable vectors of trust (NHS login only)
}

// Variables lists every environment variable Load reads, with its default and
// meaning, for the README and for tests.
var Variables = append([]Variable{
	{"COMPANION_ENV", "sandbox", "`sandbox` or `production`. Production refuses to start while any sandbox part is enabled."},
	{"ADDR", "127.0.0.1", "Interface the web server listens on (`0.0.0.0` in a container)."},
	{"PORT", "8080", "Port the web server listens on."},
	{"METRICS_ADDR", "127.0.0.1:9090", "Separate listener for Prometheus `/metrics`; empty turns it off. Never expose it publicly."},
	{"REDIS_URL", "(empty)", "Redis for sessions and state, e.g. `redis://host:6379/0`. Empty starts an in-process sandbox Redis (miniredis)."},
	{"DATABASE_URL", "(empty)", "PostgreSQL for the records that must outlive a restart: the audit trail, flag rules and their history, practices' online-request settings and pauses, language preferences, notifications read. E.g. `postgres://companion@db:5432/companion`; migrated at start-up. Empty keeps them in Redis, a sandbox part."},
	{"REDIS_CLUSTER_ADDRS", "(empty)", "Redis Cluster nodes, comma-separated `host:port` (a few are enough: the client finds the rest). Instead of `REDIS_URL`."},
	{"GP_SYSTEM", "sandbox", "GP-system adapter: `sandbox` (Redis-backed, seeded with the sandbox cast) or `fhir` (any FHIR R4 GP system; see FHIR_*)."},
	{"WEB_DIR", "web", "Directory of built static files (app.wasm, CSS, icons)."},
	{"LOG_LEVEL", "info", "`debug`, `info`, `warn` or `error`. Logs are JSON on standard output."},
	{"TRUST_PROXY", "false", "Trust `X-Forwarded-Proto` from the front proxy (to send HSTS when it terminates TLS)."},
	{"TLS_CERT_FILE", "(empty)", "Serve HTTPS directly with this certificate (with `TLS_KEY_FILE`)."},
	{"TLS_KEY_FILE", "(empty)", "Private key for `TLS_CERT_FILE`."},
	{"SHUTDOWN_TIMEOUT", "15s", "How long to let requests finish after SIGTERM."},
	{"PUBLIC_URL", "http://ADDR:PORT", "The URL people reach Companion at (sign-in redirects are built from it). Must be https in production."},
	{"NHSLOGIN_ISSUER", "(empty)", "NHS login issuer URL. Empty runs the in-process sandbox NHS login (sandbox mode only)."},
	{"NHSLOGIN_CLIENT_ID", "(empty)", "Companion's NHS login client ID."},
	{"NHSLOGIN_KEY_FILE", "(empty)", "PEM file of the RSA private key (2048 bits or more) for private_key_jwt."},
	{"NHSLOGIN_KEY", "(empty)", "The same key as PEM text, instead of a file."},
	{"NHSLOGIN_KEY_ID", "(empty)", "The key's `kid` as registered with NHS login."},
	{"NHSLOGIN_VTR", "P9.Cp.Cd, P9.Cp.Ck, P9.Cm, P5.Cp.Cd, P5.Cp.Ck, P5.Cm", "Vectors of trust to request and accept, as a JSON array such as `[\"P9.Cp.Cd\"]`. P5 users may sign in; clinical features need P9."},
	{"STAFF_ISSUER", "(empty)", "Staff sign-in (NHS CIS2) issuer URL. Empty uses the sandbox provider's staff users."},
	{"STAFF_CLIENT_ID", "(empty)", "Companion's staff client ID."},
	{"STAFF_KEY_FILE", "(empty)", "PEM file of the staff client's RSA private key."},
	{"STAFF_KEY", "(empty)", "The same key as PEM text."},
	{"STAFF_KEY_ID", "(empty)", "The staff key's `kid`."},
	{"SESSION_IDLE", "30m", "A session ends after this long without a request."},
	{"SESSION_ABSOLUTE", "12h", "A session ends this long after sign-in, however active."},
	{"RATE_LIMIT_SIGNIN", "20", "Sign-in starts and callbacks allowed per minute per client IP."},
	{"RATE_LIMIT_API", "300", "`/api` requests allowed per minute per session and per client IP."},
	{"AUDIT_RETENTION", "17520h", "How long audit events are kept: PostgreSQL drops whole months past it; the sandbox stream is trimmed by age only, never by count."},
	{"PATIENT_ID_KEY", "(empty)", "Secret (32+ characters) that makes opaque patient IDs. Empty in sandbox generates one, shared through Redis by every process."},
	{"BOOKING_CONCURRENCY", "64", "Slot searches and bookings in flight at once per practice, across all processes; more wait in a queue in arrival order."},
	{"SLOT_CACHE_TTL", "3s", "How long a practice's free slots are reused between readers (bookings and cancellations refresh them at once)."},
	{"CONTACT_HOURS", "Mon-Fri 08:00-18:30", "When practices take online requests, unless a practice sets its own (UK time; e.g. `Mon-Fri 08:00-18:30; Sat 09:00-12:00`). The default is core hours."},
	{"CONTACT_BANK_HOLIDAYS_OPEN", "false", "Whether practices take online requests on bank holidays by default (England and Wales bank holidays are closed otherwise)."},
	{"CONTACT_MAX_SUSPENSION", "4h", "The longest a practice may pause online requests at once."},
	{"SANDBOX_PRESCRIPTION_STEP", "2m", "Sandbox only: how long each step of a prescription request takes (requested → approved → sent to pharmacy → ready to collect), so the demo moves."},
}, append(append(append(fhirVariables, staffVariables...), pushVariables...), nhsAppVariables...)...)

// Variable documents one environment variable.
type Variable struct {
	Name, Default, Meaning string
}

// Load reads the configuration through lookup (os.LookupEnv in main) and
// checks it. Every problem is reported at once. An empty variable counts as
// unset, except METRICS_ADDR, where empty turns the listener off.
func Load(lookup func(string) (string, bool)) (Config, error) {
	var errs []error
	get := func(name, def string) string {
		v, ok := lookup(name)
		if !ok || (v == "" && name != "METRICS_ADDR") {
			return def
		}
		return v
	}
	c := Config{
		Env:         Env(get("COMPANION_ENV", string(EnvSandbox))),
		Addr:        get("ADDR", "127.0.0.1"),
		MetricsAddr: get("METRICS_ADDR", "127.0.0.1:9090"),
		RedisURL:    get("REDIS_URL", ""),
		DatabaseURL: get("DATABASE_URL", ""),
		GPSystem:    get("GP_SYSTEM", "sandbox"),
		WebDir:      get("WEB_DIR", "web"),
		LogLevel:    get("LOG_LEVEL", "info"),
		TLSCertFile: get("TLS_CERT_FILE", ""),
		TLSKeyFile:  get("TLS_KEY_FILE", ""),
	}
	port, err := strconv.Atoi(get("PORT", "8080"))
	if err != nil || port < 0 || port > 65535 {
		errs = append(errs, fmt.Errorf("PORT must be a port number, got %q", get("PORT", "")))
	}
	c.Port = port
	if c.TrustProxy, err = strconv.ParseBool(get("TRUST_PROXY", "false")); err != nil {
		errs = append(errs, fmt.Errorf("TRUST_PROXY must be true or false"))
	}
	if c.ShutdownTimeout, err = time.ParseDuration(get("SHUTDOWN_TIMEOUT", "15s")); err != nil || c.ShutdownTimeout <= 0 {
		errs = append(errs, fmt.Errorf("SHUTDOWN_TIMEOUT must be a positive duration such as 15s"))
	}
	switch c.Env {
	case EnvSandbox, EnvProduction:
	default:
		errs = append(errs, fmt.Errorf("COMPANION_ENV must be sandbox or production, got %q", c.Env))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", c.LogLevel))
	}
	switch c.GPSystem {
	case "sandbox", "fhir":
	default:
		errs = append(errs, fmt.Errorf("GP_SYSTEM %q is not known (known: sandbox, fhir)", c.GPSystem))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("METRICS_ADDR must be host:port, got %q", c.MetricsAddr))
		}
	}
	// ADDR is an interface, the port is PORT's: "127.0.0.1:8080" would make
	// a listen address and a public URL of nonsense.
	addrOK := true
	if _, _, err := net.SplitHostPort(c.Addr); err == nil {
		addrOK = false
		errs = append(errs, fmt.Errorf("ADDR must be a host or IP address without a port (set the port with PORT), got %q", c.Addr))
	}
	c.PublicURL = get("PUBLIC_URL", "http://"+c.ListenAddr())
	if _, set := lookup("PUBLIC_URL"); addrOK || set {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("PUBLIC_URL must be an http(s) URL, got %q", c.PublicURL))
		}
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	durations := []struct {
		name, def string
		dst       *time.Duration
	}{
		{"SESSION_IDLE", "30m", &c.SessionIdle}, {"SESSION_ABSOLUTE", "12h", &c.SessionAbsolute},
		{"AUDIT_RETENTION", "17520h", &c.AuditRetention},
		{"SLOT_CACHE_TTL", "3s", &c.SlotCacheTTL},
		{"SLOT_HOLD", "5m", &c.SlotHold},
		{"WAITLIST_OFFER", "15m", &c.WaitlistOffer},
		{"SANDBOX_PRESCRIPTION_STEP", "2m", &c.SandboxPrescriptionStep},
		{"CONTACT_MAX_SUSPENSION", "4h", &c.ContactMaxSuspension},
	}
	for _, d := range durations {
		v, err := time.ParseDuration(get(d.name, d.def))
		if err != nil || v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be a positive duration, got %q", d.name, get(d.name, d.def)))
		}
		*d.dst = v
	}
	if c.SessionIdle > c.SessionAbsolute {
		errs = append(errs, errors.New("SESSION_IDLE cannot be longer than SESSION_ABSOLUTE"))
	}
	ints := []struct {
		name, def string
		dst       *int
	}{{"RATE_LIMIT_SIGNIN", "20", &c.RateSignIn}, {"RATE_LIMIT_API", "300", &c.RateAPI}, {"BOOKING_CONCURRENCY", "64", &c.BookingConcurrency}}
	for _, n := range ints {
		v, err := strconv.Atoi(get(n.name, n.def))
		if err != nil || v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be a positive whole number, got %q", n.name, get(n.name, n.def)))
		}
		*n.dst = v
	}
	c.PatientIDKey = get("PATIENT_ID_KEY", "")
	if v := strings.TrimSpace(get("REDIS_CLUSTER_ADDRS", "")); v != "" {
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			if _, _, err := net.SplitHostPort(a); err != nil {
				errs = append(errs, fmt.Errorf("REDIS_CLUSTER_ADDRS: %q is not host:port", a))
			}
			c.RedisClusterAddrs = append(c.RedisClusterAddrs, a)
		}
		if c.RedisURL != "" {
			errs = append(errs, errors.New("set REDIS_URL or REDIS_CLUSTER_ADDRS, not both"))
		}
	}
	c.ContactHours = get("CONTACT_HOURS", "Mon-Fri 08:00-18:30")
	if c.ContactBankHolidaysOpen, err = strconv.ParseBool(get("CONTACT_BANK_HOLIDAYS_OPEN", "false")); err != nil {
		errs = append(errs, fmt.Errorf("CONTACT_BANK_HOLIDAYS_OPEN must be true or false, got %q", get("CONTACT_BANK_HOLIDAYS_OPEN", "")))
	}
	if c.PatientIDKey != "" && len(c.PatientIDKey) < 32 {
		errs = append(errs, errors.New("PATIENT_ID_KEY must be at least 32 characters"))
	}
	var oerrs []error
	var ferrs []error
	c.FHIR, ferrs = loadFHIR(get, c)
	errs = append(errs, ferrs...)
	c.NHSLogin, oerrs = loadOIDC(get, "NHSLOGIN")
	errs = append(errs, oerrs...)
	c.Staff, oerrs = loadOIDC(get, "STAFF")
	errs = append(errs, oerrs...)
	c.StaffRBAC, oerrs = loadStaffRBAC(get, c.Env)
	errs = append(errs, oerrs...)
	c.Push, oerrs = loadPush(get)
	errs = append(errs, oerrs...)
	c.NHSApp, oerrs = loadNHSApp(get, c.Env)
	errs = append(errs, oerrs...)
	vtr := get("NHSLOGIN_VTR", `["P9.Cp.Cd","P9.Cp.Ck","P9.Cm","P5.Cp.Cd","P5.Cp.Ck","P5.Cm"]`)
	if err := json.Unmarshal([]byte(vtr), &c.NHSLogin.VTR); err != nil || len(c.NHSLogin.VTR) == 0 {
		errs = append(errs, fmt.Errorf("NHSLOGIN_VTR must be a JSON array of vectors of trust, got %q", vtr))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, errors.New("TLS_CERT_FILE and TLS_KEY_FILE go together"))
	}
	if c.Env == EnvProduction {
		if parts := c.SandboxParts(); len(parts) > 0 {
			errs = append(errs, fmt.Errorf("refusing to start: COMPANION_ENV=production but sandbox parts are enabled: %s", strings.Join(parts, "; ")))
		}
		if !c.SecureCookies() {
			errs = append(errs, errors.New("PUBLIC_URL must be https in production"))
		}
		if c.PatientIDKey == "" {
			errs = append(errs, errors.New("PATIENT_ID_KEY is required in production"))
		}
	}
	return c, errors.Join(errs...)
}

// SandboxParts lists the sandbox stand-ins this configuration enables, each
// with what replaces it. Production must have none.
func (c Config) SandboxParts() []string {
	var parts []string
	if c.RedisURL == "" && len(c.RedisClusterAddrs) == 0 {
		parts = append(parts, "in-process Redis (set REDIS_URL or REDIS_CLUSTER_ADDRS)")
	}
	if c.DatabaseURL == "" {
		parts = append(parts, "records kept in Redis (set DATABASE_URL)")
	}
	if c.GPSystem == "sandbox" {
		parts = append(parts, "sandbox GP system (set GP_SYSTEM to a real adapter)")
	}
	if c.NHSLogin.Issuer == "" {
		parts = append(parts, "sandbox NHS login (set NHSLOGIN_ISSUER)")
	}
	if c.Staff.Issuer == "" {
		parts = append(parts, "sandbox staff login (set STAFF_ISSUER)")
	}
	if c.Push.PublicKey == "" {
		parts = append(parts, "generated VAPID keys (set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY)")
	}
	return parts
}

// SecureCookies reports whether cookies must be Secure with the __Host-
// prefix: always, unless Companion is served over plain HTTP (sandbox on
// localhost).
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.PublicURL, "https://") }

func loadOIDC(get func(name, def string) string, prefix string) (OIDC, []error) {
	o := OIDC{
		Issuer:   get(prefix+"_ISSUER", ""),
		ClientID: get(prefix+"_CLIENT_ID", ""),
		KeyID:    get(prefix+"_KEY_ID", ""),
	}
	var errs []error
	o.KeyPEM, errs = keyPEM(get, prefix)
	if o.Issuer != "" && (o.ClientID == "" || o.KeyPEM == "" || o.KeyID == "") {
		errs = append(errs, fmt.Errorf("%s_ISSUER needs %s_CLIENT_ID, %s_KEY (or _KEY_FILE) and %s_KEY_ID", prefix, prefix, prefix, prefix))
	}
	return o, errs
}

// keyPEM reads a private key given as PEM text (prefix_KEY) or a file of
// it (prefix_KEY_FILE), not both.
func keyPEM(get func(name, def string) string, prefix string) (string, []error) {
	pemText := get(prefix+"_KEY", "")
	f := get(prefix+"_KEY_FILE", "")
	if f == "" {
		return pemText, nil
	}
	var errs []error
	if pemText != "" {
		errs = append(errs, fmt.Errorf("set %s_KEY or %s_KEY_FILE, not both", prefix, prefix))
	}
	b, err := os.ReadFile(f)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s_KEY_FILE: %w", prefix, err))
	}
	return string(b), errs
}

// Sandbox reports whether any sandbox part is enabled.
func (c Config) Sandbox() bool { return len(c.SandboxParts()) > 0 }

// ListenAddr is the web server's host:port.
func (c Config) ListenAddr() string { return net.JoinHostPort(c.Addr, strconv.Itoa(c.Port)) }
