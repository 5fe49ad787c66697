package access

import (
	"strings"
	"testing"
)

func TestPatientIDsRoundTripAndHideTheNumber(t *testing.T) {
	p, err := NewIDs([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewIDs([]byte(strings.Repeat("j", 32)))
	for _, n := range []string{"9990000018", "9990000026", "9990000042"} {
		id := p.For(n)
		if len(id) != 26 || strings.Contains(id, n) || id != p.For(n) {
			t.Errorf("For(%s) = %q: not a stable opaque ID", n, id)
		}
		got, err := p.NHSNumber(id)
		if err != nil || got != n {
			t.Errorf("NHSNumber(For(%s)) = %q, %v", n, got, err)
		}
		if _, err := other.NHSNumber(id); err == nil {
			t.Errorf("an ID made under another key resolved")
		}
	}
	if p.For("9990000018") == p.For("9990000026") {
		t.Error("two patients share an ID")
	}
}

func FuzzPatientIDParsing(f *testing.F) {
	p, _ := NewIDs([]byte(strings.Repeat("k", 32)))
	f.Add(p.For("9990000018"))
	f.Add("")
	f.Add("aaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("9990000018")
	f.Fuzz(func(t *testing.T, id string) {
		n, err := p.NHSNumber(id)
		if err == nil && p.For(n) != id {
			t.Errorf("NHSNumber(%q) = %q, which maps back to %q", id, n, p.For(n))
		}
	})
}

// Respellings returns other spellings of a canonical ID that decode to the
// same bytes: upper case, and the last character with its unused low bits
// set (16 bytes are 128 bits; 26 base32 characters carry 130).
func Respellings(id string) []string {
	out := []string{strings.ToUpper(id), strings.ToUpper(id[:1]) + id[1:]}
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	last := strings.IndexByte(alphabet, id[len(id)-1])
	for low := 1; low < 4; low++ {
		out = append(out, id[:len(id)-1]+string(alphabet[last|low]))
	}
	return out
}

// TestOneSpellingPerPatient: only the ID For makes resolves; every other
// spelling of the same bytes is unknown.
func TestOneSpellingPerPatient(t *testing.T) {
	p, _ := NewIDs([]byte(strings.Repeat("k", 32)))
	id := p.For("9990000018")
	for _, other := range Respellings(id) {
		if other == id {
			continue
		}
		if raw, err := p.decode(other); err != nil || raw != "9990000018" {
			t.Fatalf("%q is not a respelling of %q (%v)", other, id, err)
		}
		if n, err := p.NHSNumber(other); err == nil {
			t.Errorf("NHSNumber(%q) = %q: a second spelling resolved", other, n)
		}
	}
}
