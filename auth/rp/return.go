package rp

import (
	"net/url"
	"strings"
)

// SafeReturn keeps only local paths, so sign-in can never be used to send
// someone to another site.
func SafeReturn(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\r\n\t") || strings.HasPrefix(p, "/auth/") || strings.HasPrefix(p, "/staff/") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}
