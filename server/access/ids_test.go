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
		if err == nil && p.For(n) != strings.ToLower(id) {
			t.Errorf("NHSNumber(%q) = %q, which maps back to %q", id, n, p.For(n))
		}
	})
}
