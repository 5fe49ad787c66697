// Package text holds the check every free-text field people type into
// (booking reasons, prescription notes, requests to the practice, staff
// replies and reasons) goes through, so one rule covers them all.
//
// It is server-only and imports nothing of Companion's.
package text

import "strings"

// Unsafe reports whether s holds a character that has no place in text a
// person wrote and another person reads: a control character other than a
// line break or tab (C0, DEL, C1, such as an ANSI escape or U+0085), a
// bidirectional override, embedding, isolate or mark, which can make text
// read differently from what it says (U+202E), a zero-width or invisible
// character (U+200B–U+200D, U+2060–U+2064, U+FEFF), or a line or
// paragraph separator.
func Unsafe(s string) bool {
	return strings.ContainsFunc(s, unsafe)
}

func unsafe(r rune) bool {
	switch {
	case r == '\n' || r == '\r' || r == '\t':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f: // bidi marks
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r >= 0x200b && r <= 0x200d, r >= 0x2060 && r <= 0x2064, r == 0xfeff: // zero-width and invisible
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}
