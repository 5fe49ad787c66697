package prescribing_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/featuretest"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/keep"
	"github.com/nhs-companion/companion/server/prescribing"
)

func TestCheckNote(t *testing.T) {
	rules := gp.PrescriptionRules{NoteMax: 5, EarlyDays: 10}
	for _, tt := range []struct {
		name, note string
		early      bool
		want       string
		err        error
	}{
		{"trimmed", " hi ", false, "hi", nil},
		{"empty when on time", "", false, "", nil},
		{"empty when early", "  ", true, "", prescribing.ErrEarlyReason},
		{"reason when early", "away", true, "away", nil},
		{"too long", "abcdef", false, "", prescribing.ErrNoteTooLong},
		{"control character", "a\x1bb", false, "", fault.ErrBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := prescribing.CheckNote(tt.note, rules, tt.early)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("CheckNote(%q, %v) = %q, %v; want %q, %v", tt.note, tt.early, got, err, tt.want, tt.err)
			}
		})
	}
}

func service(e *featuretest.Env) *prescribing.Service {
	return &prescribing.Service{Directory: e.GP, Idem: e.Idem, Audit: e.Trail, Reads: prescribing.NewReadState(keep.Redis(e.Redis, "ft:"))}
}

// TestChooseAppliesEachRepeatsState: an orderable repeat is chosen once
// however often it is named; one already on its way or due a review is
// refused with its own code; someone else's is unknown.
func TestChooseAppliesEachRepeatsState(t *testing.T) {
	e := featuretest.MustStart(t)
	s := service(e)
	ctx := context.Background()
	amara := e.Patient(t, featuretest.Amara, featuretest.Amara, prescribing.Need)
	m, err := s.Medicines(ctx, amara)
	if err != nil {
		t.Fatal(err)
	}
	byState := map[string]string{}
	for _, rp := range m.Repeats {
		byState[m.State(rp)] = rp.ID
	}
	orderable, ok := byState["orderable"]
	if !ok {
		t.Fatalf("Amara has no orderable repeat: %v", byState)
	}
	if ids, err := m.Choose([]string{orderable, orderable}); err != nil || len(ids) != 1 {
		t.Errorf("Choose twice the same: %v %v", ids, err)
	}
	if _, err := m.Choose(nil); !errors.Is(err, prescribing.ErrNoMedicine) {
		t.Errorf("Choose nothing: %v", err)
	}
	if _, err := m.Choose([]string{"someone-elses"}); !errors.Is(err, prescribing.ErrUnknownMedicine) {
		t.Errorf("Choose unknown: %v", err)
	}
	if id, ok := byState["review_due"]; ok {
		if _, err := m.Choose([]string{id}); !errors.Is(err, prescribing.ErrReviewDue) {
			t.Errorf("Choose review due: %v", err)
		}
	}
	// Ordering puts it on its way: the next order of it is refused, and
	// both answers are audited.
	req := api.OrderRequest{MedicationIDs: []string{orderable}, PharmacyODS: "FZZ01"}
	if _, err := s.Order(ctx, amara, req, "", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Order(ctx, amara, req, "", "test"); !errors.Is(err, prescribing.ErrAlreadyRequested) {
		t.Errorf("second order: %v", err)
	}
	if !e.Audit.Has("order_prescription", "success", "") || !e.Audit.Has("order_prescription", "refused", "already_requested") {
		t.Errorf("audit: %+v", e.Audit.Events)
	}
	many := api.OrderRequest{MedicationIDs: make([]string, prescribing.MaxMedicines+1)}
	if _, err := s.Order(ctx, amara, many, "", "test"); !errors.Is(err, fault.ErrBadRequest) {
		t.Errorf("too many medicines: %v", err)
	}
}

// TestAdvanceKeepsTheDraftInOrder: each step moves the draft on, a step out
// of turn changes nothing, and a refused answer is kept to show again.
func TestAdvanceKeepsTheDraftInOrder(t *testing.T) {
	e := featuretest.MustStart(t)
	s := service(e)
	ctx := context.Background()
	p := e.Patient(t, featuretest.Amara, featuretest.Amara, prescribing.Need)
	var d prescribing.Draft
	if next, err := s.Advance(ctx, p, &d, api.OrderNote, prescribing.Answers{Note: "x"}); next != "" || err != nil || d.Note != "" {
		t.Errorf("note before medicines: %q %v %+v", next, err, d)
	}
	if _, err := s.Advance(ctx, p, &d, api.OrderMedicines, prescribing.Answers{Medicines: []string{"nope"}}); !errors.Is(err, prescribing.ErrUnknownMedicine) || d.IDs[0] != "nope" {
		t.Errorf("unknown medicine: %v %+v", err, d)
	}
	m, _ := s.Medicines(ctx, p)
	var id string
	for _, rp := range m.Repeats {
		if m.State(rp) == "orderable" {
			id = rp.ID
		}
	}
	if next, err := s.Advance(ctx, p, &d, api.OrderMedicines, prescribing.Answers{Medicines: []string{id}}); next != api.OrderNote || err != nil {
		t.Fatalf("medicines: %q %v", next, err)
	}
	if next, err := s.Advance(ctx, p, &d, api.OrderNote, prescribing.Answers{Note: strings.Repeat("n", 1000)}); !errors.Is(err, prescribing.ErrNoteTooLong) || next != "" || d.NoteDone {
		t.Errorf("long note: %q %v", next, err)
	}
	if next, err := s.Advance(ctx, p, &d, api.OrderNote, prescribing.Answers{Note: "thanks"}); next != api.OrderPharmacy || err != nil {
		t.Fatalf("note: %q %v", next, err)
	}
	if _, err := s.Advance(ctx, p, &d, api.OrderPharmacy, prescribing.Answers{}); !errors.Is(err, prescribing.ErrPharmacyRequired) {
		t.Errorf("no pharmacy: %v", err)
	}
	if _, err := s.Advance(ctx, p, &d, api.OrderPharmacy, prescribing.Answers{Pharmacy: "ZZZ99"}); !errors.Is(err, prescribing.ErrUnknownPharmacy) {
		t.Errorf("unknown pharmacy: %v", err)
	}
	if next, err := s.Advance(ctx, p, &d, api.OrderPharmacy, prescribing.Answers{Pharmacy: "FZZ01"}); next != api.OrderCheck || err != nil || d.Reached() != api.OrderCheck {
		t.Errorf("pharmacy: %q %v %q", next, err, d.Reached())
	}
}
