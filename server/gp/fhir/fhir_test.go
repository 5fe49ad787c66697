package fhir_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/fhir"
	"github.com/nhs-companion/companion/server/gp/fhir/fhirtest"
	"github.com/nhs-companion/companion/server/gp/gptest"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

const (
	amara  = "9990000018"
	priya  = "9990000034"
	rhys   = "9990000050"
	george = "9990000042"
	layla  = "9990000026"
)

// seeded starts a FHIR server holding the sandbox cast, practices and the
// next fifteen days of free slots.
func seeded(t testing.TB) *fhirtest.Server {
	t.Helper()
	srv, _ := seededFrom(t)
	return srv
}

// seededFrom is seeded, also returning the sandbox it was seeded from.
func seededFrom(t testing.TB) (*fhirtest.Server, *sandbox.System) {
	t.Helper()
	return fhirtest.MustStartSeeded(t)
}

func newSystem(t testing.TB, base string) *fhir.System {
	t.Helper()
	// The races queue hundreds of calls at a server that runs one at a
	// time; on a busy machine the last waits longer than the 5 s default.
	// The fault tests set their own timeouts.
	s, err := fhir.New(fhir.Config{BaseURL: base, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	srv := seeded(t)
	// A part that changes what it checks starts from the seeded data.
	fresh := func(t *testing.T) gp.System {
		if err := srv.Restore(context.Background()); err != nil {
			t.Fatal(err)
		}
		return newSystem(t, srv.BaseURL)
	}
	gptest.Run(t, newSystem(t, srv.BaseURL), gptest.Fixture{
		Directory:    gptest.DirectoryFixture{Patient: amara, Practice: sandbox.PilotPractice},
		Appointments: gptest.AppointmentFixture{Patient: amara, Practice: sandbox.PilotPractice, OtherPatient: priya, Elsewhere: rhys},
		Prescriptions: gptest.PrescriptionFixture{
			Patient: amara, Practice: sandbox.PilotPractice, OtherPatient: priya, Unnominated: layla, Pharmacy: "FZZ05",
			System: fresh,
		},
		Contact: gptest.ContactFixture{Patient: amara, OtherPatient: priya, Practice: sandbox.PilotPractice, OtherPractice: sandbox.NonPilotPractice,
			System: fresh},
		Proxies: gptest.ProxyFixture{Actor: priya, Patient: george, Permission: "appointments", Stranger: rhys},
		Records: gptest.RecordFixture{Patient: amara},
		Messages: gptest.MessageFixture{Patient: amara, OtherPatient: priya, Practice: sandbox.PilotPractice, OtherPractice: sandbox.NonPilotPractice,
			System: fresh},
		Monitoring: gptest.MonitoringFixture{Patient: amara, OtherPatient: george, Practice: sandbox.PilotPractice, OtherPractice: sandbox.NonPilotPractice,
			System: fresh},
	})
}

// TestWithdrawnConsentStopsAtOnce: the practice withdrawing a Consent, or
// ending its period, shows on the very next read; nothing is remembered.
func TestWithdrawnConsentStopsAtOnce(t *testing.T) {
	srv := seeded(t)
	sys := newSystem(t, srv.BaseURL)
	ctx := context.Background()
	george := func() gp.Relationship {
		t.Helper()
		rels, err := sys.Relationships(ctx, priya)
		if err != nil || len(rels) != 1 {
			t.Fatalf("Relationships(priya): %+v, %v", rels, err)
		}
		return rels[0]
	}
	if r := george(); r.Revoked || !r.End.IsZero() || !r.Has(nhs.PermAppointments) || r.PatientBirthDate.IsZero() {
		t.Fatalf("seeded relationship: %+v", r)
	}
	// The access stamp, which callers cache on, moves with every change.
	stamp := func() string {
		t.Helper()
		s, err := sys.AccessStamp(ctx, priya)
		if err != nil || s == "" || strings.HasPrefix(s, "unstamped") {
			t.Fatalf("AccessStamp(priya): %q, %v", s, err)
		}
		return s
	}
	before := stamp()
	if again := stamp(); again != before {
		t.Fatalf("the stamp moved with nothing changed: %s then %s", before, again)
	}
	if other, _ := sys.AccessStamp(ctx, amara); other == before {
		t.Errorf("Amara and Priya have one stamp")
	}
	defer func() {
		if after := stamp(); after == before {
			t.Errorf("the stamp did not move when the consent changed")
		}
	}()
	edit := func(change func(map[string]any)) {
		t.Helper()
		if n, err := srv.Edit(ctx, "Consent?status=active", change); err != nil || n == 0 {
			t.Fatalf("edit consents: %d, %v", n, err)
		}
	}
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	edit(func(c map[string]any) { c["provision"].(map[string]any)["period"].(map[string]any)["end"] = yesterday })
	if r := george(); r.End.String() != yesterday {
		t.Errorf("after the period ended: End %s, want %s", r.End, yesterday)
	}
	edit(func(c map[string]any) { c["status"] = "inactive" })
	if r := george(); !r.Revoked {
		t.Errorf("after the consent was withdrawn: %+v, want Revoked", r)
	}
}

func getJSON(t *testing.T, u string, out any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// TestAccessStampCoversThePatientsRecord: a change to the record of
// someone the actor acts for (their birth date, which the relationship is
// checked against) moves the actor's stamp.
func TestAccessStampCoversThePatientsRecord(t *testing.T) {
	srv := seeded(t)
	sys := newSystem(t, srv.BaseURL)
	ctx := context.Background()
	before, err := sys.AccessStamp(ctx, priya)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := srv.Edit(ctx, "Patient?identifier="+fhir.NHSNumberSystem+"|"+george, func(p map[string]any) { p["birthDate"] = "1940-01-01" }); err != nil || n != 1 {
		t.Fatalf("edit George's record: %d, %v", n, err)
	}
	if after, err := sys.AccessStamp(ctx, priya); err != nil || after == before {
		t.Errorf("Priya's stamp after George's record changed: %s (was %s), %v", after, before, err)
	}
}

// TestDuplicateNHSNumberShowsNeither: two Patient records with one NHS
// number could be two people; the adapter shows neither rather than pick.
func TestDuplicateNHSNumberShowsNeither(t *testing.T) {
	srv := seeded(t)
	sys := newSystem(t, srv.BaseURL)
	b, _ := json.Marshal(map[string]any{"resourceType": "Patient", "birthDate": "1990-01-01",
		"identifier": []any{map[string]any{"system": fhir.NHSNumberSystem, "value": amara}},
		"name":       []any{map[string]any{"family": "Other", "given": []string{"Someone"}}}})
	res, err := http.Post(srv.BaseURL+"/Patient", "application/fhir+json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if _, err := sys.Patient(context.Background(), amara); !errors.Is(err, gp.ErrUnavailable) || strings.Contains(err.Error(), amara) {
		t.Errorf("Patient with two records: %v; want ErrUnavailable, naming no NHS number", err)
	}
	if _, err := sys.Book(context.Background(), gp.Booking{PatientNHS: amara, PracticeODS: sandbox.PilotPractice, SlotID: "x"}); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("Book for a patient with two records: %v; want ErrUnavailable", err)
	}
}

// TestRecordsMatchTheSandbox: every cast member's record read through a
// real FHIR server is the record the sandbox holds, sensitive items
// (labelled restricted) included, but for item IDs.
func TestRecordsMatchTheSandbox(t *testing.T) {
	srv, src := seededFrom(t)
	sys := newSystem(t, srv.BaseURL)
	ctx := context.Background()
	sensitive := 0
	for _, n := range sandbox.Cast() {
		want, err := src.Record(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sys.Record(ctx, n)
		if err != nil {
			t.Fatalf("Record: %v", err)
		}
		// A repeat medicine was last issued when its template says: the
		// sandbox keeps the two apart, a GP system has one resource.
		repeats, _ := src.Repeats(ctx, n)
		for i, m := range want.Medicines {
			for _, r := range repeats {
				if r.Drug.Code == m.Drug.Code && m.Kind == "repeat" && m.Status == "current" && !m.Sensitive {
					want.Medicines[i].LastIssued = r.LastIssued
				}
			}
		}
		gptest.CheckRecord(t, got)
		if diff := cmp.Diff(withoutIDs(want), withoutIDs(got), cmpopts.EquateEmpty(), sameNumber); diff != "" {
			t.Errorf("record %s through FHIR (-sandbox +fhir):\n%s", n[7:], diff)
		}
		for _, a := range got.Allergies {
			sensitive += map[bool]int{true: 1}[a.Sensitive]
		}
		for _, p := range got.Problems {
			sensitive += map[bool]int{true: 1}[p.Sensitive]
		}
		for _, c := range got.Consultations {
			sensitive += map[bool]int{true: 1}[c.Sensitive]
		}
		for _, d := range got.Documents {
			sensitive += map[bool]int{true: 1}[d.Sensitive]
		}
	}
	if sensitive == 0 {
		t.Error("no sensitive item came back: the cast has some, labelled restricted")
	}
}

// sameNumber compares result values and range bounds as numbers when both
// are: a FHIR server written in JavaScript keeps a decimal as a number, so
// "5.0" comes back "5" (the precision FHIR means a decimal to keep, which
// a server that keeps decimals as written does not lose).
var sameNumber = cmp.Comparer(func(a, b gp.ResultValue) bool {
	num := func(x, y string) bool {
		fx, ex := strconv.ParseFloat(x, 64)
		fy, ey := strconv.ParseFloat(y, 64)
		return x == y || (ex == nil && ey == nil && fx == fy)
	}
	return num(a.Value, b.Value) && num(a.Low, b.Low) && num(a.High, b.High) &&
		a.Test == b.Test && a.Text == b.Text && a.Unit == b.Unit && a.RangeText == b.RangeText && a.Flag == b.Flag && a.Comment == b.Comment
})

// withoutIDs blanks item IDs: the FHIR server assigns its own.
func withoutIDs(rec gp.Record) gp.Record {
	blank := func(n int, set func(int)) {
		for i := range n {
			set(i)
		}
	}
	blank(len(rec.Allergies), func(i int) { rec.Allergies[i].ID = "" })
	blank(len(rec.Medicines), func(i int) { rec.Medicines[i].ID = "" })
	blank(len(rec.Problems), func(i int) { rec.Problems[i].ID = "" })
	blank(len(rec.Immunisations), func(i int) { rec.Immunisations[i].ID = "" })
	blank(len(rec.TestResults), func(i int) { rec.TestResults[i].ID = "" })
	blank(len(rec.Consultations), func(i int) { rec.Consultations[i].ID = "" })
	blank(len(rec.Documents), func(i int) { rec.Documents[i].ID = "" })
	return rec
}

// TestPrescribingMatchesTheSandbox: the cast's repeats, requests (with
// their whole histories) and nominated pharmacies read through the FHIR
// server are the sandbox's, but for the IDs the server assigns.
func TestPrescribingMatchesTheSandbox(t *testing.T) {
	srv, src := seededFrom(t)
	sys := newSystem(t, srv.BaseURL)
	ctx := context.Background()
	requests := 0
	for _, n := range sandbox.Cast() {
		wantR, _ := src.Repeats(ctx, n)
		gotR, err := sys.Repeats(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		noID := cmpopts.IgnoreFields(gp.Repeat{}, "ID")
		if diff := cmp.Diff(wantR, gotR, noID, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("repeats of %s (-sandbox +fhir):\n%s", n[7:], diff)
		}
		wantQ, _ := src.PrescriptionRequests(ctx, n)
		gotQ, err := sys.PrescriptionRequests(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		ids := cmpopts.IgnoreFields(gp.Request{}, "ID", "RepeatID")
		if diff := cmp.Diff(wantQ, gotQ, ids, cmpopts.EquateEmpty(), cmpopts.EquateApproxTime(time.Millisecond)); diff != "" {
			t.Errorf("requests of %s (-sandbox +fhir):\n%s", n[7:], diff)
		}
		requests += len(gotQ)
		wantP, wantOK, _ := src.NominatedPharmacy(ctx, n)
		gotP, gotOK, err := sys.NominatedPharmacy(ctx, n)
		if err != nil || gotOK != wantOK || !cmp.Equal(wantP, gotP) {
			t.Errorf("nominated pharmacy of %s: %+v %v %v, want %+v %v", n[7:], gotP, gotOK, err, wantP, wantOK)
		}
	}
	if requests == 0 {
		t.Error("no requests came back: the cast has some")
	}
}

// TestReadingsMatchTheSandbox: the cast's remote-monitoring readings read
// through the FHIR server are the sandbox's, but for the IDs the server
// assigns, and a time filter gives the same readings on both.
func TestReadingsMatchTheSandbox(t *testing.T) {
	srv, src := seededFrom(t)
	sys := newSystem(t, srv.BaseURL)
	ctx := context.Background()
	seen := 0
	noID := cmpopts.IgnoreFields(gp.Reading{}, "ID")
	for _, n := range sandbox.Cast() {
		want, err := src.Readings(ctx, n, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := sys.Readings(ctx, n, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, noID, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("readings of %s (-sandbox +fhir):\n%s", n[7:], diff)
		}
		seen += len(got)
		if len(want) > 2 {
			since := want[2].Taken
			w, _ := src.Readings(ctx, n, since)
			g, err := sys.Readings(ctx, n, since)
			if err != nil || len(g) != len(w) || len(g) < 3 {
				t.Errorf("readings of %s since the third newest: %d, %v; want %d", n[7:], len(g), err, len(w))
			}
		}
	}
	if seen == 0 {
		t.Error("no readings came back: the cast has some")
	}
}
