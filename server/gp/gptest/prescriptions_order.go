package gptest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
)

// checkRepeats checks listing repeats: complete, coded, ordered by name,
// the patient's own and the same on every read.
func (s *prescriptionSuite) checkRepeats(t *testing.T) {
	ctx, sys, fx := s.ctx, s.sys, s.fx
	mine, theirs := s.mine, s.theirs
	repeats, note := s.repeats, s.note

	t.Run("Repeats", func(t *testing.T) {
		seen := map[string]bool{}
		for i, rp := range mine {
			switch {
			case rp.ID == "" || seen[rp.ID]:
				t.Errorf("repeat %q: no ID, or not unique", rp.ID)
			case HasNHSNumber(rp.ID):
				t.Errorf("repeat ID %q holds an NHS number", rp.ID)
			}
			seen[rp.ID] = true
			if rp.Name == "" || rp.Dose == "" || rp.Quantity == "" || rp.SupplyDays <= 0 {
				t.Errorf("incomplete repeat %+v", rp)
			}
			if err := checkCoding(rp.Drug); err != nil {
				t.Errorf("repeat %s: drug %+v: %v", rp.ID, rp.Drug, err)
			}
			if i > 0 && rp.Name < mine[i-1].Name {
				t.Errorf("repeat %q listed after %q: not ordered by name", rp.Name, mine[i-1].Name)
			}
		}
		for _, rp := range theirs {
			if seen[rp.ID] {
				t.Errorf("repeat ID %s belongs to both patients", rp.ID)
			}
		}
		if again := repeats(t, fx.Patient); !cmp.Equal(mine, again) {
			t.Errorf("Repeats changed between two reads:\n%s", cmp.Diff(mine, again))
		}
		for _, n := range []string{unregistered, "9990000019", "not-a-number", ""} {
			if _, err := sys.Repeats(ctx, n); !errors.Is(note(err), gp.ErrNotFound) {
				t.Errorf("Repeats(%q): got %v, want ErrNotFound", n, err)
			}
			if _, err := sys.PrescriptionRequests(ctx, n); !errors.Is(note(err), gp.ErrNotFound) {
				t.Errorf("PrescriptionRequests(%q): got %v, want ErrNotFound", n, err)
			}
		}
	})
}

// checkOrders checks ordering repeats: refused orders make nothing, an
// order makes one request per medicine, and a medicine on its way cannot
// be ordered again.
func (s *prescriptionSuite) checkOrders(t *testing.T) {
	ctx, sys, fx := s.ctx, s.sys, s.fx
	mine, theirs, reviewDue, early := s.mine, s.theirs, s.reviewDue, s.early
	first, second, ph := s.first, s.second, s.ph
	repeats, requests, order := s.repeats, s.requests, s.order

	elsewhere := "NOPE99"
	if codes, err := sys.PracticeCodes(ctx); err == nil {
		for _, c := range codes {
			if c != fx.Practice {
				elsewhere = c
				break
			}
		}
	}

	t.Run("RefusedOrdersCreateNothing", func(t *testing.T) {
		for _, tc := range []struct {
			name              string
			patient, practice string
			ids               []string
			note, pharmacy    string
			want              error // nil: any error
		}{
			{"unknown medicine", fx.Patient, fx.Practice, []string{first.ID, "rx-no-such-medicine"}, "", fx.Pharmacy, gp.ErrNotFound},
			{"someone else's medicine", fx.Patient, fx.Practice, []string{first.ID, theirs[0].ID}, "", fx.Pharmacy, gp.ErrNotFound},
			{"past review", fx.Patient, fx.Practice, []string{first.ID, reviewDue[0].ID}, "", fx.Pharmacy, gp.ErrReviewDue},
			{"past review, with a note", fx.Patient, fx.Practice, []string{reviewDue[0].ID}, "Please", fx.Pharmacy, gp.ErrReviewDue},
			{"early without a note", fx.Patient, fx.Practice, []string{first.ID, early[0].ID}, "", fx.Pharmacy, gp.ErrTooEarly},
			{"early with a blank note", fx.Patient, fx.Practice, []string{early[0].ID}, " \n\t ", fx.Pharmacy, gp.ErrTooEarly},
			{"unknown pharmacy", fx.Patient, fx.Practice, []string{first.ID}, "", "FNOPE", gp.ErrNotFound},
			{"no pharmacy", fx.Patient, fx.Practice, []string{first.ID}, "", "", gp.ErrNotFound},
			{"another practice", fx.Patient, elsewhere, []string{first.ID}, "", fx.Pharmacy, gp.ErrNotFound},
			{"unregistered patient", unregistered, fx.Practice, []string{first.ID}, "", fx.Pharmacy, gp.ErrNotFound},
			{"invalid NHS number", "9990000019", fx.Practice, []string{first.ID}, "", fx.Pharmacy, gp.ErrNotFound},
			{"no medicines", fx.Patient, fx.Practice, nil, "", fx.Pharmacy, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := requests(t, fx.Patient)
				reqs, err := order(tc.patient, tc.practice, tc.ids, tc.note, tc.pharmacy)
				switch {
				case err == nil:
					t.Errorf("Order: no error, made %d requests", len(reqs))
				case tc.want != nil && !errors.Is(err, tc.want):
					t.Errorf("Order: got %v, want %v", err, tc.want)
				}
				if after := requests(t, fx.Patient); len(after) != len(before) {
					t.Errorf("a refused order made %d requests", len(after)-len(before))
				}
			})
		}
	})

	var placed []gp.Request
	t.Run("Order", func(t *testing.T) {
		before := requests(t, fx.Patient)
		start := time.Now()
		const reason = "Going away for a month on Saturday."
		reqs, err := order(fx.Patient, fx.Practice, []string{first.ID, early[0].ID, first.ID}, "  "+reason+"  ", fx.Pharmacy)
		if err != nil {
			t.Fatalf("Order with a note for the early medicine: %v", err)
		}
		if len(reqs) != 2 {
			t.Fatalf("Order of two medicines (one named twice): %d requests, want 2", len(reqs))
		}
		for i, rp := range []gp.Repeat{first, early[0]} {
			rq := reqs[i]
			want := gp.Request{
				ID: rq.ID, OrderID: reqs[0].OrderID, PatientNHS: fx.Patient, RepeatID: rp.ID,
				Name: rp.Name, Dose: rp.Dose, Quantity: rp.Quantity, Note: reason, Pharmacy: ph,
				History: rq.History, RequestedBy: rxActor,
			}
			if diff := cmp.Diff(want, rq); diff != "" {
				t.Errorf("request for %s (-want +got):\n%s", rp.Name, diff)
			}
			if rq.ID == "" || rq.OrderID == "" || rq.ID == rq.OrderID || HasNHSNumber(rq.ID) || HasNHSNumber(rq.OrderID) {
				t.Errorf("request %q of order %q: bad IDs", rq.ID, rq.OrderID)
			}
			checkHistory(t, rq, start)
			if rq.Status() != gp.RxRequested || !rq.Pending() {
				t.Errorf("new request is %s, want requested", rq.Status())
			}
		}
		if reqs[0].ID == reqs[1].ID {
			t.Error("two requests share an ID")
		}
		after := requests(t, fx.Patient)
		if len(after) != len(before)+2 {
			t.Fatalf("%d requests listed after ordering two, want %d", len(after), len(before)+2)
		}
		for _, rq := range reqs {
			i := slices.IndexFunc(after, func(o gp.Request) bool { return o.ID == rq.ID })
			if i < 0 || i > 1 {
				t.Errorf("request %s listed at %d, want among the first two (newest first)", rq.ID, i)
				continue
			}
			if diff := cmp.Diff(rq, after[i]); diff != "" {
				t.Errorf("listed request differs from the order's (-ordered +listed):\n%s", diff)
			}
		}
		placed = reqs
	})
	if placed == nil {
		t.Fatal("no order placed; the rest of the suite depends on it")
	}

	t.Run("AlreadyRequested", func(t *testing.T) {
		before := requests(t, fx.Patient)
		for _, ids := range [][]string{{first.ID}, {second.ID, first.ID}, {early[0].ID}} {
			_, err := order(fx.Patient, fx.Practice, ids, "Need it early", fx.Pharmacy)
			if !errors.Is(err, gp.ErrAlreadyRequested) {
				t.Errorf("Order(%v) while a request is on its way: got %v, want ErrAlreadyRequested", ids, err)
			}
		}
		if after := requests(t, fx.Patient); len(after) != len(before) {
			t.Errorf("refused orders made %d requests; the one not yet requested must not be ordered alone", len(after)-len(before))
		}
	})

	t.Run("NewestFirst", func(t *testing.T) {
		time.Sleep(5 * time.Millisecond) // so the next order is strictly newer
		reqs, err := order(fx.Patient, fx.Practice, []string{second.ID}, "", fx.Pharmacy)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("Order(second): %d requests, %v", len(reqs), err)
		}
		list := requests(t, fx.Patient)
		i := slices.IndexFunc(list, func(rq gp.Request) bool { return rq.ID == reqs[0].ID })
		if i < 0 || len(list) < 3 {
			t.Fatalf("the newest request is not listed (%d listed)", len(list))
		}
		for _, rq := range list[:i] {
			if !rq.History[0].At.Equal(reqs[0].History[0].At) {
				t.Errorf("request %s, older than the newest, is listed before it", rq.ID)
			}
		}
		for i, rq := range list {
			if rq.PatientNHS != fx.Patient || len(rq.History) == 0 || rq.History[0].Status != gp.RxRequested {
				t.Errorf("listed request %s: patient %t, history %+v", rq.ID, rq.PatientNHS == fx.Patient, rq.History)
				continue
			}
			if i > 0 && rq.History[0].At.After(list[i-1].History[0].At) {
				t.Errorf("request %s made after %s but listed later", rq.ID, list[i-1].ID)
			}
		}
	})

	t.Run("OtherPatientUnaffected", func(t *testing.T) {
		for _, rq := range requests(t, fx.OtherPatient) {
			for _, p := range placed {
				if rq.ID == p.ID || rq.PatientNHS != fx.OtherPatient {
					t.Errorf("another patient's requests list %s", rq.ID)
				}
			}
		}
		if mineNow := repeats(t, fx.Patient); len(mineNow) != len(mine) {
			t.Errorf("ordering changed the templates: %d, then %d", len(mine), len(mineNow))
		}
	})
}
