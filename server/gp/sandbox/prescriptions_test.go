package sandbox

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/gptest"
	"github.com/nhs-companion/companion/server/gp/sandbox/castdata"
)

const (
	amara  = "9990000018"
	layla  = "9990000026"
	priya  = "9990000034"
	george = "9990000042"
	rhys   = "9990000050"
	tom    = "9990000069"
	kofi   = "9990000077"
)

// repeatState names a repeat's state as the app shows it.
func repeatState(rp gp.Repeat, pending map[string]bool, today gp.Date, earlyDays int) string {
	switch {
	case pending[rp.ID]:
		return "requested"
	case rp.ReviewDue(today):
		return "review_due"
	case rp.Early(today, earlyDays):
		return "early"
	}
	return "orderable"
}

// practiceAndRepeats is a cast member's practice (its rules) and repeats.
func practiceAndRepeats(t *testing.T, s *System, patient string) (gp.Practice, []gp.Repeat) {
	t.Helper()
	ctx := context.Background()
	p, err := s.Patient(ctx, patient)
	if err != nil {
		t.Fatal(err)
	}
	practice, err := s.Practice(ctx, p.PracticeODS)
	if err != nil {
		t.Fatal(err)
	}
	reps, err := s.Repeats(ctx, patient)
	if err != nil {
		t.Fatal(err)
	}
	return practice, reps
}

// states are the patient's repeats' states, by name.
func states(t *testing.T, s *System, patient string, now time.Time) map[string]string {
	t.Helper()
	ctx := context.Background()
	practice, reps := practiceAndRepeats(t, s, patient)
	reqs, err := s.PrescriptionRequests(ctx, patient)
	if err != nil {
		t.Fatal(err)
	}
	pending := map[string]bool{}
	for _, rq := range reqs {
		pending[rq.RepeatID] = pending[rq.RepeatID] || rq.Pending()
	}
	out := map[string]string{}
	for _, rp := range reps {
		out[rp.Name] = repeatState(rp, pending, gp.DateOf(now.In(london)), practice.Prescribing.EarlyDays)
	}
	return out
}

// TestCastRepeatStates pins what the app and its browser tests rely on:
// which of the cast's medicines can be ordered, on any day.
func TestCastRepeatStates(t *testing.T) {
	want := map[string]map[string]string{
		amara: {
			castdata.SalbutamolInhaler.Display: "orderable",
			castdata.Cetirizine10.Display:      "orderable",
			castdata.ClenilModulite100.Display: "review_due",
			castdata.Desogestrel75.Display:     "early",
		},
		layla: {castdata.Emollient5050.Display: "orderable", castdata.Hydrocortisone1.Display: "orderable"},
		priya: {castdata.Sumatriptan50.Display: "orderable", castdata.Levothyroxine75.Display: "early"},
		george: {
			castdata.Metformin500.Display: "early", // issued by the seeded request
			castdata.Apixaban5.Display:    "orderable", castdata.Bisoprolol2_5.Display: "orderable", castdata.Losartan50.Display: "orderable",
			castdata.Paracetamol500.Display: "orderable",
			castdata.Amlodipine5.Display:    "early", castdata.Atorvastatin20.Display: "early", castdata.Finasteride5.Display: "early", castdata.Omeprazole20.Display: "early",
		},
		tom:  {castdata.Ramipril5.Display: "orderable", castdata.Atorvastatin20.Display: "orderable", castdata.Allopurinol100.Display: "orderable"},
		rhys: {},
		kofi: {},
	}
	for _, day := range []string{"2026-11-22T09:00:00Z", "2028-02-29T23:30:00Z", "2027-06-30T23:30:00Z", "2031-01-01T00:10:00Z"} {
		now, _ := time.Parse(time.RFC3339, day)
		s, _ := newSeeded(t, now)
		for _, c := range cast {
			got := states(t, s, c.nhsNumber, now)
			if diff := cmp.Diff(want[c.nhsNumber], got); diff != "" {
				t.Errorf("%s on %s: repeat states (-want +got):\n%s", c.given, day, diff)
			}
		}
	}
}

// TestRepeatsAgreeWithRecords: a template is one of the person's current,
// non-sensitive repeat medicines, as the record page shows it; everyone
// with templates has one for each such medicine.
func TestRepeatsAgreeWithRecords(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	s, _ := newSeeded(t, now)
	for _, c := range cast {
		rec, err := s.Record(ctx, c.nhsNumber)
		if err != nil {
			t.Fatal(err)
		}
		reps, err := s.Repeats(ctx, c.nhsNumber)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, m := range rec.Medicines {
			if m.Kind == "repeat" && m.Status == "current" && !m.Sensitive {
				want = append(want, m.Drug.Code)
			}
		}
		var got []string
		for _, rp := range reps {
			got = append(got, rp.Drug.Code)
			i := slices.IndexFunc(rec.Medicines, func(m gp.Medicine) bool { return m.Drug == rp.Drug })
			if i < 0 {
				t.Errorf("%s: template %s is not in the record", c.given, rp.Name)
				continue
			}
			m := rec.Medicines[i]
			if m.Sensitive || m.Kind != "repeat" || m.Status != "current" {
				t.Errorf("%s: template %s is for a %s %s medicine (sensitive %t)", c.given, rp.Name, m.Status, m.Kind, m.Sensitive)
			}
			if rp.Name != m.Name || rp.Dose != m.Dose || rp.Quantity != m.Quantity {
				t.Errorf("%s: template %+v differs from the record's %+v", c.given, rp, m)
			}
			if rp.LastIssued.Before(m.LastIssued) {
				t.Errorf("%s: %s last issued %s, before the record's %s", c.given, rp.Name, rp.LastIssued, m.LastIssued)
			}
			if rp.SupplyDays <= 0 || rp.ReviewDate.IsZero() {
				t.Errorf("%s: %s has no supply or review date", c.given, rp.Name)
			}
		}
		switch c.nhsNumber {
		case kofi:
			if len(got) != 0 {
				t.Errorf("Kofi has templates %v, want none", got)
			}
			continue
		}
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: templates are not the record's repeat medicines (-record +templates):\n%s", c.given, diff)
		}
	}
}

func TestRepeatIDsAreStableAndOpaque(t *testing.T) {
	ctx := context.Background()
	ids := func(s *System, patient string) map[string]string {
		reps, err := s.Repeats(ctx, patient)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, rp := range reps {
			out[rp.Drug.Code] = rp.ID
		}
		return out
	}
	a, _ := newSeeded(t, time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	b, _ := newSeeded(t, time.Date(2027, 5, 3, 15, 0, 0, 0, time.UTC))
	seen := map[string]string{}
	for _, c := range cast {
		ia, ib := ids(a, c.nhsNumber), ids(b, c.nhsNumber)
		if diff := cmp.Diff(ia, ib); diff != "" {
			t.Errorf("%s: IDs differ between seeds on two days:\n%s", c.given, diff)
		}
		for _, id := range ia {
			if !regexp.MustCompile(`^rx-[0-9a-f]{12}$`).MatchString(id) || gptest.HasNHSNumber(id) {
				t.Errorf("%s: bad ID %q", c.given, id)
			}
			if who, dup := seen[id]; dup {
				t.Errorf("ID %s belongs to %s and %s", id, who, c.given)
			}
			seen[id] = c.given
		}
	}
	// George and Tom both take atorvastatin 20mg.
	if g, tm := ids(a, george)[castdata.Atorvastatin20.Code], ids(a, tom)[castdata.Atorvastatin20.Code]; g == "" || g == tm {
		t.Errorf("atorvastatin: George's %q, Tom's %q; want two IDs", g, tm)
	}
}

// orderByName orders a cast member's medicines by name, at their practice
// under its rules, on the date of s's clock.
func orderByName(t *testing.T, s *System, patient, note string, names ...string) ([]gp.Request, error) {
	t.Helper()
	ctx := context.Background()
	practice, reps := practiceAndRepeats(t, s, patient)
	var ids []string
	for _, n := range names {
		i := slices.IndexFunc(reps, func(rp gp.Repeat) bool { return rp.Name == n })
		if i < 0 {
			t.Fatalf("no repeat %s", n)
		}
		ids = append(ids, reps[i].ID)
	}
	return s.Order(ctx, gp.Order{
		PatientNHS: patient, PracticeODS: practice.ODS, RepeatIDs: ids, Note: note, PharmacyODS: "FZZ01",
		Actor: "actor-test", EarlyDays: practice.Prescribing.EarlyDays, Today: gp.DateOf(s.now().In(london)),
	})
}

func statuses(h []gp.StatusChange) []gp.RequestStatus {
	out := make([]gp.RequestStatus, len(h))
	for i, c := range h {
		out[i] = c.Status
	}
	return out
}

func requestByID(t *testing.T, s *System, patient, id string) gp.Request {
	t.Helper()
	reqs, err := s.PrescriptionRequests(context.Background(), patient)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(reqs, func(rq gp.Request) bool { return rq.ID == id })
	if i < 0 {
		t.Fatalf("request %s not listed", id)
	}
	return reqs[i]
}

func repeatNamed(t *testing.T, s *System, patient, name string) gp.Repeat {
	t.Helper()
	reps, err := s.Repeats(context.Background(), patient)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(reps, func(rp gp.Repeat) bool { return rp.Name == name })
	if i < 0 {
		t.Fatalf("no repeat %s", name)
	}
	return reps[i]
}

func TestRequestStatusOverTime(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, london)
	clock := &clockFunc{t: t0}
	srv := redistest.MustStart(t)
	s := New(srv.Client(t), "test:", clock.now)
	s.SetPrescriptionStep(time.Minute)
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	salbutamol := castdata.SalbutamolInhaler.Display
	before := repeatNamed(t, s, amara, salbutamol)
	if want := gp.DateOf(t0.AddDate(0, 0, -21)); before.LastIssued != want {
		t.Fatalf("salbutamol last issued %s, want the record's %s", before.LastIssued, want)
	}
	reqs, err := orderByName(t, s, amara, "", salbutamol)
	if err != nil {
		t.Fatal(err)
	}
	id := reqs[0].ID
	// A later change of step leaves requests already made alone.
	s.SetPrescriptionStep(time.Hour)

	at := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	for _, tc := range []struct {
		after   time.Duration
		want    []gp.RequestStatus
		pending bool
		issued  gp.Date
	}{
		{0, []gp.RequestStatus{gp.RxRequested}, true, before.LastIssued},
		{59 * time.Second, []gp.RequestStatus{gp.RxRequested}, true, before.LastIssued},
		{time.Minute, []gp.RequestStatus{gp.RxRequested, gp.RxApproved}, true, gp.DateOf(t0)},
		{2 * time.Minute, []gp.RequestStatus{gp.RxRequested, gp.RxApproved, gp.RxSent}, true, gp.DateOf(t0)},
		{3*time.Minute - time.Millisecond, []gp.RequestStatus{gp.RxRequested, gp.RxApproved, gp.RxSent}, true, gp.DateOf(t0)},
		{3 * time.Minute, []gp.RequestStatus{gp.RxRequested, gp.RxApproved, gp.RxSent, gp.RxReady}, false, gp.DateOf(t0)},
		{6*time.Minute - time.Second, []gp.RequestStatus{gp.RxRequested, gp.RxApproved, gp.RxSent, gp.RxReady}, false, gp.DateOf(t0)},
		{6 * time.Minute, []gp.RequestStatus{gp.RxRequested, gp.RxApproved, gp.RxSent, gp.RxReady, gp.RxDispensed}, false, gp.DateOf(t0)},
		{48 * time.Hour, []gp.RequestStatus{gp.RxRequested, gp.RxApproved, gp.RxSent, gp.RxReady, gp.RxDispensed}, false, gp.DateOf(t0)},
	} {
		clock.set(t0.Add(tc.after))
		rq := requestByID(t, s, amara, id)
		if diff := cmp.Diff(tc.want, statuses(rq.History)); diff != "" {
			t.Errorf("after %v (-want +got):\n%s", tc.after, diff)
		}
		for i, c := range rq.History {
			if wantAt := at([]int{0, 1, 2, 3, 6}[i]); !c.At.Equal(wantAt) || c.Reason != "" {
				t.Errorf("after %v: %s at %v (%q), want at %v", tc.after, c.Status, c.At, c.Reason, wantAt)
			}
		}
		if rq.Pending() != tc.pending {
			t.Errorf("after %v: pending %t, want %t", tc.after, rq.Pending(), tc.pending)
		}
		if got := repeatNamed(t, s, amara, salbutamol).LastIssued; got != tc.issued {
			t.Errorf("after %v: last issued %s, want %s", tc.after, got, tc.issued)
		}
	}
}

func TestRejectedRequestStops(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, london)
	clock := &clockFunc{t: t0}
	srv := redistest.MustStart(t)
	s := New(srv.Client(t), "test:", clock.now)
	s.SetPrescriptionStep(time.Minute)
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	sumatriptan := castdata.Sumatriptan50.Display
	before := repeatNamed(t, s, priya, sumatriptan)
	reqs, err := orderByName(t, s, priya, "", sumatriptan)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		after time.Duration
		want  []gp.StatusChange
	}{
		{59 * time.Second, []gp.StatusChange{{Status: gp.RxRequested, At: t0}}},
		{time.Minute, []gp.StatusChange{{Status: gp.RxRequested, At: t0},
			{Status: gp.RxRejected, At: t0.Add(time.Minute), Reason: "Please book a medication review before we can issue more sumatriptan."}}},
		{24 * time.Hour, []gp.StatusChange{{Status: gp.RxRequested, At: t0},
			{Status: gp.RxRejected, At: t0.Add(time.Minute), Reason: "Please book a medication review before we can issue more sumatriptan."}}},
	} {
		clock.set(t0.Add(tc.after))
		rq := requestByID(t, s, priya, reqs[0].ID)
		if diff := cmp.Diff(tc.want, rq.History, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("after %v (-want +got):\n%s", tc.after, diff)
		}
		if got := repeatNamed(t, s, priya, sumatriptan).LastIssued; got != before.LastIssued {
			t.Errorf("after %v: a rejected request changed last issued to %s", tc.after, got)
		}
	}
}

// TestPendingBlocksUntilReadyOrRejected: a request blocks ordering the same
// medicine again until it is ready to collect, or rejected.
func TestPendingBlocksUntilReadyOrRejected(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 9, 0, 0, 0, london)
	clock := &clockFunc{t: t0}
	srv := redistest.MustStart(t)
	s := New(srv.Client(t), "test:", clock.now)
	s.SetPrescriptionStep(time.Minute)
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		patient, name string
		free          time.Duration // when the first request stops blocking
	}{
		{tom, castdata.Ramipril5.Display, 3 * time.Minute},
		{priya, castdata.Sumatriptan50.Display, time.Minute},
	} {
		clock.set(t0)
		if _, err := orderByName(t, s, tc.patient, "", tc.name); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		clock.set(t0.Add(tc.free - time.Millisecond))
		if _, err := orderByName(t, s, tc.patient, "Need more", tc.name); !errors.Is(err, gp.ErrAlreadyRequested) {
			t.Errorf("%s ordered again while on its way: got %v, want ErrAlreadyRequested", tc.name, err)
		}
		clock.set(t0.Add(tc.free))
		if _, err := orderByName(t, s, tc.patient, "Need more", tc.name); err != nil {
			t.Errorf("%s ordered again once no longer on its way: %v", tc.name, err)
		}
		reqs, err := s.PrescriptionRequests(context.Background(), tc.patient)
		if err != nil {
			t.Fatal(err)
		}
		if len(reqs) != 2 || !reqs[0].History[0].At.After(reqs[1].History[0].At) {
			t.Errorf("%s: %d requests, want 2, newest first", tc.name, len(reqs))
		}
	}
}

func TestOrderRules(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, london)
	s, _ := newSeeded(t, now)
	reps, err := s.Repeats(ctx, amara)
	if err != nil {
		t.Fatal(err)
	}
	id := func(name string) string {
		i := slices.IndexFunc(reps, func(rp gp.Repeat) bool { return rp.Name == name })
		return reps[i].ID
	}
	salbutamol := id(castdata.SalbutamolInhaler.Display) // due in 7 days
	base := gp.Order{PatientNHS: amara, PracticeODS: PilotPractice, PharmacyODS: "FZZ01", Actor: "a", EarlyDays: 10, Today: gp.DateOf(now)}
	for _, tc := range []struct {
		name string
		edit func(*gp.Order)
		want error
	}{
		{"due within the practice's early days", func(o *gp.Order) { o.RepeatIDs = []string{salbutamol} }, nil},
		{"a stricter practice", func(o *gp.Order) { o.RepeatIDs = []string{salbutamol}; o.EarlyDays = 5 }, gp.ErrTooEarly},
		{"a stricter practice, with a reason", func(o *gp.Order) { o.RepeatIDs = []string{salbutamol}; o.EarlyDays = 5; o.Note = "Away" }, nil},
		{"review date passed on the practice's today", func(o *gp.Order) {
			o.RepeatIDs = []string{salbutamol}
			o.Today = gp.DateOf(now.AddDate(0, 0, 201))
		}, gp.ErrReviewDue},
		{"a Welsh patient at the English practice", func(o *gp.Order) { o.PatientNHS = rhys; o.RepeatIDs = []string{salbutamol} }, gp.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.edit(&o)
			// Check only: a fresh system each time, so nothing is pending.
			sys, _ := newSeeded(t, now)
			_, err := sys.Order(ctx, o)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Order: got %v, want %v", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), o.PatientNHS) {
				t.Errorf("error names the NHS number: %v", err)
			}
		})
	}
}

func TestSeededRequests(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, london)
	s, _ := newSeeded(t, now)
	check := func(t *testing.T) map[string]string {
		t.Helper()
		ids := map[string]string{}
		for _, tc := range []struct {
			patient, name, pharmacy string
			want                    gp.RequestStatus
			issued                  gp.Date
		}{
			{amara, castdata.Desogestrel75.Display, "FZZ04", gp.RxReady, gp.DateOf(now.Add(-49 * time.Hour))},
			{george, castdata.Metformin500.Display, "FZZ02", gp.RxDispensed, gp.DateOf(now.Add(-(8*24 + 1) * time.Hour))},
		} {
			reqs, err := s.PrescriptionRequests(ctx, tc.patient)
			if err != nil {
				t.Fatal(err)
			}
			if len(reqs) != 1 {
				t.Fatalf("%s: %d requests seeded, want 1", tc.name, len(reqs))
			}
			rq := reqs[0]
			if rq.Name != tc.name || rq.Status() != tc.want || rq.Pharmacy.ODS != tc.pharmacy || rq.Note == "" || rq.Pending() {
				t.Errorf("seeded %s: %s at %s, note %q, pending %t", rq.Name, rq.Status(), rq.Pharmacy.ODS, rq.Note, rq.Pending())
			}
			if got := repeatNamed(t, s, tc.patient, tc.name).LastIssued; got != tc.issued {
				t.Errorf("%s last issued %s, want %s (the seeded request's approval)", tc.name, got, tc.issued)
			}
			ids[tc.patient] = rq.ID + "/" + rq.OrderID
		}
		for _, p := range []string{layla, priya, rhys, tom, kofi} {
			if reqs, err := s.PrescriptionRequests(ctx, p); err != nil || len(reqs) != 0 {
				t.Errorf("%s: %d requests, %v; want none", p[7:], len(reqs), err)
			}
		}
		return ids
	}
	first := check(t)
	if err := s.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, check(t)); diff != "" {
		t.Errorf("reseeding changed the seeded requests' IDs:\n%s", diff)
	}
}

func TestNominations(t *testing.T) {
	ctx := context.Background()
	s, _ := newSeeded(t, time.Now())
	want := map[string]string{amara: "FZZ04", priya: "FZZ02", george: "FZZ02", tom: "FZZ03", rhys: "FZZ06", layla: "", kofi: ""}
	got := map[string]string{}
	for p := range want {
		ph, ok, err := s.NominatedPharmacy(ctx, p)
		if err != nil || ok != (ph.ODS != "") {
			t.Fatalf("%s: %+v, %t, %v", p, ph, ok, err)
		}
		got[p] = ph.ODS
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nominations (-want +got):\n%s", diff)
	}
	// A patient's own choice survives a reseed.
	if _, err := s.Nominate(ctx, amara, "FZZ01", "actor"); err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	if ph, _, err := s.NominatedPharmacy(ctx, amara); err != nil || ph.ODS != "FZZ01" {
		t.Errorf("after reseeding: Amara's nomination %s, %v; want her choice FZZ01", ph.ODS, err)
	}
}

func TestPharmacyDirectory(t *testing.T) {
	ctx := context.Background()
	s, _ := newSeeded(t, time.Now())
	all, err := s.Pharmacies(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`^FZZ\d\d$`)
	phone := regexp.MustCompile(`^(0113 496 0\d{3}|029 2018 0\d{3})$`)
	postcode := regexp.MustCompile(`^(LS|CF)\d{1,2} \d[A-Z]{2}$`)
	seen := map[string]bool{}
	for _, p := range all {
		if !code.MatchString(p.ODS) || seen[p.ODS] || !strings.HasSuffix(p.Name, "(sandbox)") ||
			!phone.MatchString(p.Phone) || !postcode.MatchString(p.Postcode) {
			t.Errorf("pharmacy %+v: want a unique FZZ code, a sandbox name, a drama phone number and an LS or CF postcode", p)
		}
		seen[p.ODS] = true
	}
	if len(all) != 8 {
		t.Errorf("%d pharmacies, want 8", len(all))
	}
	names := func(q string) []string {
		found, err := s.Pharmacies(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range found {
			out = append(out, p.ODS)
		}
		return out
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"ls1", []string{"FZZ03", "FZZ01"}}, // LS12 3ZZ and LS1 4ZZ, by name
		{"LS1 4ZZ", []string{"FZZ01"}},
		{"ls14zz", []string{"FZZ01"}},
		{" cf10 ", []string{"FZZ07"}},
		{"HEADINGLEY", []string{"FZZ04"}},
		{"fferyllfa", []string{"FZZ06", "FZZ07"}},
		{"pharmacy (sandbox)", []string{"FZZ03", "FZZ08", "FZZ02", "FZZ06", "FZZ07", "FZZ04", "FZZ05", "FZZ01"}},
		{"Leeds", nil}, // a town is an address, not a name or postcode
	} {
		if diff := cmp.Diff(tc.want, names(tc.q)); diff != "" {
			t.Errorf("Pharmacies(%q) (-want +got):\n%s", tc.q, diff)
		}
	}
	// Callers cannot change the directory through what it hands out.
	p, _ := s.Pharmacy(ctx, "FZZ01")
	p.Address[0] = "changed"
	if again, _ := s.Pharmacy(ctx, "FZZ01"); again.Address[0] == "changed" {
		t.Error("the directory shares its addresses with callers")
	}
}

func TestPracticePrescribingRules(t *testing.T) {
	ctx := context.Background()
	s, _ := newSeeded(t, time.Now())
	for _, tc := range []struct {
		ods  string
		want gp.PrescriptionRules
	}{
		{PilotPractice, gp.DefaultPrescriptionRules},
		{NonPilotPractice, gp.PrescriptionRules{EarlyDays: 7, NoteMax: 300}},
	} {
		p, err := s.Practice(ctx, tc.ods)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, p.Prescribing); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.ods, diff)
		}
	}
	// A practice stored before practices had prescribing rules has the
	// defaults.
	if err := s.rdb.HDel(ctx, s.key("practice", NonPilotPractice), "rx_early", "rx_note_max").Err(); err != nil {
		t.Fatal(err)
	}
	if p, err := s.Practice(ctx, NonPilotPractice); err != nil || p.Prescribing != gp.DefaultPrescriptionRules {
		t.Errorf("practice without rules: %+v, %v; want the defaults", p.Prescribing, err)
	}
}

func TestSyntheticPatientsHaveNoRepeats(t *testing.T) {
	ctx := context.Background()
	s, _ := newSeeded(t, time.Now())
	nums, err := s.AddPatients(ctx, PilotPractice, 2)
	if err != nil {
		t.Fatal(err)
	}
	reps, err := s.Repeats(ctx, nums[0])
	if err != nil || len(reps) != 0 {
		t.Errorf("Repeats(synthetic): %+v, %v; want none", reps, err)
	}
	reqs, err := s.PrescriptionRequests(ctx, nums[0])
	if err != nil || len(reqs) != 0 {
		t.Errorf("PrescriptionRequests(synthetic): %+v, %v; want none", reqs, err)
	}
	if _, ok, err := s.NominatedPharmacy(ctx, nums[0]); err != nil || ok {
		t.Errorf("NominatedPharmacy(synthetic): %t, %v; want none", ok, err)
	}
	if _, err := s.Nominate(ctx, nums[1], "FZZ02", "actor"); err != nil {
		t.Errorf("Nominate(synthetic): %v", err)
	}
}

// TestConcurrentOrdersOneRequest: 200 orders of one medicine for one
// patient, from two processes at once, make exactly one request.
func TestConcurrentOrdersOneRequest(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, london)
	a, b := twoProcesses(t, now)
	salbutamol := repeatNamed(t, a, amara, castdata.SalbutamolInhaler.Display).ID
	cetirizine := repeatNamed(t, a, amara, castdata.Cetirizine10.Display).ID

	race := func(orders [][]string) (ok int, wrong []error) {
		var (
			mu    sync.Mutex
			wg    sync.WaitGroup
			start = make(chan struct{})
		)
		for i, ids := range orders {
			sys := a
			if i%2 == 1 {
				sys = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := sys.Order(ctx, gp.Order{
					PatientNHS: amara, PracticeODS: PilotPractice, RepeatIDs: ids, PharmacyODS: "FZZ04",
					Actor: "actor", EarlyDays: 10, Today: gp.DateOf(now),
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, gp.ErrAlreadyRequested):
					wrong = append(wrong, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		return ok, wrong
	}
	count := func() map[string]int {
		reqs, err := b.PrescriptionRequests(ctx, amara)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, rq := range reqs {
			n[rq.RepeatID]++
		}
		return n
	}

	orders := make([][]string, 200)
	for i := range orders {
		orders[i] = []string{salbutamol}
	}
	ok, wrong := race(orders)
	for _, err := range wrong {
		t.Errorf("refused with %v, want only ErrAlreadyRequested", err)
	}
	if ok != 1 {
		t.Errorf("%d orders succeeded, want 1", ok)
	}
	if n := count()[salbutamol]; n != 1 {
		t.Errorf("%d requests for salbutamol, want 1", n)
	}

	// Orders of {cetirizine} and {cetirizine, salbutamol} race, with
	// salbutamol already on its way: one of cetirizine alone wins.
	// Then, on a fresh system, the same without salbutamol pending.
	for i := range orders {
		orders[i] = []string{cetirizine}
		if i%3 == 0 {
			orders[i] = []string{cetirizine, salbutamol}
		}
	}
	ok, wrong = race(orders)
	for _, err := range wrong {
		t.Errorf("mixed, salbutamol pending: refused with %v, want only ErrAlreadyRequested", err)
	}
	if n := count(); ok != 1 || n[cetirizine] != 1 || n[salbutamol] != 1 {
		t.Errorf("mixed, salbutamol pending: %d orders succeeded, requests %v; want one each", ok, n)
	}

	a, b = twoProcesses(t, now)
	ok, wrong = race(orders)
	for _, err := range wrong {
		t.Errorf("mixed: refused with %v, want only ErrAlreadyRequested", err)
	}
	n := count()
	if ok != 1 || n[cetirizine] != 1 || n[salbutamol] > 1 {
		t.Errorf("mixed: %d orders succeeded, requests %v; want one order, one request for cetirizine", ok, n)
	}
}

func TestPrescriptionsWithRedisDownAreUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, srv := newSeeded(t, time.Now())
	id := repeatNamed(t, s, amara, castdata.SalbutamolInhaler.Display).ID
	srv.Stop()
	if _, err := s.Repeats(ctx, amara); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("Repeats: got %v, want ErrUnavailable", err)
	}
	if _, err := s.PrescriptionRequests(ctx, amara); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("PrescriptionRequests: got %v, want ErrUnavailable", err)
	}
	if _, _, err := s.NominatedPharmacy(ctx, amara); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("NominatedPharmacy: got %v, want ErrUnavailable", err)
	}
	_, err := s.Order(ctx, gp.Order{PatientNHS: amara, PracticeODS: PilotPractice, RepeatIDs: []string{id},
		PharmacyODS: "FZZ01", EarlyDays: 10, Today: gp.DateOf(time.Now())})
	if !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("Order: got %v, want ErrUnavailable", err)
	}
}

func TestPrescriptionsRecoverWhenRedisLosesItsData(t *testing.T) {
	s, srv := newSeeded(t, time.Now())
	srv.Restart(t)
	reps, err := s.Repeats(context.Background(), amara)
	if err != nil || len(reps) != 4 {
		t.Fatalf("after Redis lost its data: %d repeats, %v", len(reps), err)
	}
}
