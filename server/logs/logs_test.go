package logs_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/server/logs"
)

func TestLogsRedactNHSNumbersAndSecrets(t *testing.T) {
	var buf bytes.Buffer
	log := logs.New(&buf, "info")
	log.Info("lookup 9990000018 failed",
		"detail", "patient 999 000 0018 and 999-000-0026",
		"err", errors.New("no patient 9990000034"),
		"access_token", "eyJhbGciOi.secret",
		"request_id", "ba45ce7f1c5840078331a038",
		"count", 9990000042,
	)
	out := buf.String()
	for _, leak := range []string{"9990000018", "999 000 0018", "999-000-0026", "9990000034", "eyJhbGciOi"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "ba45ce7f1c5840078331a038") {
		t.Errorf("request ID was redacted: %s", out)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"9990000018", "[redacted]"},
		{"a 9990000018 b", "a [redacted] b"},
		{"9990000018,9990000026", "[redacted],[redacted]"},
		{"12345678901", "12345678901"}, // eleven digits: not an NHS number
		{"id-ab9990000018cd", "id-ab9990000018cd"},
		{"nothing here", "nothing here"},
	}
	for _, tt := range tests {
		if got := logs.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
