package session

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newStore(t *testing.T) (*Store, *clock, *redistest.Server) {
	t.Helper()
	rs := redistest.MustStart(t)
	c := &clock{t: time.Now()}
	return NewStore(rs.Client(t), "t:", 30*time.Minute, 12*time.Hour, c.now), c, rs
}

func TestTokensAreStoredHashed(t *testing.T) {
	st, _, rs := newStore(t)
	token, s, err := st.Create(context.Background(), Session{UserKey: "u1", Kind: "patient"})
	if err != nil {
		t.Fatal(err)
	}
	if len(token) < 43 || s.ID != Hash(token) || s.ID == token {
		t.Fatalf("token %q, id %q", token, s.ID)
	}
	keys := rs.Keys(t, "*")
	for _, k := range keys {
		if strings.Contains(k, token) {
			t.Errorf("Redis key %q contains the raw token", k)
		}
	}
}

func TestIdleTimeout(t *testing.T) {
	st, c, _ := newStore(t)
	ctx := context.Background()
	token, _, _ := st.Create(ctx, Session{UserKey: "u1"})
	c.t = c.t.Add(29 * time.Minute)
	if _, err := st.Get(ctx, token); err != nil {
		t.Fatalf("active at 29 minutes: %v", err)
	}
	// Activity moved the deadline: 29 more minutes is still fine.
	c.t = c.t.Add(29 * time.Minute)
	if _, err := st.Get(ctx, token); err != nil {
		t.Fatalf("active 29 minutes after the last request: %v", err)
	}
	c.t = c.t.Add(31 * time.Minute)
	if _, err := st.Get(ctx, token); !errors.Is(err, ErrNotFound) {
		t.Errorf("after 31 idle minutes: %v, want ErrNotFound", err)
	}
}

func TestAbsoluteLifetime(t *testing.T) {
	st, c, _ := newStore(t)
	ctx := context.Background()
	token, _, _ := st.Create(ctx, Session{UserKey: "u1"})
	for i := 0; i < 47; i++ { // a request every 15 minutes for 11h45m
		c.t = c.t.Add(15 * time.Minute)
		if _, err := st.Get(ctx, token); err != nil {
			t.Fatalf("ended early at %d: %v", i, err)
		}
	}
	c.t = c.t.Add(16 * time.Minute)
	if _, err := st.Get(ctx, token); !errors.Is(err, ErrNotFound) {
		t.Errorf("after 12 hours of activity: %v, want ErrNotFound", err)
	}
}

func TestPerUserIndex(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	a1, _, _ := st.Create(ctx, Session{UserKey: "amara"})
	a2, s2, _ := st.Create(ctx, Session{UserKey: "amara"})
	p1, _, _ := st.Create(ctx, Session{UserKey: "priya"})
	list, err := st.List(ctx, "amara")
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %d, %v", len(list), err)
	}
	if err := st.EndByID(ctx, "priya", s2.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("ending someone else's session: %v", err)
	}
	n, err := st.EndAll(ctx, "amara")
	if err != nil || n != 2 {
		t.Fatalf("EndAll = %d, %v", n, err)
	}
	for _, tok := range []string{a1, a2} {
		if _, err := st.Get(ctx, tok); !errors.Is(err, ErrNotFound) {
			t.Errorf("session survived EndAll: %v", err)
		}
	}
	if _, err := st.Get(ctx, p1); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
}

func TestStoreDownIsUnavailable(t *testing.T) {
	st, _, rs := newStore(t)
	rs.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := st.Get(ctx, "some-token"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get with Redis down: %v", err)
	}
	if _, _, err := st.Create(ctx, Session{UserKey: "u"}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Create with Redis down: %v", err)
	}
}
