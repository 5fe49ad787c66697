// Package text holds the checks every free-text field people type into
// (reasons, notes, requests, replies) goes through, so one rule covers them
// all.
//
// It is server-only and imports nothing of Companion's.
package text

import "strings"

// HasControl reports whether s holds a control character other than a line
// break or tab.
func HasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' })
}
