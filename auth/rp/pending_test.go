package rp

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
)

func TestPendingIsSingleUse(t *testing.T) {
	rs := redistest.MustStart(t)
	p := NewPending(rs.Client(t), "t:", time.Minute)
	ctx := context.Background()
	s, err := NewStart()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Save(ctx, Login{Start: s, Return: "/settings"}); err != nil {
		t.Fatal(err)
	}
	got, err := p.Take(ctx, s.State)
	if err != nil || got.Nonce != s.Nonce || got.Verifier != s.Verifier || got.Return != "/settings" {
		t.Fatalf("Take = %+v, %v", got, err)
	}
	if _, err := p.Take(ctx, s.State); !errors.Is(err, ErrUnknownState) {
		t.Errorf("second Take: %v, want ErrUnknownState", err)
	}
	if _, err := p.Take(ctx, "never-issued"); !errors.Is(err, ErrUnknownState) {
		t.Errorf("unknown state: %v", err)
	}
	if _, err := p.Take(ctx, ""); !errors.Is(err, ErrUnknownState) {
		t.Errorf("empty state: %v", err)
	}
}

func TestPendingExpires(t *testing.T) {
	rs := redistest.MustStart(t)
	p := NewPending(rs.Client(t), "t:", time.Second)
	ctx := context.Background()
	s, _ := NewStart()
	if err := p.Save(ctx, Login{Start: s, Return: "/"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := p.Take(ctx, s.State); !errors.Is(err, ErrUnknownState) {
		t.Errorf("expired state: %v, want ErrUnknownState", err)
	}
}

func TestStartIsRandom(t *testing.T) {
	a, _ := NewStart()
	b, _ := NewStart()
	if a.State == b.State || a.Nonce == b.Nonce || a.Verifier == b.Verifier || len(a.State) < 43 || len(a.Verifier) < 43 {
		t.Errorf("starts not random enough: %+v %+v", a, b)
	}
}
