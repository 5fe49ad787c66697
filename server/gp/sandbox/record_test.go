package sandbox

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/gptest"
	"github.com/nhs-companion/companion/server/gp/sandbox/castdata"
)

func TestEveryCastMemberHasARecord(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	s, _ := newSeeded(t, now)
	for _, c := range cast {
		t.Run(c.given, func(t *testing.T) {
			rec, err := s.Record(context.Background(), c.nhsNumber)
			if err != nil {
				t.Fatal(err)
			}
			d := rec.Demographics
			want := gp.Demographics{
				NHSNumber: c.nhsNumber, GivenName: c.given, FamilyName: c.family, BirthDate: birthDate(now, c.age, c.birthdayOffset),
				PracticeODS: c.practice, Gender: d.Gender, Address: d.Address, Postcode: d.Postcode, Phone: d.Phone,
			}
			if diff := cmp.Diff(want, d); diff != "" {
				t.Errorf("demographics (-want +got):\n%s", diff)
			}
			if (d.Gender != "female" && d.Gender != "male") || len(d.Address) == 0 || d.Postcode == "" || d.Phone == "" {
				t.Errorf("demographics lack what the practice holds: %+v", d)
			}
			if len(gptest.ItemIDs(rec)) == 0 {
				t.Error("empty record")
			}
			if len(rec.Immunisations) == 0 || len(rec.Problems) == 0 || len(rec.Consultations) == 0 {
				t.Errorf("record lacks immunisations, problems or consultations")
			}
			gptest.CheckRecord(t, rec)
		})
	}
}

func TestRichRecordsAreRich(t *testing.T) {
	today := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, nhs string
		min       [7]int // allergies, medicines, problems, immunisations, results, consultations, documents
	}{
		{"Amara", "9990000018", [7]int{2, 6, 6, 8, 4, 5, 2}},
		{"Layla", "9990000026", [7]int{1, 2, 2, 15, 0, 2, 1}},
		{"George", "9990000042", [7]int{1, 8, 4, 5, 4, 4, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := castRecord(member(t, tc.nhs), today)
			got := [7]int{len(rec.Allergies), len(rec.Medicines), len(rec.Problems), len(rec.Immunisations),
				len(rec.TestResults), len(rec.Consultations), len(rec.Documents)}
			for i := range got {
				if got[i] < tc.min[i] {
					t.Errorf("section sizes %v, want at least %v", got, tc.min)
					break
				}
			}
		})
	}
	// Layla's schedule: every primary dose has its batch.
	for _, im := range castRecord(member(t, "9990000026"), today).Immunisations {
		if im.Batch == "" {
			t.Errorf("Layla's %s on %s has no batch", im.Vaccine.Display, im.Date)
		}
	}
}

func TestRecordDatesStayRelative(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to time.Time
		slack    int // days an age-based date may move more or less than today (month lengths, leap days)
	}{
		{"four years on", day(t, "2026-11-22"), day(t, "2030-11-22"), 0},
		{"four years on from a leap day", day(t, "2028-02-29"), day(t, "2032-02-29"), 0},
		{"a hundred days on", day(t, "2026-11-22"), day(t, "2027-03-02"), 3},
		{"across a year end", day(t, "2030-12-31"), day(t, "2031-01-01"), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shift := int(tc.to.Sub(tc.from).Hours() / 24)
			for _, c := range cast {
				a, b := recordDates(castRecord(c, tc.from)), recordDates(castRecord(c, tc.to))
				if len(a) != len(b) || len(a) == 0 {
					t.Fatalf("%s: %d dates, then %d", c.given, len(a), len(b))
				}
				for i := range a {
					if a[i].IsZero() != b[i].IsZero() {
						t.Fatalf("%s: date %d set on one day only", c.given, i)
					}
					if a[i].IsZero() {
						continue
					}
					got := int(midnight(b[i]).Sub(midnight(a[i])).Hours() / 24)
					if got < shift-tc.slack || got > shift+tc.slack {
						t.Errorf("%s: date %d moved %d days (%s to %s), want %d±%d", c.given, i, got, a[i], b[i], shift, tc.slack)
					}
				}
			}
		})
	}
}

func TestRecordDatesAreBetweenBirthAndToday(t *testing.T) {
	for _, d := range []string{"2026-11-22", "2028-02-29", "2030-12-31", "2031-01-01", "2033-06-15"} {
		today := day(t, d)
		for _, c := range cast {
			rec := castRecord(c, today)
			birth, now := birthDate(today, c.age, c.birthdayOffset), gp.DateOf(today)
			for i, x := range recordDates(rec) {
				if !x.IsZero() && (x.Before(birth) || now.Before(x)) {
					t.Errorf("%s on %s: date %d is %s, outside %s to %s", c.given, d, i, x, birth, now)
				}
			}
			for _, m := range rec.Medicines {
				if (!m.Ended.IsZero() && m.Ended.Before(m.Started)) || m.LastIssued.Before(m.Started) ||
					(m.Status == "current") != m.Ended.IsZero() {
					t.Errorf("%s on %s: %s started %s, issued %s, ended %s (%s)", c.given, d, m.Name, m.Started, m.LastIssued, m.Ended, m.Status)
				}
			}
			for _, p := range rec.Problems {
				if (!p.Ended.IsZero() && p.Ended.Before(p.Onset)) || (p.Status == "active") != p.Ended.IsZero() {
					t.Errorf("%s on %s: %s onset %s, ended %s (%s)", c.given, d, p.Code.Display, p.Onset, p.Ended, p.Status)
				}
			}
		}
	}
}

func TestSensitiveItemsOfSeveralKinds(t *testing.T) {
	for _, nhs := range []string{"9990000018", "9990000042"} {
		rec := castRecord(member(t, nhs), time.Now())
		kinds := map[string]bool{}
		for _, x := range rec.Allergies {
			kinds["allergy"] = kinds["allergy"] || x.Sensitive
		}
		for _, x := range rec.Medicines {
			kinds["medicine"] = kinds["medicine"] || x.Sensitive
		}
		for _, x := range rec.Problems {
			kinds["problem"] = kinds["problem"] || x.Sensitive
		}
		for _, x := range rec.Immunisations {
			kinds["immunisation"] = kinds["immunisation"] || x.Sensitive
		}
		for _, x := range rec.TestResults {
			kinds["result"] = kinds["result"] || x.Sensitive
		}
		for _, x := range rec.Consultations {
			kinds["consultation"] = kinds["consultation"] || x.Sensitive
		}
		for _, x := range rec.Documents {
			kinds["document"] = kinds["document"] || x.Sensitive
		}
		n := 0
		for _, sensitive := range kinds {
			if sensitive {
				n++
			}
		}
		if n < 2 {
			t.Errorf("%s: sensitive items of %d kinds (%v), want at least 2", member(t, nhs).given, n, kinds)
		}
	}
}

func TestResultFlagsAgreeWithRanges(t *testing.T) {
	flagged := map[string]int{}
	for _, c := range cast {
		for _, r := range castRecord(c, time.Now()).TestResults {
			for _, v := range r.Values {
				if v.Value == "" {
					if v.Flag != "" && v.Flag != "abnormal" {
						t.Errorf("%s, %s: a result in words flagged %q", c.given, v.Test.Display, v.Flag)
					}
					continue
				}
				want := ""
				x := mustFloat(t, v.Value)
				if v.Low != "" && x < mustFloat(t, v.Low) {
					want = "low"
				}
				if v.High != "" && x > mustFloat(t, v.High) {
					want = "high"
				}
				if v.Low == "" && v.High == "" {
					t.Errorf("%s, %s: a number with no range", c.given, v.Test.Display)
				}
				if v.Flag != want {
					t.Errorf("%s, %s %s %s (range %s to %s): flagged %q, want %q", c.given, v.Test.Display, v.Value, v.Unit, v.Low, v.High, v.Flag, want)
				}
				if v.Unit == "" {
					t.Errorf("%s, %s: no unit", c.given, v.Test.Display)
				}
				if v.Flag != "" {
					flagged[c.given+"/"+r.Panel.Code]++
				}
			}
		}
	}
	// The demo needs out-of-range values where the story has them.
	for _, want := range []string{
		"Amara/" + castdata.FullBloodCount.Code, "Amara/" + castdata.LipidPanel.Code,
		"George/" + castdata.HbA1cTest.Code, "George/" + castdata.UreaElectrolyte.Code, "Tom/" + castdata.LipidPanel.Code,
	} {
		if flagged[want] == 0 {
			t.Errorf("no out-of-range value in %s", want)
		}
	}
}

func TestRecordIDsAreStableAndOpaque(t *testing.T) {
	seen := map[string]string{}
	for _, c := range cast {
		a := gptest.ItemIDs(castRecord(c, day(t, "2026-11-22")))
		b := gptest.ItemIDs(castRecord(c, day(t, "2031-07-04")))
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%s: IDs depend on the day (-before +after):\n%s", c.given, diff)
		}
		for _, id := range a {
			if !regexp.MustCompile(`^(alg|med|prb|imm|res|con|doc)-[0-9a-f]{12}$`).MatchString(id) {
				t.Errorf("%s: ID %q is not of the sandbox's form", c.given, id)
			}
			if strings.Contains(id, c.nhsNumber) || gptest.HasNHSNumber(id) {
				t.Errorf("%s: ID %q holds an NHS number", c.given, id)
			}
			if other, dup := seen[id]; dup {
				t.Errorf("ID %q is both %s's and %s's", id, other, c.given)
			}
			seen[id] = c.given
		}
	}
}

func TestRecordWithRedisDownIsUnavailable(t *testing.T) {
	s, srv := newSeeded(t, time.Now())
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := s.Record(ctx, "9990000018")
	if !errors.Is(err, gp.ErrUnavailable) {
		t.Fatalf("Record with Redis down: got %v, want ErrUnavailable", err)
	}
	if gptest.HasNHSNumber(err.Error()) {
		t.Errorf("error names an NHS number: %v", err)
	}
}

func TestRecordRecoversWhenRedisLosesItsData(t *testing.T) {
	s, srv := newSeeded(t, time.Now())
	srv.Restart(t)
	rec, err := s.Record(context.Background(), "9990000042")
	if err != nil || rec.Demographics.GivenName != "George" || len(rec.Medicines) == 0 {
		t.Fatalf("after Redis lost its data: %+v, %v", rec.Demographics, err)
	}
}

func TestRecordOfSyntheticPatientIsEmpty(t *testing.T) {
	s, _ := newSeeded(t, time.Now())
	nums, err := s.AddPatients(context.Background(), PilotPractice, 1)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Record(context.Background(), nums[0])
	if err != nil {
		t.Fatal(err)
	}
	if rec.Demographics.NHSNumber != nums[0] || rec.Demographics.Gender != "unknown" || len(gptest.ItemIDs(rec)) != 0 {
		t.Errorf("synthetic patient's record: %+v", rec)
	}
}

func TestReseedKeepsRecords(t *testing.T) {
	s, _ := newSeeded(t, time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	before, err := s.Record(context.Background(), "9990000018")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	after, err := s.Record(context.Background(), "9990000018")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("reseed changed Amara's record (-before +after):\n%s", diff)
	}
}

// recordDates lists every date in the record, in a fixed order, zero ones
// included, so two builds of a record can be compared date by date.
func recordDates(rec gp.Record) []gp.Date {
	var ds []gp.Date
	for _, x := range rec.Allergies {
		ds = append(ds, x.Onset, x.Recorded)
	}
	for _, x := range rec.Medicines {
		ds = append(ds, x.Started, x.Ended, x.LastIssued)
	}
	for _, x := range rec.Problems {
		ds = append(ds, x.Onset, x.Ended)
	}
	for _, x := range rec.Immunisations {
		ds = append(ds, x.Date)
	}
	for _, x := range rec.TestResults {
		ds = append(ds, x.Date)
	}
	for _, x := range rec.Consultations {
		ds = append(ds, x.Date)
	}
	for _, x := range rec.Documents {
		ds = append(ds, x.Date)
	}
	return ds
}

func member(tb testing.TB, nhs string) castMember {
	tb.Helper()
	for _, c := range cast {
		if c.nhsNumber == nhs {
			return c
		}
	}
	tb.Fatalf("no cast member %s", nhs)
	return castMember{}
}

// midnight is the start of d, in UTC.
func midnight(d gp.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func day(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t.Add(9 * time.Hour)
}

func mustFloat(tb testing.TB, s string) float64 {
	tb.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}
