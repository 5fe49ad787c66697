// Package keeptest is the contract every keep.Store passes.
//
// It is a test helper: only _test.go files may import it.
package keeptest

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-companion/companion/server/keep"
)

// Run checks an empty store made by open.
func Run(t *testing.T, open func(t *testing.T) keep.Store) {
	ctx := context.Background()
	s := open(t)
	if _, ok, err := s.Get(ctx, "missing"); ok || err != nil {
		t.Errorf("a missing key: ok %v, %v", ok, err)
	}
	for _, v := range []string{`{"a":1}`, `{"a":2}`} {
		if err := s.Put(ctx, "k", []byte(v), 0); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := s.Get(ctx, "k"); !ok || err != nil || string(got) != v {
			t.Errorf("after putting %s: %s %v %v", v, got, ok, err)
		}
	}
	if err := s.Put(ctx, "soon", []byte(`{}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get(ctx, "soon"); !ok {
		t.Error("a value kept for an hour is gone at once")
	}
	if err := s.Put(ctx, "brief", []byte(`{}`), 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if _, ok, _ := s.Get(ctx, "brief"); ok {
		t.Error("a value kept for 300 ms is still there a second later")
	}
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get(ctx, "k"); ok {
		t.Error("a deleted value is still there")
	}
	if err := s.Delete(ctx, "never"); err != nil {
		t.Errorf("deleting what is not there: %v", err)
	}
}
