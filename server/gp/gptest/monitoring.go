package gptest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nhs-companion/companion/server/gp"
)

// MonitoringFixture names what the remote-monitoring contract needs. The
// suite records readings, so give it a system of its own (System). The
// patients may have readings already: the suite checks its own among them.
type MonitoringFixture struct {
	// Patient and OtherPatient are registered at Practice.
	Patient, OtherPatient, Practice string
	// OtherPractice is another practice the system serves, where Patient
	// is not registered.
	OtherPractice string
	// System, if set, gives the part a system of its own.
	System func(t *testing.T) gp.System
	// Unsupported, if set, declares that the adapter does not offer this
	// part, and why.
	Unsupported string
}

// unknownPatient is a valid NHS number, in the never-issued 999 range, of
// nobody an adapter under test holds.
const unknownPatient = "9990000093"

// runMonitoring checks the remote-monitoring part of the port: a reading
// comes back as it was recorded, every field of it, listed newest taken
// first and from a time on, and only to its own patient.
func runMonitoring(t *testing.T, sys gp.System, fx MonitoringFixture) {
	ctx := context.Background()
	// Times to the millisecond, which every adapter keeps.
	now := time.Now().Truncate(time.Millisecond)
	record := func(t *testing.T, r gp.Reading) gp.Reading {
		t.Helper()
		out, err := sys.RecordReading(ctx, r)
		if err != nil {
			t.Fatalf("RecordReading(%s): %v", r.Sign, err)
		}
		return out
	}
	list := func(t *testing.T, patient string, since time.Time) []gp.Reading {
		t.Helper()
		out, err := sys.Readings(ctx, patient, since)
		if err != nil {
			t.Fatalf("Readings: %v", err)
		}
		return out
	}
	// The patient may have readings of their own between the suite's:
	// the checks of order and of since look at the suite's among them.
	base := now
	var gotTemp, gotBP gp.Reading
	mine := func(rs []gp.Reading) []string {
		var ids []string
		for _, r := range rs {
			if r.ID == gotTemp.ID || r.ID == gotBP.ID {
				ids = append(ids, r.ID)
			}
		}
		return ids
	}
	temp := gp.Reading{PatientNHS: fx.Patient, PracticeODS: fx.Practice, Sign: gp.Temperature, Values: []float64{37.8},
		Taken: base.Add(-2 * time.Hour), Submitted: base.Add(-2*time.Hour + 90*time.Second + 123*time.Millisecond),
		Note: "Feeling hot and shivery", SubmittedBy: "proxy-1", Attention: gp.AttentionAmber, Direction: "high"}
	bp := gp.Reading{PatientNHS: fx.Patient, PracticeODS: fx.Practice, Sign: gp.BloodPressure, Values: []float64{128, 84},
		Taken: base.Add(-time.Hour + 7*time.Millisecond), Submitted: base.Add(-time.Hour + time.Minute), SubmittedBy: "patient-1"}
	before := len(list(t, fx.Patient, time.Time{}))
	gotTemp = record(t, temp)
	gotBP = record(t, bp)
	// cmp compares times with Equal, so the zone a system answers in is
	// its own.
	noID := cmpopts.IgnoreFields(gp.Reading{}, "ID")

	t.Run("Recorded", func(t *testing.T) {
		if gotTemp.ID == "" || gotBP.ID == "" || gotTemp.ID == gotBP.ID {
			t.Errorf("IDs %q and %q: want two, and different", gotTemp.ID, gotBP.ID)
		}
		for _, c := range []struct{ got, want gp.Reading }{{gotTemp, temp}, {gotBP, bp}} {
			if diff := cmp.Diff(c.want, c.got, noID); diff != "" {
				t.Errorf("RecordReading returned (-sent +returned):\n%s", diff)
			}
		}
	})

	t.Run("ListedWithEveryField", func(t *testing.T) {
		all := list(t, fx.Patient, time.Time{})
		if len(all) != before+2 {
			t.Errorf("%d readings after recording two, want %d", len(all), before+2)
		}
		for _, want := range []gp.Reading{gotTemp, gotBP} {
			i := slices.IndexFunc(all, func(r gp.Reading) bool { return r.ID == want.ID })
			if i < 0 {
				t.Errorf("Readings lacks the %s reading", want.Sign)
				continue
			}
			if diff := cmp.Diff(want, all[i]); diff != "" {
				t.Errorf("listed %s reading (-recorded +listed):\n%s", want.Sign, diff)
			}
		}
	})

	t.Run("NewestTakenFirst", func(t *testing.T) {
		all := list(t, fx.Patient, time.Time{})
		if diff := cmp.Diff([]string{gotBP.ID, gotTemp.ID}, mine(all)); diff != "" {
			t.Errorf("the blood pressure (taken last) is not listed before the temperature (-want +got IDs):\n%s", diff)
		}
		if !slices.IsSortedFunc(all, func(a, b gp.Reading) int { return b.Taken.Compare(a.Taken) }) {
			t.Error("Readings is not newest taken first")
		}
	})

	t.Run("Since", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			since time.Time
			want  []string
		}{
			{"between the two", temp.Taken.Add(time.Minute), []string{gotBP.ID}},
			{"at a reading's time", bp.Taken, []string{gotBP.ID}},
			{"at the first", temp.Taken, []string{gotBP.ID, gotTemp.ID}},
			{"after both", bp.Taken.Add(time.Millisecond), nil},
		} {
			got := list(t, fx.Patient, c.since)
			ids := mine(got)
			for _, r := range got {
				if r.Taken.Before(c.since) {
					t.Errorf("%s: a reading taken %v before since", c.name, c.since.Sub(r.Taken))
				}
			}
			if diff := cmp.Diff(c.want, ids, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: Readings since (-want +got IDs):\n%s", c.name, diff)
			}
		}
	})

	t.Run("NotRegisteredThere", func(t *testing.T) {
		for _, c := range []struct {
			name string
			r    gp.Reading
		}{
			{"at another practice", gp.Reading{PatientNHS: fx.Patient, PracticeODS: fx.OtherPractice}},
			{"at no practice", gp.Reading{PatientNHS: fx.Patient}},
			{"unknown patient", gp.Reading{PatientNHS: unknownPatient, PracticeODS: fx.Practice}},
			{"invalid NHS number", gp.Reading{PatientNHS: "9990000000", PracticeODS: fx.Practice}},
			{"not an NHS number", gp.Reading{PatientNHS: "not-a-number", PracticeODS: fx.Practice}},
			{"unknown sign", gp.Reading{PatientNHS: fx.Patient, PracticeODS: fx.Practice, Sign: "mood"}},
		} {
			r := c.r
			if r.Sign == "" {
				r.Sign, r.Values = gp.Pulse, []float64{72}
			}
			r.Taken = now
			if _, err := sys.RecordReading(ctx, r); !errors.Is(err, gp.ErrNotFound) {
				t.Errorf("RecordReading %s: %v, want ErrNotFound", c.name, err)
			}
		}
		for _, n := range []string{unknownPatient, "9990000000", "not-a-number", ""} {
			if _, err := sys.Readings(ctx, n, time.Time{}); !errors.Is(err, gp.ErrNotFound) {
				t.Errorf("Readings(%q): %v, want ErrNotFound", n, err)
			}
		}
	})

	t.Run("RefusesWhatDoesNotFit", func(t *testing.T) {
		ok := gp.Reading{PatientNHS: fx.Patient, PracticeODS: fx.Practice, Sign: gp.Pulse, Values: []float64{72}, Taken: now}
		for name, change := range map[string]func(*gp.Reading){
			"one value for a blood pressure": func(r *gp.Reading) { r.Sign = gp.BloodPressure },
			"two values for a pulse":         func(r *gp.Reading) { r.Values = []float64{72, 80} },
			"no time taken":                  func(r *gp.Reading) { r.Taken = time.Time{} },
			"amber with no direction":        func(r *gp.Reading) { r.Attention = gp.AttentionAmber },
		} {
			r := ok
			change(&r)
			if _, err := sys.RecordReading(ctx, r); err == nil {
				t.Errorf("RecordReading with %s: no error", name)
			}
		}
		if n := len(list(t, fx.Patient, time.Time{})); n != before+2 {
			t.Errorf("%d readings after refusals, want %d", n, before+2)
		}
	})

	t.Run("OnlyTheirOwn", func(t *testing.T) {
		for _, r := range list(t, fx.Patient, time.Time{}) {
			if r.PatientNHS != fx.Patient {
				t.Errorf("the patient's list holds reading %s of someone else", r.ID)
			}
		}
		other := record(t, gp.Reading{PatientNHS: fx.OtherPatient, PracticeODS: fx.Practice, Sign: gp.OxygenSaturation,
			Values: []float64{94}, Taken: base.Add(-30 * time.Minute), Attention: gp.AttentionAmber, Direction: "low"})
		for _, r := range list(t, fx.OtherPatient, time.Time{}) {
			if r.ID == gotTemp.ID || r.ID == gotBP.ID || r.PatientNHS != fx.OtherPatient {
				t.Errorf("another patient lists reading %s", r.ID)
			}
		}
		for _, r := range list(t, fx.Patient, time.Time{}) {
			if r.ID == other.ID {
				t.Errorf("the patient lists another's reading %s", r.ID)
			}
		}
	})
}
