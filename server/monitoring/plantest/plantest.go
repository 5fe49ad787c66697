// Package plantest is the contract every monitoring.Store passes.
//
// It is a test helper: only _test.go files may import it.
package plantest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/monitoring"
)

func v(f float64) *float64 { return &f }

// Run checks an empty store made by open: a missing plan, a plan read back
// exactly, a change replacing it, plans kept per practice, and many staff
// putting different patients on plans at once losing none.
func Run(t *testing.T, open func(t *testing.T) monitoring.Store) {
	ctx := context.Background()
	s := open(t)
	if _, ok, err := s.Plan(ctx, "A1", "9990000018"); ok || err != nil {
		t.Errorf("a missing plan: ok %v, %v", ok, err)
	}
	if list, err := s.Plans(ctx, "A1"); len(list) != 0 || err != nil {
		t.Errorf("no plans: %v %v", list, err)
	}
	start := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	p := monitoring.Plan{PatientNHS: "9990000018", PracticeODS: "A1", Start: start, End: start.AddDate(0, 0, 28),
		SetBy: "Dr Ade", Updated: start,
		Signs: []monitoring.PlanSign{{Sign: gp.BloodPressure, EveryHours: 24,
			Limits: []monitoring.Limits{{RedLow: v(90), AmberHigh: v(135.5)}, {RedHigh: v(120)}}}}}
	if err := s.Put(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Plan(ctx, "A1", "9990000018")
	if !ok || err != nil || !same(got, p) {
		t.Errorf("read back %+v %v %v, want %+v", got, ok, err, p)
	}
	if _, ok, _ := s.Plan(ctx, "B2", "9990000018"); ok {
		t.Error("a plan at one practice was found at another")
	}
	// A review moves forward only, and a change to the plan keeps it.
	if err := s.Review(ctx, "A1", "9990000018", start.Add(time.Hour), "Nurse Bell"); err != nil {
		t.Fatal(err)
	}
	if err := s.Review(ctx, "A1", "9990000018", start.Add(time.Minute), "Dr Late"); err != nil {
		t.Fatal(err)
	}
	p.Signs = append(p.Signs, monitoring.PlanSign{Sign: gp.Pulse, EveryHours: 12, Limits: []monitoring.Limits{{}}})
	if err := s.Put(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.ReviewedUpTo, p.ReviewedBy = start.Add(time.Hour), "Nurse Bell"
	if got, _, _ := s.Plan(ctx, "A1", "9990000018"); !same(got, p) {
		t.Errorf("after a review and a change %+v, want %+v", got, p)
	}
	if list, _ := s.Plans(ctx, "A1"); len(list) != 1 || !same(list[0], p) {
		t.Errorf("the practice's plans %+v, want %+v", list, p)
	}
	var wg sync.WaitGroup
	for _, n := range []string{"9990000026", "9990000034", "9990000042", "9990000069"} {
		wg.Go(func() {
			q := p
			q.PatientNHS = n
			if err := s.Put(ctx, q); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if list, err := s.Plans(ctx, "A1"); len(list) != 5 || err != nil {
		t.Errorf("after five patients' plans at once: %d plans, %v", len(list), err)
	}
	if list, _ := s.Plans(ctx, "B2"); len(list) != 0 {
		t.Errorf("another practice lists %d plans", len(list))
	}
}

// same compares plans, times by instant.
func same(a, b monitoring.Plan) bool {
	times := func(p *monitoring.Plan) []time.Time {
		out := []time.Time{p.Start, p.End, p.Updated, p.ReviewedUpTo}
		p.Start, p.End, p.Updated, p.ReviewedUpTo = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		return out
	}
	ta, tb := times(&a), times(&b)
	for i := range ta {
		if !ta[i].Equal(tb[i]) {
			return false
		}
	}
	return reflect.DeepEqual(a, b)
}
