package bounded

import "testing"

func TestMapKeepsAtMostMax(t *testing.T) {
	m := Map[int, string]{Max: 3}
	for i := range 3 {
		m.Put(i, "v")
	}
	if v, ok := m.Get(2); !ok || v != "v" {
		t.Fatalf("Get(2) = %q, %v", v, ok)
	}
	m.Put(3, "w") // full: starts again
	if _, ok := m.Get(0); ok {
		t.Error("an entry outlived the bound")
	}
	if v, ok := m.Get(3); !ok || v != "w" {
		t.Errorf("Get(3) = %q, %v", v, ok)
	}
}

func TestZeroMapIsBoundedByDefault(t *testing.T) {
	var m Map[int, int]
	for i := range DefaultMax {
		m.Put(i, i)
	}
	if _, ok := m.Get(0); !ok {
		t.Fatal("the zero Map dropped an entry before its default bound")
	}
	m.Put(DefaultMax, 0)
	if _, ok := m.Get(0); ok {
		t.Error("the zero Map grew past its default bound")
	}
}
