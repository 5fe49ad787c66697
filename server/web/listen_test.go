package web

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTLSOffersOnlyAEADSuites(t *testing.T) {
	cfg := TLSConfig()
	if cfg.MinVersion != tls.VersionTLS12 || len(cfg.CipherSuites) == 0 {
		t.Fatalf("config %+v", cfg)
	}
	for _, id := range cfg.CipherSuites {
		name := tls.CipherSuiteName(id)
		if strings.Contains(name, "CBC") || !(strings.Contains(name, "GCM") || strings.Contains(name, "CHACHA20")) || !strings.Contains(name, "ECDHE") {
			t.Errorf("suite %s is not a forward-secret AEAD suite", name)
		}
	}
}

// TestNetHTTPsOwnErrorsCarrySecurityHeaders sends requests net/http
// refuses before any handler runs, and one it hands to the handler.
func TestNetHTTPsOwnErrorsCarrySecurityHeaders(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{MaxHeaderBytes: 1 << 10, ReadHeaderTimeout: 5 * time.Second,
		Handler: SecurityHeaders(func(*http.Request) bool { return false }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))}
	go srv.Serve(SecureErrors(ln))
	t.Cleanup(func() { srv.Close() })
	for _, tt := range []struct {
		name, request string
		status        string
	}{
		{"bad Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "400"},
		{"headers too large", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n", "431"},
		{"unsupported transfer encoding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "501"},
		{"a handler's own answer", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "204"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write([]byte(tt.request)); err != nil {
				t.Fatal(err)
			}
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if !strings.HasPrefix(res.Status, tt.status) {
				t.Fatalf("status %s, want %s", res.Status, tt.status)
			}
			for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
				if got := res.Header.Values(h); len(got) != 1 {
					t.Errorf("%s: %q", h, got)
				}
			}
		})
	}
}
