package wire

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/server/gp/fhir"
)

// fhirSystem builds the FHIR R4 adapter: its HTTP client (mutual TLS and a
// private CA when configured) and its SMART Backend Services token.
func fhirSystem(cfg config.FHIR) (*fhir.System, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("FHIR_CA_FILE: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("FHIR_CA_FILE holds no certificate")
		}
		tlsConf.RootCAs = pool
	}
	if cfg.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("FHIR_TLS_CERT_FILE: %w", err)
		}
		tlsConf.Certificates = []tls.Certificate{cert}
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConf
	transport.MaxIdleConnsPerHost = 64
	hc := &http.Client{Transport: transport}
	fc := fhir.Config{BaseURL: cfg.BaseURL, HTTPClient: hc, Timeout: cfg.Timeout}
	if cfg.TokenURL != "" {
		key, err := parseKey(cfg.KeyPEM)
		if err != nil {
			return nil, fmt.Errorf("FHIR_KEY: %w", err)
		}
		smart := &fhir.SMART{TokenURL: cfg.TokenURL, ClientID: cfg.ClientID, KeyID: cfg.KeyID, Key: key, Scope: cfg.Scope, HTTPClient: hc}
		fc.Token = smart.Token
	}
	return fhir.New(fc)
}
