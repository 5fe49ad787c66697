package gptest

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// PrescriptionFixture names what the prescriptions contract needs. The suite
// orders medicines and changes a nomination, so give it a system of its own
// (System), keeping real time.
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
	// System, if set, gives the part a system of its own: Run calls it
	// with the part's subtest instead of using its own system.
	System func(t *testing.T) gp.System
	// Unsupported, if set, declares that the adapter does not offer this
	// part, and why; Run then skips it with that reason, and the other
	// fields must be left empty.
	Unsupported string
}

// runPrescriptions checks the repeat-prescribing part of the port. How
// requests move on over time depends on the adapter's clock, so adapters
// check that in their own tests; here a request need only start as
// requested and stay on its way for the length of the suite.
func runPrescriptions(t *testing.T, sys gp.System, fx PrescriptionFixture) {
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
	s := &prescriptionSuite{ctx: ctx, sys: sys, fx: fx, rules: rules, today: today}
	repeats, requests := s.repeats, s.requests

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
	s.mine, s.theirs, s.reviewDue, s.early = mine, theirs, reviewDue, early
	s.first, s.second, s.ph = first, second, ph

	s.checkRepeats(t)
	s.checkOrders(t)
	s.checkPharmacies(t)

	t.Run("ErrorsNameNoNHSNumber", func(t *testing.T) {
		if len(s.errs) == 0 {
			t.Fatal("no errors collected")
		}
		for _, err := range s.errs {
			if HasNHSNumber(err.Error()) {
				t.Errorf("error names an NHS number: %v", err)
			}
		}
	})
}

// rxActor is who the suite's orders and nominations are made by.
const rxActor = "actor-rx-contract"

// prescriptionSuite is what runPrescriptions' checks share: the practice's
// rules and today's date there, the fixture patients' repeats sorted by
// what may be ordered, the fixture's pharmacy, and the errors the port
// returned.
type prescriptionSuite struct {
	ctx   context.Context
	sys   gp.System
	fx    PrescriptionFixture
	rules gp.PrescriptionRules
	today gp.Date
	errs  []error // every error the port returns, checked for NHS numbers

	// mine are the patient's repeats, theirs the other patient's; of mine,
	// reviewDue are past review, early not yet due, and first and second
	// can be ordered now.
	mine, theirs     []gp.Repeat
	reviewDue, early []gp.Repeat
	first, second    gp.Repeat
	ph               gp.Pharmacy
}

// note keeps a non-nil error for ErrorsNameNoNHSNumber, and returns it.
func (s *prescriptionSuite) note(err error) error {
	if err != nil {
		s.errs = append(s.errs, err)
	}
	return err
}

// repeats lists the patient's repeats.
func (s *prescriptionSuite) repeats(t *testing.T, patient string) []gp.Repeat {
	t.Helper()
	list, err := s.sys.Repeats(s.ctx, patient)
	if s.note(err) != nil {
		t.Fatalf("Repeats: %v", err)
	}
	return list
}

// requests lists the patient's prescription requests.
func (s *prescriptionSuite) requests(t *testing.T, patient string) []gp.Request {
	t.Helper()
	list, err := s.sys.PrescriptionRequests(s.ctx, patient)
	if s.note(err) != nil {
		t.Fatalf("PrescriptionRequests: %v", err)
	}
	return list
}

// order orders the repeats ids as the suite's actor, under the practice's
// rules, today.
func (s *prescriptionSuite) order(patient, practice string, ids []string, text, pharmacy string) ([]gp.Request, error) {
	reqs, err := s.sys.Order(s.ctx, gp.Order{
		PatientNHS: patient, PracticeODS: practice, RepeatIDs: ids, Note: text, PharmacyODS: pharmacy,
		Actor: rxActor, EarlyDays: s.rules.EarlyDays, Today: s.today,
	})
	return reqs, s.note(err)
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
