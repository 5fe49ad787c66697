package web

import (
	"bytes"
	"crypto/tls"
	"net"
	"net/http"
)

// TLSConfig is the configuration for serving TLS directly: TLS 1.2 and up,
// and in TLS 1.2 only forward-secret AEAD suites (no CBC). TLS 1.3's suites
// are all AEAD and not configurable.
func TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}

// SecureErrors wraps a plain-HTTP listener so that the responses net/http
// writes by itself, before any handler runs (400 for a malformed request,
// 431 for oversized headers, 501 for an unsupported transfer encoding),
// carry the same security headers as every other response. (Over TLS,
// net/http needs the *tls.Conn itself, so it is left unwrapped there.)
func SecureErrors(ln net.Listener) net.Listener { return errorsListener{ln} }

type errorsListener struct{ net.Listener }

func (l errorsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return errorsConn{c}, nil
}

type errorsConn struct{ net.Conn }

// securityHeaderBlock is what SecurityHeaders sets, as raw header lines.
var securityHeaderBlock = func() []byte {
	h := http.Header{"Cache-Control": {"no-store"}}
	setSecurityHeaders(h)
	var b bytes.Buffer
	_ = h.Write(&b)
	return bytes.TrimSuffix(b.Bytes(), []byte("\r\n"))
}()

// Write adds the security headers to an error response net/http wrote
// whole, by itself: one whose header block lacks them. A handler's
// responses always carry them (SecurityHeaders runs first).
func (c errorsConn) Write(b []byte) (int, error) {
	if !bytes.HasPrefix(b, []byte("HTTP/1.1 4")) && !bytes.HasPrefix(b, []byte("HTTP/1.1 5")) {
		return c.Conn.Write(b)
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 || bytes.Contains(b[:end], []byte("\r\nContent-Security-Policy:")) {
		return c.Conn.Write(b)
	}
	out := make([]byte, 0, len(b)+len(securityHeaderBlock)+2)
	out = append(append(append(append(out, b[:end]...), "\r\n"...), securityHeaderBlock...), b[end:]...)
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}
