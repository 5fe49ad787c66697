package gptest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nhs-companion/companion/server/gp"
)

// checkSlots checks the practice's booking rules, clinicians and free slots.
func (s *appointmentSuite) checkSlots(t *testing.T) {
	ctx, sys, fx, all, from, to := s.ctx, s.sys, s.fx, s.all, s.from, s.to

	t.Run("BookingRules", func(t *testing.T) {
		p, err := sys.Practice(ctx, fx.Practice)
		if err != nil {
			t.Fatal(err)
		}
		if p.Booking.ReasonMax <= 0 || p.Booking.BookCutoff < 0 || p.Booking.CancelCutoff < 0 {
			t.Errorf("Practice: implausible booking rules %+v", p.Booking)
		}
	})

	t.Run("Clinicians", func(t *testing.T) {
		cs, err := sys.Clinicians(ctx, fx.Practice)
		if err != nil || len(cs) == 0 {
			t.Fatalf("Clinicians: %v, %v", cs, err)
		}
		byID := map[string]gp.Clinician{}
		for _, c := range cs {
			if c.ID == "" || c.Name == "" || c.Role == "" {
				t.Errorf("incomplete clinician %+v", c)
			}
			byID[c.ID] = c
		}
		for _, sl := range all {
			if diff := cmp.Diff(byID[sl.Clinician.ID], sl.Clinician); diff != "" {
				t.Fatalf("slot %s: clinician not as listed (-listed +slot):\n%s", sl.ID, diff)
			}
		}
		if _, err := sys.Clinicians(ctx, "NOPE99"); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("Clinicians(NOPE99): got %v, want ErrNotFound", err)
		}
	})

	t.Run("SlotsInRangeOrderedFree", func(t *testing.T) {
		for i, sl := range all {
			if sl.ID == "" || sl.PracticeODS != fx.Practice || sl.Type == "" || sl.Mode == "" || !sl.End.After(sl.Start) {
				t.Errorf("incomplete slot %+v", sl)
			}
			if sl.Start.Before(from) || !sl.Start.Before(to) {
				t.Errorf("slot %s starts %v, outside [%v, %v)", sl.ID, sl.Start, from, to)
			}
			if i > 0 && sl.Start.Before(all[i-1].Start) {
				t.Errorf("slot %s out of order", sl.ID)
			}
		}
		// A narrower window is the matching part of the wider one.
		dayFrom := all[len(all)/2].Start
		dayTo := dayFrom.Add(24 * time.Hour)
		got, err := sys.Slots(ctx, gp.SlotQuery{Practice: fx.Practice, From: dayFrom, To: dayTo})
		if err != nil {
			t.Fatal(err)
		}
		want := filter(all, func(s gp.Slot) bool { return !s.Start.Before(dayFrom) && s.Start.Before(dayTo) })
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Slots over one day (-want +got):\n%s", diff)
		}
		if _, err := sys.Slots(ctx, gp.SlotQuery{Practice: fx.Practice}); err == nil {
			t.Error("Slots with no From and To: no error, want one")
		}
		if _, err := sys.Slots(ctx, gp.SlotQuery{Practice: "NOPE99", From: from, To: to}); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("Slots(NOPE99): got %v, want ErrNotFound", err)
		}
	})

	t.Run("SlotsFiltered", func(t *testing.T) {
		type filterCase struct {
			name  string
			q     gp.SlotQuery
			match func(gp.Slot) bool
		}
		var cases []filterCase
		seen := map[string]bool{}
		for _, sl := range all {
			if k := "type=" + string(sl.Type); !seen[k] {
				seen[k] = true
				typ := sl.Type
				cases = append(cases, filterCase{k, gp.SlotQuery{Type: typ}, func(s gp.Slot) bool { return s.Type == typ }})
			}
			if k := "mode=" + string(sl.Mode); !seen[k] {
				seen[k] = true
				mode := sl.Mode
				cases = append(cases, filterCase{k, gp.SlotQuery{Mode: mode}, func(s gp.Slot) bool { return s.Mode == mode }})
			}
			if k := "clinician=" + sl.Clinician.ID; !seen[k] {
				seen[k] = true
				id, typ := sl.Clinician.ID, sl.Type
				cases = append(cases, filterCase{k + "," + string(typ), gp.SlotQuery{ClinicianID: id, Type: typ},
					func(s gp.Slot) bool { return s.Clinician.ID == id && s.Type == typ }})
			}
		}
		cases = append(cases, filterCase{"no such type", gp.SlotQuery{Type: "no_such_type"}, func(gp.Slot) bool { return false }})
		if len(cases) < 4 {
			t.Errorf("only %d distinct filters in the practice's slots; want types, modes and clinicians to vary", len(cases))
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				q := c.q
				q.Practice, q.From, q.To = fx.Practice, from, to
				got, err := sys.Slots(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(filter(all, c.match), got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("Slots(%+v) (-want +got):\n%s", c.q, diff)
				}
			})
		}
	})
}
