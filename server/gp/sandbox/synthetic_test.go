package sandbox

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

func TestSyntheticNumbers(t *testing.T) {
	// The oracle: walk the 9991 block and keep what nhs.ValidNumber accepts.
	var want []string
	for n := 9991000000; len(want) < 3000; n++ {
		if s := strconv.Itoa(n); nhs.ValidNumber(s) {
			want = append(want, s)
		}
	}
	for _, n := range []int{0, 1, 11, 3000} {
		if diff := cmp.Diff(want[:n], SyntheticNumbers(n)); diff != "" {
			t.Errorf("SyntheticNumbers(%d) (-want +got):\n%s", n, diff)
		}
	}
}

func TestAddPatients(t *testing.T) {
	ctx := context.Background()
	s, _ := newSeeded(t, time.Date(2026, 11, 23, 9, 0, 0, 0, london))
	const n = 5000
	began := time.Now()
	nums, err := s.AddPatients(ctx, PilotPractice, n)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("adding %d patients took %v", n, took)
	}
	seen := map[string]bool{}
	for i, num := range nums {
		if !nhs.ValidNumber(num) || !nhs.TestRange(num) || num[:4] != "9991" || seen[num] || (i > 0 && num <= nums[i-1]) {
			t.Fatalf("number %d, %s: not a fresh ascending valid 9991-range number", i, num)
		}
		seen[num] = true
	}
	if len(nums) != n {
		t.Fatalf("%d numbers, want %d", len(nums), n)
	}
	first, err := s.Patient(ctx, nums[0])
	if err != nil {
		t.Fatal(err)
	}
	if first.GivenName != "Test" || first.FamilyName != "Patient 0001" || first.PracticeODS != PilotPractice || first.BirthDate.IsZero() {
		t.Errorf("first synthetic patient %+v", first)
	}
	last, err := s.Patient(ctx, nums[n-1])
	if err != nil {
		t.Fatal(err)
	}

	again, err := s.AddPatients(ctx, PilotPractice, n)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(nums, again); diff != "" {
		t.Errorf("second AddPatients gave other numbers (-first +second):\n%s", diff)
	}
	lastAgain, err := s.Patient(ctx, nums[n-1])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(last, lastAgain); diff != "" {
		t.Errorf("second AddPatients changed a patient (-before +after):\n%s", diff)
	}
	// Synthetic patients can book like anyone else.
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, london)
	sl := freeSlots(t, s, now, gp.SlotBloodTest)[0]
	if _, err := s.Book(ctx, gp.Booking{PatientNHS: nums[n-1], PracticeODS: PilotPractice, SlotID: sl.ID}); err != nil {
		t.Errorf("synthetic patient booking: %v", err)
	}

	if _, err := s.AddPatients(ctx, "NOPE99", 1); !errors.Is(err, gp.ErrNotFound) {
		t.Errorf("AddPatients at an unknown practice: got %v, want ErrNotFound", err)
	}
}
