package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// TestSeededReadings: the cast's readings are dated back from the
// sandbox's clock, every one already taken and sent, at the series'
// times of day in the practice's zone, across a change of the clocks too.
func TestSeededReadings(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	for _, tc := range []struct {
		name         string
		now          time.Time
		amaraNewest  time.Time // when Amara's newest reading was taken
		georgeNewest time.Time
	}{
		{"mid-morning", time.Date(2026, 11, 22, 10, 0, 0, 0, london),
			time.Date(2026, 11, 22, 7, 40, 0, 0, london), time.Date(2026, 11, 22, 8, 3, 0, 0, london)},
		{"before the morning's readings are in", time.Date(2026, 11, 22, 7, 50, 0, 0, london),
			time.Date(2026, 11, 21, 7, 40, 0, 0, london), time.Date(2026, 11, 21, 18, 3, 0, 0, london)},
		{"the day after the clocks go forward", time.Date(2027, 3, 29, 19, 0, 0, 0, london),
			time.Date(2027, 3, 29, 7, 40, 0, 0, london), time.Date(2027, 3, 29, 18, 3, 0, 0, london)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newOnMiniredis(t, func() time.Time { return tc.now })
			ctx := context.Background()
			am, err := s.Readings(ctx, amara, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(am) != 10 || !am[0].Taken.Equal(tc.amaraNewest) {
				t.Fatalf("Amara: %d readings, the newest taken %v; want 10, the newest %v", len(am), first(am), tc.amaraNewest)
			}
			for i, r := range am {
				local := r.Taken.In(london)
				if r.Sign != gp.BloodPressure || local.Hour() != 7 || local.Minute() != 40 || r.PatientNHS != amara || r.PracticeODS != PilotPractice {
					t.Errorf("Amara's reading %d: %+v, want a blood pressure at 07:40", i, r)
				}
				if want := tc.amaraNewest.AddDate(0, 0, -i); !r.Taken.Equal(want) {
					t.Errorf("Amara's reading %d taken %v, want %v: one each morning", i, r.Taken, want)
				}
			}
			gw, err := s.Readings(ctx, george, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(gw) != 24 || !gw[0].Taken.Equal(tc.georgeNewest) || gw[0].Sign != gp.Temperature {
				t.Fatalf("George: %d readings, the newest %v; want 24, the newest a temperature at %v", len(gw), first(gw), tc.georgeNewest)
			}
			for _, r := range append(am, gw...) {
				if r.ID == "" || !r.Submitted.After(r.Taken) || r.Submitted.After(tc.now) || r.SubmittedBy != "" {
					t.Errorf("reading %+v: want an ID, and sent after it was taken, before now, by nobody named", r)
				}
				if err := r.Check(); err != nil {
					t.Errorf("reading %+v: %v", r, err)
				}
			}
			since, err := s.Readings(ctx, george, gw[3].Taken)
			if err != nil || len(since) != 4 || since[3].ID != gw[3].ID {
				t.Errorf("George's readings since his newest round began: %d, %v; want that round's 4", len(since), err)
			}
			none, err := s.Readings(ctx, priya, time.Time{})
			if err != nil || none == nil || len(none) != 0 {
				t.Errorf("Priya's readings: %v, %v; want an empty list", none, err)
			}
		})
	}
}

func first(rs []gp.Reading) time.Time {
	if len(rs) == 0 {
		return time.Time{}
	}
	return rs[0].Taken
}

// TestReseedKeepsSentReadings: seeding again, on a later day too, rewrites
// the seeded readings rather than adding more, and keeps those sent.
func TestReseedKeepsSentReadings(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	s := newOnMiniredis(t, func() time.Time { return now })
	ctx := context.Background()
	sent, err := s.RecordReading(ctx, gp.Reading{PatientNHS: amara, PracticeODS: PilotPractice, Sign: gp.Weight,
		Values: []float64{64.2}, Taken: now.Add(-time.Hour), SubmittedBy: "amara"})
	if err != nil {
		t.Fatal(err)
	}
	if !sent.Submitted.Equal(now) {
		t.Errorf("a reading sent with no time sent: %v, want now", sent.Submitted)
	}
	now = now.AddDate(0, 0, 3)
	if err := s.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := s.Readings(ctx, amara, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, r := range list {
		if r.ID == sent.ID {
			kept++
		}
	}
	if len(list) != 11 || kept != 1 {
		t.Errorf("after reseeding: %d readings, the one sent %d times; want 11, it once", len(list), kept)
	}
	if newest := list[0].Taken; !newest.Equal(time.Date(2026, 11, 25, 7, 40, 0, 0, zones[PilotPractice])) {
		t.Errorf("after reseeding three days on, the newest seeded reading was taken %v", newest)
	}
}
