package text

import "testing"

func TestUnsafe(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    string
		want bool
	}{
		{"plain", "I have had a cough for a week.", false},
		{"line breaks and tabs", "one\ntwo\r\nthree\tfour", false},
		{"Welsh and punctuation", "Mae gen i beswch – “diolch” ŵ ŷ", false},
		{"emoji", "thanks 🙂", false},
		{"NUL", "a\x00b", true},
		{"bell", "a\x07b", true},
		{"ANSI escape", "\x1b[31mred", true},
		{"DEL", "a\x7fb", true},
		{"C1 next line", "a\u0085b", true},
		{"C1 CSI", "a\u009bb", true},
		{"right-to-left override", "invoice\u202Etxt.exe", true},
		{"left-to-right embedding", "a\u202Ab", true},
		{"isolate", "a\u2067b", true},
		{"right-to-left mark", "a\u200Fb", true},
		{"Arabic letter mark", "a\u061Cb", true},
		{"zero-width space", "pass\u200Bword", true},
		{"zero-width joiner", "a\u200Db", true},
		{"word joiner", "a\u2060b", true},
		{"byte order mark", "\uFEFFtext", true},
		{"line separator", "a\u2028b", true},
	} {
		if got := Unsafe(tt.s); got != tt.want {
			t.Errorf("%s: Unsafe(%q) = %v, want %v", tt.name, tt.s, got, tt.want)
		}
	}
}
