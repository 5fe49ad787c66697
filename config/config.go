// Package config reads Companion's configuration from the environment, once,
// into a typed struct. Nothing else in Companion reads the environment.
//
// It must not be imported by app/... or i18n (they are linked into app.wasm).
package config

import (
	"errors"
	"fmt"
	"net"
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
	Env             Env           // COMPANION_ENV
	Addr            string        // ADDR: interface to listen on
	Port            int           // PORT
	MetricsAddr     string        // METRICS_ADDR: separate listener for /metrics; empty turns it off
	RedisURL        string        // REDIS_URL: empty means the in-process sandbox Redis
	GPSystem        string        // GP_SYSTEM: which GP-system adapter to use
	WebDir          string        // WEB_DIR: built static files
	LogLevel        string        // LOG_LEVEL: debug, info, warn, error
	TrustProxy      bool          // TRUST_PROXY: believe X-Forwarded-Proto from a front proxy
	TLSCertFile     string        // TLS_CERT_FILE
	TLSKeyFile      string        // TLS_KEY_FILE
	ShutdownTimeout time.Duration // SHUTDOWN_TIMEOUT
}

// Variables lists every environment variable Load reads, with its default and
// meaning, for the README and for tests.
var Variables = []Variable{
	{"COMPANION_ENV", "sandbox", "`sandbox` or `production`. Production refuses to start while any sandbox part is enabled."},
	{"ADDR", "127.0.0.1", "Interface the web server listens on (`0.0.0.0` in a container)."},
	{"PORT", "8080", "Port the web server listens on."},
	{"METRICS_ADDR", "127.0.0.1:9090", "Separate listener for Prometheus `/metrics`; empty turns it off. Never expose it publicly."},
	{"REDIS_URL", "(empty)", "Redis for sessions and state, e.g. `redis://host:6379/0`. Empty starts an in-process sandbox Redis (miniredis)."},
	{"GP_SYSTEM", "sandbox", "GP-system adapter. Only `sandbox` (Redis-backed, seeded with the sandbox cast) exists so far."},
	{"WEB_DIR", "web", "Directory of built static files (app.wasm, CSS, icons)."},
	{"LOG_LEVEL", "info", "`debug`, `info`, `warn` or `error`. Logs are JSON on standard output."},
	{"TRUST_PROXY", "false", "Trust `X-Forwarded-Proto` from the front proxy (to send HSTS when it terminates TLS)."},
	{"TLS_CERT_FILE", "(empty)", "Serve HTTPS directly with this certificate (with `TLS_KEY_FILE`)."},
	{"TLS_KEY_FILE", "(empty)", "Private key for `TLS_CERT_FILE`."},
	{"SHUTDOWN_TIMEOUT", "15s", "How long to let requests finish after SIGTERM."},
}

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
	case "sandbox":
	default:
		errs = append(errs, fmt.Errorf("GP_SYSTEM %q is not known (known: sandbox)", c.GPSystem))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("METRICS_ADDR must be host:port, got %q", c.MetricsAddr))
		}
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, errors.New("TLS_CERT_FILE and TLS_KEY_FILE go together"))
	}
	if c.Env == EnvProduction {
		if parts := c.SandboxParts(); len(parts) > 0 {
			errs = append(errs, fmt.Errorf("refusing to start: COMPANION_ENV=production but sandbox parts are enabled: %s", strings.Join(parts, "; ")))
		}
	}
	return c, errors.Join(errs...)
}

// SandboxParts lists the sandbox stand-ins this configuration enables, each
// with what replaces it. Production must have none.
func (c Config) SandboxParts() []string {
	var parts []string
	if c.RedisURL == "" {
		parts = append(parts, "in-process Redis (set REDIS_URL)")
	}
	if c.GPSystem == "sandbox" {
		parts = append(parts, "sandbox GP system (set GP_SYSTEM to a real adapter)")
	}
	return parts
}

// Sandbox reports whether any sandbox part is enabled.
func (c Config) Sandbox() bool { return len(c.SandboxParts()) > 0 }

// ListenAddr is the web server's host:port.
func (c Config) ListenAddr() string { return net.JoinHostPort(c.Addr, strconv.Itoa(c.Port)) }
