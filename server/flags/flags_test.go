package flags

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
)

func TestEvaluate(t *testing.T) {
	rule := Rule{Practices: map[string]bool{"Z00001": true, "Z00002": false}, ICBs: map[string]bool{"QZZ09": true}, Percentage: 0}
	tests := []struct {
		name   string
		rule   Rule
		sub    Subject
		want   bool
		reason string
	}{
		{"practice on", rule, Subject{PatientID: "p", ODS: "Z00001", ICB: "QZZ09"}, true, "practice"},
		{"practice off beats ICB on", rule, Subject{PatientID: "p", ODS: "Z00002", ICB: "QZZ09"}, false, "practice"},
		{"ICB on", rule, Subject{PatientID: "p", ODS: "Z00003", ICB: "QZZ09"}, true, "icb"},
		{"nothing matches", rule, Subject{PatientID: "p", ODS: "Z00003", ICB: "QZZ01"}, false, "default"},
		{"kill switch beats everything", Rule{Kill: true, Practices: map[string]bool{"Z00001": true}, Percentage: 100}, Subject{PatientID: "p", ODS: "Z00001"}, false, "kill_switch"},
		{"100% rollout", Rule{Percentage: 100}, Subject{PatientID: "p", ODS: "Z00003"}, true, "rollout"},
		{"0% rollout", Rule{Percentage: 0}, Subject{PatientID: "p", ODS: "Z00003"}, false, "default"},
		{"empty ODS matches no practice rule", Rule{Practices: map[string]bool{"": true}}, Subject{PatientID: "p"}, false, "default"},
	}
	for _, tt := range tests {
		got, reason := tt.rule.Evaluate(Appointments, tt.sub)
		if got != tt.want || reason != tt.reason {
			t.Errorf("%s: got %v (%s), want %v (%s)", tt.name, got, reason, tt.want, tt.reason)
		}
	}
}

func TestPercentageIsStableAndProportional(t *testing.T) {
	r := Rule{Percentage: 30}
	on := 0
	for i := 0; i < 10000; i++ {
		id := fmt.Sprintf("patient-%d", i)
		a, _ := r.Evaluate(Record, Subject{PatientID: id})
		b, _ := r.Evaluate(Record, Subject{PatientID: id})
		if a != b {
			t.Fatal("the same patient got different answers")
		}
		if a {
			on++
		}
	}
	if on < 2700 || on > 3300 {
		t.Errorf("30%% rollout switched on %d of 10000", on)
	}
	// Raising the percentage only adds patients: nobody loses the feature.
	for i := 0; i < 2000; i++ {
		id := fmt.Sprintf("patient-%d", i)
		at30, _ := Rule{Percentage: 30}.Evaluate(Record, Subject{PatientID: id})
		at60, _ := Rule{Percentage: 60}.Evaluate(Record, Subject{PatientID: id})
		if at30 && !at60 {
			t.Fatalf("%s lost the feature when the rollout grew", id)
		}
	}
	// Buckets differ between flags, so one cohort does not get every pilot.
	same := 0
	for i := 0; i < 1000; i++ {
		id := fmt.Sprintf("patient-%d", i)
		if Bucket(Record, id) == Bucket(Appointments, id) {
			same++
		}
	}
	if same > 50 {
		t.Errorf("buckets of two flags agree for %d of 1000 patients", same)
	}
}

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func newStore(t *testing.T) (*Store, *redistest.Server, *logBuffer) {
	t.Helper()
	rs := redistest.MustStart(t)
	logs := &logBuffer{}
	return NewStore(rs.Client(t), "t:", 500*time.Millisecond, slog.New(slog.NewJSONHandler(logs, nil))), rs, logs
}

func TestStoreUpdateHistoryAndDefaults(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	if err := s.SeedDefaults(ctx, map[Name]Rule{Record: {Practices: map[string]bool{"Z00001": true}}}); err != nil {
		t.Fatal(err)
	}
	amara := Subject{PatientID: "a", ODS: "Z00001"}
	if !s.Enabled(ctx, Record, amara) {
		t.Fatal("seeded default not applied")
	}
	c, err := s.Update(ctx, Record, "staff-1", "pausing while the practice trains staff", func(r Rule) (Rule, error) {
		r.Practices["Z00001"] = false
		return r, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Before.Practices["Z00001"] || c.After.Practices["Z00001"] {
		t.Errorf("change %+v", c)
	}
	if s.Enabled(ctx, Record, amara) {
		t.Error("update not applied in the same process")
	}
	// Seeding again never overwrites a person's change.
	s.SeedDefaults(ctx, map[Name]Rule{Record: {Practices: map[string]bool{"Z00001": true}}})
	if s.Enabled(ctx, Record, amara) {
		t.Error("defaults overwrote a change")
	}
	h, err := s.History(ctx, 10)
	if err != nil || len(h) != 1 || h[0].Actor != "staff-1" || h[0].Reason == "" {
		t.Errorf("history %+v %v", h, err)
	}
	if _, err := s.Update(ctx, "no_such_flag", "x", "y", func(r Rule) (Rule, error) { return r, nil }); !errors.Is(err, ErrUnknownFlag) {
		t.Errorf("unknown flag update: %v", err)
	}
}

func TestUnknownFlagAndUnreachableStoreAreOffAndLoggedOnce(t *testing.T) {
	s, rs, logs := newStore(t)
	ctx := context.Background()
	s.SeedDefaults(ctx, map[Name]Rule{Appointments: {Percentage: 100}})
	for i := 0; i < 5; i++ {
		if s.Enabled(ctx, "brand_new_feature", Subject{PatientID: "a"}) {
			t.Error("unknown flag on")
		}
	}
	if n := strings.Count(logs.String(), "unknown feature flag"); n != 1 {
		t.Errorf("unknown flag logged %d times, want once", n)
	}
	rs.Stop()
	time.Sleep(600 * time.Millisecond) // past the cache
	for i := 0; i < 20; i++ {
		if s.Enabled(ctx, Appointments, Subject{PatientID: "a"}) {
			t.Fatal("a flag was on with the store unreachable")
		}
	}
	if !s.Down(ctx) {
		t.Error("Down is false with the store unreachable")
	}
	if n := strings.Count(logs.String(), "unreachable"); n != 1 {
		t.Errorf("unreachable store logged %d times, want once", n)
	}
}

func TestChangeReachesAnotherProcessWithinASecond(t *testing.T) {
	rs := redistest.MustStart(t)
	log := slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil))
	// Two stores on two clients stand for two server processes; the TTL is
	// long so only the announcement can explain a quick change.
	a := NewStore(rs.Client(t), "t:", time.Minute, log)
	b := NewStore(rs.Client(t), "t:", time.Minute, log)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Watch(ctx)
	time.Sleep(100 * time.Millisecond) // let the subscription start
	sub := Subject{PatientID: "p", ODS: "Z00002"}
	if b.Enabled(ctx, Record, sub) {
		t.Fatal("on before any rule")
	}
	start := time.Now()
	a.Update(ctx, Record, "staff", "pilot extended", func(r Rule) (Rule, error) { r.Practices["Z00002"] = true; return r, nil })
	for !b.Enabled(ctx, Record, sub) {
		if time.Since(start) > time.Second {
			t.Fatal("the other process did not see the change within a second")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("propagated in %s", time.Since(start))
}
