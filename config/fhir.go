package config

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// FHIR is how Companion reaches a FHIR R4 GP system (GP_SYSTEM=fhir).
type FHIR struct {
	BaseURL string        // FHIR_BASE_URL
	Timeout time.Duration // FHIR_TIMEOUT: bound on each call
	// SMART Backend Services client authentication (FHIR_TOKEN_URL and
	// FHIR_CLIENT_ID, FHIR_KEY or FHIR_KEY_FILE, FHIR_KEY_ID, FHIR_SCOPE).
	TokenURL, ClientID, KeyPEM, KeyID, Scope string
	// Mutual TLS (FHIR_TLS_CERT_FILE, FHIR_TLS_KEY_FILE) and the CA that
	// signs the server's certificate (FHIR_CA_FILE).
	TLSCertFile, TLSKeyFile, CAFile string
}

// fhirVariables document FHIR's settings.
var fhirVariables = []Variable{
	{"FHIR_BASE_URL", "(empty)", "`GP_SYSTEM=fhir`: the GP system's FHIR R4 base URL, e.g. `https://gp.example/fhir/R4`. Must be https in production."},
	{"FHIR_TIMEOUT", "5s", "`GP_SYSTEM=fhir`: the longest one call to the GP system may take."},
	{"FHIR_TOKEN_URL", "(empty)", "SMART Backend Services token endpoint; set it to authenticate with a client-credentials token (private_key_jwt, RS384)."},
	{"FHIR_CLIENT_ID", "(empty)", "Companion's client ID at `FHIR_TOKEN_URL`."},
	{"FHIR_KEY_FILE", "(empty)", "PEM file of the RSA private key that signs the SMART client assertion."},
	{"FHIR_KEY", "(empty)", "The same key as PEM text, instead of a file."},
	{"FHIR_KEY_ID", "(empty)", "The key's `kid` as registered with the GP system."},
	{"FHIR_SCOPE", "system/*.read system/*.write", "The scopes asked for with each token."},
	{"FHIR_TLS_CERT_FILE", "(empty)", "Client certificate for mutual TLS to the GP system (with `FHIR_TLS_KEY_FILE`), instead of or as well as SMART."},
	{"FHIR_TLS_KEY_FILE", "(empty)", "Private key for `FHIR_TLS_CERT_FILE`."},
	{"FHIR_CA_FILE", "(empty)", "PEM of the CA that signs the GP system's certificate, if not a public one."},
}

func loadFHIR(get func(name, def string) string, c Config) (FHIR, []error) {
	f := FHIR{
		BaseURL: get("FHIR_BASE_URL", ""), TokenURL: get("FHIR_TOKEN_URL", ""), ClientID: get("FHIR_CLIENT_ID", ""),
		KeyID: get("FHIR_KEY_ID", ""), Scope: get("FHIR_SCOPE", "system/*.read system/*.write"),
		TLSCertFile: get("FHIR_TLS_CERT_FILE", ""), TLSKeyFile: get("FHIR_TLS_KEY_FILE", ""), CAFile: get("FHIR_CA_FILE", ""),
	}
	var errs []error
	d, err := time.ParseDuration(get("FHIR_TIMEOUT", "5s"))
	if err != nil || d <= 0 {
		errs = append(errs, errors.New("FHIR_TIMEOUT must be a positive duration such as 5s"))
	}
	f.Timeout = d
	var kerrs []error
	f.KeyPEM, kerrs = keyPEM(get, "FHIR")
	errs = append(errs, kerrs...)
	if c.GPSystem != "fhir" {
		return f, errs
	}
	u, err := url.Parse(f.BaseURL)
	switch {
	case f.BaseURL == "":
		errs = append(errs, errors.New("GP_SYSTEM=fhir needs FHIR_BASE_URL"))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs = append(errs, fmt.Errorf("FHIR_BASE_URL must be an http(s) URL, got %q", f.BaseURL))
	case c.Env == EnvProduction && u.Scheme != "https":
		errs = append(errs, errors.New("FHIR_BASE_URL must be https in production"))
	}
	if f.TokenURL != "" && (f.ClientID == "" || f.KeyPEM == "" || f.KeyID == "") {
		errs = append(errs, errors.New("FHIR_TOKEN_URL needs FHIR_CLIENT_ID, FHIR_KEY (or FHIR_KEY_FILE) and FHIR_KEY_ID"))
	}
	if (f.TLSCertFile == "") != (f.TLSKeyFile == "") {
		errs = append(errs, errors.New("FHIR_TLS_CERT_FILE and FHIR_TLS_KEY_FILE go together"))
	}
	if c.Env == EnvProduction && f.TokenURL == "" && f.TLSCertFile == "" {
		errs = append(errs, errors.New("GP_SYSTEM=fhir in production needs client authentication: FHIR_TOKEN_URL (SMART Backend Services) or FHIR_TLS_CERT_FILE (mutual TLS)"))
	}
	return f, errs
}
