package audit

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
)

func TestRecordAndRead(t *testing.T) {
	rs := redistest.MustStart(t)
	s := NewStream(rs.Client(t), "audit", time.Hour, nil)
	ctx := context.Background()
	for _, a := range []string{"sign_in", "sign_out"} {
		if err := s.Record(ctx, Event{Action: a, Outcome: "success", Actor: "sub-1"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "sign_out" || got[1].Actor != "sub-1" || got[0].Time.IsZero() {
		t.Errorf("Recent = %+v", got)
	}
}

func TestTrimmedByAgeNeverByCount(t *testing.T) {
	rs := redistest.MustStart(t)
	rdb := rs.Client(t)
	ctx := context.Background()
	now := time.Now()
	clock := func() time.Time { return now }
	s := NewStream(rdb, "audit", time.Hour, clock)
	// Many events inside the retention window: none may be dropped.
	for i := 0; i < 2000; i++ {
		if err := s.Record(ctx, Event{Action: "view", Outcome: "success"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := rdb.XLen(ctx, "audit").Val(); n != 2000 {
		t.Fatalf("%d events kept, want 2000: trimmed by count", n)
	}
	// Two hours later the old events are past retention and go on the next write.
	now = now.Add(2 * time.Hour)
	if err := s.Record(ctx, Event{Action: "late", Outcome: "success"}); err != nil {
		t.Fatal(err)
	}
	// MINID with exact trimming removes every older entry.
	if n := rdb.XLen(ctx, "audit").Val(); n != 1 {
		t.Errorf("%d events after retention passed, want 1", n)
	}
}

func TestForPatient(t *testing.T) {
	rs := redistest.MustStart(t)
	rdb := rs.Client(t)
	s := NewStream(rdb, "audit", time.Hour, nil)
	ctx := context.Background()
	for _, e := range []Event{
		{Action: "view_record", Outcome: "success", Actor: "sub-a", ActorPatient: "pa", Patient: "pa"},
		{Action: "book", Outcome: "success", Actor: "sub-c", ActorPatient: "pc", Patient: "pb"},
		{Action: "sign_in", Outcome: "success", Actor: "sub-a"},
		{Action: "cancel", Outcome: "success", Actor: "sub-a", ActorPatient: "pa", Patient: "pb"},
	} {
		if err := s.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ForPatient(ctx, "pb", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "cancel" || got[1].Action != "book" || got[1].ActorPatient != "pc" {
		t.Errorf("ForPatient(pb) = %+v", got)
	}
	if ttl := rdb.PTTL(ctx, "audit:p:pb").Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("patient stream TTL %v, want within the retention", ttl)
	}
	if got, _ := s.ForPatient(ctx, "nobody", "", 10); len(got) != 0 {
		t.Errorf("ForPatient(nobody) = %+v", got)
	}
}
