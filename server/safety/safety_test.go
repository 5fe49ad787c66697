package safety_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/safety"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestRaiseListsOncePerWindowAndCountsEvery(t *testing.T) {
	rdb := redistest.MustStart(t).Client(t)
	c := &clock{t: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)}
	l := safety.New(rdb, "t:safety:", c.now, nil)
	ctx := context.Background()

	l.Raise(ctx, safety.Event{Kind: safety.RedFlag, Practice: "Z00001", Patient: "p1", Detail: "999"})
	c.t = c.t.Add(time.Minute)
	l.Raise(ctx, safety.Event{Kind: safety.RedFlag, Practice: "Z00001", Patient: "p1", Detail: "999"})
	l.Raise(ctx, safety.Event{Kind: safety.CapReached, Practice: "Z00001", Detail: "medical"})
	l.Raise(ctx, safety.Event{Kind: safety.CapReached, Practice: "Z00002", Detail: "medical"})
	c.t = c.t.Add(time.Minute)
	l.Raise(ctx, safety.Event{Kind: safety.GPOutage})

	got, err := l.List(ctx, "Z00001", 50)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []safety.Kind
	for _, e := range got {
		kinds = append(kinds, e.Kind)
		if e.Practice == "Z00002" {
			t.Errorf("another practice's event listed: %+v", e)
		}
	}
	// Newest first; the repeated red flag once; the outage, which is the
	// whole service's, with the practice's own.
	want := []safety.Kind{safety.GPOutage, safety.CapReached, safety.RedFlag}
	if len(kinds) != len(want) || kinds[0] != want[0] || kinds[1] != want[1] || kinds[2] != want[2] {
		t.Fatalf("listed %v, want %v", kinds, want)
	}
	if n := testutil.ToFloat64(l.Events.WithLabelValues("red_flag")); n != 2 {
		t.Errorf("red_flag counted %v times, want 2 (repeats count)", n)
	}
	if n := testutil.ToFloat64(l.Events.WithLabelValues("identity_mismatch")); n != 0 {
		t.Errorf("identity_mismatch counted %v", n)
	}

	// Past its window an outage is listed again; a red flag is not
	// (it is listed once a day).
	c.t = c.t.Add(6 * time.Minute)
	l.Raise(ctx, safety.Event{Kind: safety.GPOutage})
	l.Raise(ctx, safety.Event{Kind: safety.RedFlag, Practice: "Z00001", Patient: "p1", Detail: "999"})
	if got, _ := l.List(ctx, "Z00001", 50); len(got) != 4 || got[0].Kind != safety.GPOutage {
		t.Errorf("after the outage window: %+v", got)
	}
}

func TestListKeepsTheNewest(t *testing.T) {
	rdb := redistest.MustStart(t).Client(t)
	c := &clock{t: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)}
	l := safety.New(rdb, "t:safety:", c.now, nil)
	ctx := context.Background()
	for i := range 250 {
		c.t = c.t.Add(time.Second)
		l.Raise(ctx, safety.Event{Kind: safety.RedFlag, Practice: "Z00001", Patient: string(rune('a'+i%26)) + string(rune('a'+i/26)), Detail: "111"})
	}
	if n := rdb.LLen(ctx, "t:safety:list:Z00001").Val(); n != 200 {
		t.Errorf("%d events kept, want 200", n)
	}
	got, _ := l.List(ctx, "Z00001", 10)
	if len(got) != 10 || !got[0].At.Equal(c.t) {
		t.Errorf("newest first: %+v", got)
	}
}

func TestRaiseNeverFailsTheCaller(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	l := safety.New(rdb, "t:", nil, nil)
	l.Raise(context.Background(), safety.Event{Kind: safety.GPOutage})
	if n := testutil.ToFloat64(l.Events.WithLabelValues("gp_outage")); n != 1 {
		t.Errorf("an event that could not be stored was not counted: %v", n)
	}
	var none *safety.Log
	none.Raise(context.Background(), safety.Event{Kind: safety.GPOutage})
	if got, err := none.List(context.Background(), "Z00001", 5); got != nil || err != nil {
		t.Errorf("nil log listed %v %v", got, err)
	}
}
