package gptest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
)

// PrescriptionFixture names what the prescriptions contract needs. The suite
// orders medicines and changes a nomination, so run it on a system of its
// own, keeping real time.
type PrescriptionFixture struct {
	// Patient, registered at Practice, has at least two repeats that can be
	// ordered now (due within the practice's early days, not past review,
	// none on its way), one past its review date and one not yet due.
	Patient, Practice string
	// OtherPatient is another patient with at least one repeat.
	OtherPatient string
	// Unnominated is a registered patient with no nominated pharmacy.
	Unnominated string
	// Pharmacy is the ODS code of a pharmacy in the directory.
	Pharmacy string
}

// RunPrescriptions checks the repeat-prescribing part of the port. How
// requests move on over time depends on the adapter's clock, so adapters
// check that in their own tests; here a request need only start as
// requested and stay on its way for the length of the suite.
func RunPrescriptions(t *testing.T, sys gp.System, fx PrescriptionFixture) {
	ctx := context.Background()
	practice, err := sys.Practice(ctx, fx.Practice)
	if err != nil {
		t.Fatalf("Practice(%s): %v", fx.Practice, err)
	}
	rules := practice.Prescribing
	if rules.EarlyDays <= 0 {
		rules.EarlyDays = gp.DefaultPrescriptionRules.EarlyDays
	}
	loc, err := time.LoadLocation(practice.TimeZone)
	if err != nil {
		t.Fatalf("practice time zone: %v", err)
	}
	today := gp.DateOf(time.Now().In(loc))

	var errs []error // every error the port returns, checked for NHS numbers
	note := func(err error) error {
		if err != nil {
			errs = append(errs, err)
		}
		return err
	}
	repeats := func(t *testing.T, patient string) []gp.Repeat {
		t.Helper()
		list, err := sys.Repeats(ctx, patient)
		if note(err) != nil {
			t.Fatalf("Repeats: %v", err)
		}
		return list
	}
	requests := func(t *testing.T, patient string) []gp.Request {
		t.Helper()
		list, err := sys.PrescriptionRequests(ctx, patient)
		if note(err) != nil {
			t.Fatalf("PrescriptionRequests: %v", err)
		}
		return list
	}
	const actor = "actor-rx-contract"
	order := func(patient, practice string, ids []string, text, pharmacy string) ([]gp.Request, error) {
		reqs, err := sys.Order(ctx, gp.Order{
			PatientNHS: patient, PracticeODS: practice, RepeatIDs: ids, Note: text, PharmacyODS: pharmacy,
			Actor: actor, EarlyDays: rules.EarlyDays, Today: today,
		})
		return reqs, note(err)
	}

	mine := repeats(t, fx.Patient)
	pending := map[string]bool{}
	for _, rq := range requests(t, fx.Patient) {
		if rq.Pending() {
			pending[rq.RepeatID] = true
		}
	}
	var orderable, reviewDue, early []gp.Repeat
	for _, rp := range mine {
		switch {
		case rp.ReviewDue(today):
			reviewDue = append(reviewDue, rp)
		case pending[rp.ID]:
		case rp.Early(today, rules.EarlyDays):
			early = append(early, rp)
		default:
			orderable = append(orderable, rp)
		}
	}
	if len(orderable) < 2 || len(reviewDue) == 0 || len(early) == 0 {
		t.Fatalf("fixture patient: %d orderable, %d past review, %d early repeats; want at least 2, 1 and 1",
			len(orderable), len(reviewDue), len(early))
	}
	theirs := repeats(t, fx.OtherPatient)
	if len(theirs) == 0 {
		t.Fatal("fixture's other patient has no repeats")
	}
	first, second := orderable[0], orderable[1]
	ph, err := sys.Pharmacy(ctx, fx.Pharmacy)
	if err != nil {
		t.Fatalf("Pharmacy(%s): %v", fx.Pharmacy, err)
	}

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
				History: rq.History, RequestedBy: actor,
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

	t.Run("Nomination", func(t *testing.T) {
		got, ok, err := sys.NominatedPharmacy(ctx, fx.Unnominated)
		if note(err) != nil || ok {
			t.Fatalf("NominatedPharmacy(unnominated): %+v, %t, %v; want none", got, ok, err)
		}
		set, err := sys.Nominate(ctx, fx.Unnominated, fx.Pharmacy, actor)
		if note(err) != nil {
			t.Fatalf("Nominate: %v", err)
		}
		if diff := cmp.Diff(ph, set); diff != "" {
			t.Errorf("Nominate returned (-pharmacy +got):\n%s", diff)
		}
		got, ok, err = sys.NominatedPharmacy(ctx, fx.Unnominated)
		if note(err) != nil || !ok {
			t.Fatalf("NominatedPharmacy after Nominate: %t, %v", ok, err)
		}
		if diff := cmp.Diff(ph, got); diff != "" {
			t.Errorf("NominatedPharmacy (-nominated +got):\n%s", diff)
		}
		for _, tc := range []struct{ name, patient, ods string }{
			{"unknown pharmacy", fx.Unnominated, "FNOPE"},
			{"no pharmacy", fx.Unnominated, ""},
			{"unregistered patient", unregistered, fx.Pharmacy},
			{"invalid NHS number", "9990000019", fx.Pharmacy},
		} {
			if _, err := sys.Nominate(ctx, tc.patient, tc.ods, actor); !errors.Is(note(err), gp.ErrNotFound) {
				t.Errorf("Nominate, %s: got %v, want ErrNotFound", tc.name, err)
			}
		}
		if _, _, err := sys.NominatedPharmacy(ctx, unregistered); !errors.Is(note(err), gp.ErrNotFound) {
			t.Errorf("NominatedPharmacy(unregistered): got %v, want ErrNotFound", err)
		}
		if got, _, _ := sys.NominatedPharmacy(ctx, fx.Unnominated); got.ODS != fx.Pharmacy {
			t.Errorf("a refused nomination changed the nominated pharmacy to %q", got.ODS)
		}
	})

	t.Run("Pharmacies", func(t *testing.T) {
		all, err := sys.Pharmacies(ctx, "")
		if note(err) != nil || len(all) < 2 {
			t.Fatalf("Pharmacies(\"\"): %d, %v; want them all", len(all), err)
		}
		for i, p := range all {
			if p.ODS == "" || p.Name == "" || p.Postcode == "" || len(p.Address) == 0 {
				t.Errorf("incomplete pharmacy %+v", p)
			}
			if i > 0 && p.Name < all[i-1].Name {
				t.Errorf("pharmacy %q listed after %q: not ordered by name", p.Name, all[i-1].Name)
			}
		}
		if !slices.ContainsFunc(all, func(p gp.Pharmacy) bool { return cmp.Equal(p, ph) }) {
			t.Errorf("Pharmacies(\"\") lacks %+v", ph)
		}
		word := strings.Fields(ph.Name)[0]
		outward := strings.Fields(ph.Postcode)[0]
		for _, q := range []string{
			ph.Name, strings.ToLower(word), strings.ToUpper(word), ph.Postcode, strings.ToLower(ph.Postcode),
			strings.ReplaceAll(ph.Postcode, " ", ""), strings.ToLower(strings.ReplaceAll(ph.Postcode, " ", "")),
			outward, strings.ToLower(outward), "  " + ph.Postcode + " ",
		} {
			found, err := sys.Pharmacies(ctx, q)
			if note(err) != nil {
				t.Fatalf("Pharmacies(%q): %v", q, err)
			}
			if !slices.ContainsFunc(found, func(p gp.Pharmacy) bool { return p.ODS == ph.ODS }) {
				t.Errorf("Pharmacies(%q) lacks %s", q, ph.Name)
			}
			compact := strings.ToLower(strings.ReplaceAll(q, " ", ""))
			for i, p := range found {
				name := strings.Contains(strings.ToLower(p.Name), strings.ToLower(strings.TrimSpace(q)))
				postcode := strings.Contains(strings.ToLower(strings.ReplaceAll(p.Postcode, " ", "")), compact)
				if !name && !postcode {
					t.Errorf("Pharmacies(%q) lists %s, which does not match", q, p.Name)
				}
				if i > 0 && p.Name < found[i-1].Name {
					t.Errorf("Pharmacies(%q) not ordered by name", q)
				}
			}
		}
		if found, err := sys.Pharmacies(ctx, "no pharmacy is called this"); note(err) != nil || len(found) != 0 {
			t.Errorf("Pharmacies(nonsense): %+v, %v; want none", found, err)
		}
		for _, ods := range []string{"FNOPE", ""} {
			if _, err := sys.Pharmacy(ctx, ods); !errors.Is(note(err), gp.ErrNotFound) {
				t.Errorf("Pharmacy(%q): got %v, want ErrNotFound", ods, err)
			}
		}
	})

	t.Run("ErrorsNameNoNHSNumber", func(t *testing.T) {
		if len(errs) == 0 {
			t.Fatal("no errors collected")
		}
		for _, err := range errs {
			if HasNHSNumber(err.Error()) {
				t.Errorf("error names an NHS number: %v", err)
			}
		}
	})
}

// checkHistory checks a request's history: it starts with the request, made
// about now (clocks may differ a little), and runs in time order.
func checkHistory(tb testing.TB, rq gp.Request, since time.Time) {
	tb.Helper()
	if len(rq.History) == 0 || rq.History[0].Status != gp.RxRequested {
		tb.Errorf("request %s: history %+v does not start with the request", rq.ID, rq.History)
		return
	}
	if at := rq.History[0].At; at.Before(since.Add(-time.Minute)) || at.After(time.Now().Add(time.Minute)) {
		tb.Errorf("request %s: requested at %v, not now", rq.ID, at)
	}
	for i := 1; i < len(rq.History); i++ {
		if rq.History[i].At.Before(rq.History[i-1].At) {
			tb.Errorf("request %s: history out of order: %+v", rq.ID, rq.History)
		}
	}
}
