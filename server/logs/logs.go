// Package logs makes Companion's structured logger: JSON, redacting NHS
// numbers and secrets, naming the request each record was logged under.
//
// It is server-only.
package logs

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"

	"github.com/nhs-companion/companion/server/audit"
)

// NewLogger returns a JSON slog logger at level that redacts anything shaped
// like an NHS number and any attribute whose key names a secret. Code must
// not log those in the first place; this is the second line of defence.
func New(w io.Writer, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lv, ReplaceAttr: redactAttr})
	return slog.New(redactingHandler{h})
}

// nhsNumberShape matches ten digits, optionally spaced 3-3-4 or 3-3-4 with
// hyphens, standing alone (not inside a longer number or a hex string).
var nhsNumberShape = regexp.MustCompile(`(^|[^0-9A-Za-z])([0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4})($|[^0-9A-Za-z])`)

var secretKeys = []string{"token", "password", "secret", "authorization", "cookie", "assertion", "nhs_number", "nhsnumber", "code_verifier"}

// Redact replaces NHS-number-shaped digits in s.
func Redact(s string) string {
	// Twice, because adjacent matches share their boundary character.
	s = nhsNumberShape.ReplaceAllString(s, "${1}[redacted]${3}")
	return nhsNumberShape.ReplaceAllString(s, "${1}[redacted]${3}")
}

func redactAttr(_ []string, a slog.Attr) slog.Attr {
	key := strings.ToLower(a.Key)
	for _, k := range secretKeys {
		if strings.Contains(key, k) {
			return slog.String(a.Key, "[redacted]")
		}
	}
	switch a.Value.Kind() {
	case slog.KindString, slog.KindInt64, slog.KindUint64:
		if s := a.Value.String(); Redact(s) != s {
			return slog.String(a.Key, Redact(s))
		}
		return a
	}
	if a.Value.Kind() == slog.KindAny {
		if err, ok := a.Value.Any().(error); ok {
			return slog.String(a.Key, Redact(err.Error()))
		}
	}
	return a
}

// redactingHandler also redacts the message, which ReplaceAttr never sees,
// and names the request a record was logged under (the ...Context methods).
type redactingHandler struct{ slog.Handler }

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	r2 := slog.NewRecord(r.Time, r.Level, Redact(r.Message), r.PC)
	if id := audit.RequestID(ctx); id != "" {
		r2.AddAttrs(slog.String("request_id", id))
	}
	r.Attrs(func(a slog.Attr) bool { r2.AddAttrs(a); return true })
	return h.Handler.Handle(ctx, r2)
}

func (h redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return redactingHandler{h.Handler.WithAttrs(as)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{h.Handler.WithGroup(name)}
}
