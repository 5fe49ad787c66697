// Package flagstest is the contract every flags.Rules passes: Redis
// (sandbox) and PostgreSQL (production) alike.
//
// It is a test helper: only _test.go files may import it.
package flagstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nhs-companion/companion/server/flags"
)

// Run checks empty Rules made by open.
func Run(t *testing.T, open func(t *testing.T) flags.Rules) {
	ctx := context.Background()
	change := func(name flags.Name, edit func(*flags.Rule)) func(flags.Rule) (flags.Change, error) {
		return func(before flags.Rule) (flags.Change, error) {
			after := before
			after.Practices = map[string]bool{}
			for k, v := range before.Practices {
				after.Practices[k] = v
			}
			edit(&after)
			return flags.Change{Time: time.Now().UTC().Truncate(time.Millisecond), Flag: name, Actor: "sub", Reason: "why", Before: before, After: after}, nil
		}
	}
	t.Run("ChangeStoresRuleAndHistory", func(t *testing.T) {
		r := open(t)
		if all, err := r.All(ctx); err != nil || len(all) != 0 {
			t.Fatalf("new rules: %v %v", all, err)
		}
		if _, err := r.Change(ctx, flags.Record, change(flags.Record, func(x *flags.Rule) { x.Practices["Z00001"] = true })); err != nil {
			t.Fatal(err)
		}
		c2, err := r.Change(ctx, flags.Record, change(flags.Record, func(x *flags.Rule) { x.Percentage = 20 }))
		if err != nil {
			t.Fatal(err)
		}
		if !c2.Before.Practices["Z00001"] || c2.After.Percentage != 20 || !c2.After.Practices["Z00001"] {
			t.Errorf("second change saw %+v → %+v", c2.Before, c2.After)
		}
		all, _ := r.All(ctx)
		if got := all[flags.Record]; got.Percentage != 20 || !got.Practices["Z00001"] {
			t.Errorf("stored rule %+v", got)
		}
		h, err := r.History(ctx, 10)
		if err != nil || len(h) != 2 {
			t.Fatalf("history: %d %v", len(h), err)
		}
		if diff := cmp.Diff(c2, h[0], cmpopts.EquateEmpty(), cmpopts.EquateApproxTime(time.Millisecond)); diff != "" {
			t.Errorf("newest change (-want +got):\n%s", diff)
		}
		if h, _ := r.History(ctx, 1); len(h) != 1 {
			t.Errorf("History(1) = %d changes", len(h))
		}
	})
	t.Run("RefusedChangeChangesNothing", func(t *testing.T) {
		r := open(t)
		no := errors.New("no")
		if _, err := r.Change(ctx, flags.Record, func(flags.Rule) (flags.Change, error) { return flags.Change{}, no }); !errors.Is(err, no) {
			t.Errorf("Change: %v, want the refusal", err)
		}
		if h, _ := r.History(ctx, 10); len(h) != 0 {
			t.Errorf("a refused change is in the history: %+v", h)
		}
	})
	t.Run("ConcurrentChangesAllTakeEffect", func(t *testing.T) {
		r := open(t)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ods := fmt.Sprintf("Z%05d", i)
				if _, err := r.Change(ctx, flags.Appointments, change(flags.Appointments, func(x *flags.Rule) { x.Practices[ods] = true })); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		all, _ := r.All(ctx)
		if n := len(all[flags.Appointments].Practices); n != 20 {
			t.Errorf("%d of 20 concurrent changes kept", n)
		}
		if h, _ := r.History(ctx, 100); len(h) != 20 {
			t.Errorf("%d of 20 concurrent changes in the history", len(h))
		}
	})
	t.Run("SeedLeavesSetRulesAlone", func(t *testing.T) {
		r := open(t)
		if _, err := r.Change(ctx, flags.Record, change(flags.Record, func(x *flags.Rule) { x.Kill = true })); err != nil {
			t.Fatal(err)
		}
		seed := map[flags.Name]flags.Rule{flags.Record: {Percentage: 100}, flags.Prescriptions: {Percentage: 50}}
		if err := r.Seed(ctx, seed); err != nil {
			t.Fatal(err)
		}
		all, _ := r.All(ctx)
		if !all[flags.Record].Kill || all[flags.Record].Percentage != 0 || all[flags.Prescriptions].Percentage != 50 {
			t.Errorf("after seeding: %+v", all)
		}
	})
}
