package sandbox

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp"
)

var london = zones[PilotPractice]

// clockFunc is a test clock that can be moved on.
type clockFunc struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clockFunc) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clockFunc) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func TestSlotsAcrossClockChanges(t *testing.T) {
	for _, tc := range []struct {
		name  string
		now   time.Time
		first string // first day with slots
		// a day either side of the change, and the UTC time of 08:00 there
		before, after         string
		beforeUTC, afterUTC   string
		wantDays              int
		wantLastDayOnOrBefore string
	}{
		{
			name: "spring forward 2026-03-29", now: time.Date(2026, 3, 26, 0, 30, 0, 0, london),
			first: "2026-03-26", before: "2026-03-27", after: "2026-03-30",
			beforeUTC: "2026-03-27T08:00:00Z", afterUTC: "2026-03-30T07:00:00Z",
			wantDays: 20, wantLastDayOnOrBefore: "2026-04-22",
		},
		{
			name: "fall back 2026-10-25", now: time.Date(2026, 10, 22, 0, 30, 0, 0, london),
			first: "2026-10-22", before: "2026-10-23", after: "2026-10-26",
			beforeUTC: "2026-10-23T07:00:00Z", afterUTC: "2026-10-26T08:00:00Z",
			wantDays: 20, wantLastDayOnOrBefore: "2026-11-18",
		},
		{
			name: "seeded on a Sunday", now: time.Date(2026, 3, 29, 12, 0, 0, 0, london),
			first: "2026-03-30", before: "2026-03-30", after: "2026-03-31",
			beforeUTC: "2026-03-30T07:00:00Z", afterUTC: "2026-03-31T07:00:00Z",
			wantDays: 20, wantLastDayOnOrBefore: "2026-04-24",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newSeeded(t, tc.now)
			for _, ods := range []string{PilotPractice, NonPilotPractice} {
				slots, err := s.Slots(context.Background(), gp.SlotQuery{Practice: ods, From: tc.now, To: tc.now.AddDate(0, 1, 0)})
				if err != nil {
					t.Fatal(err)
				}
				type day struct{ First, Last string }
				days := map[string]*day{}
				var order []string
				for _, sl := range slots {
					start, end := sl.Start.In(london), sl.End.In(london)
					d := start.Format(time.DateOnly)
					if days[d] == nil {
						days[d] = &day{First: "99:99", Last: "00:00"}
						order = append(order, d)
					}
					if hm := start.Format("15:04"); hm < days[d].First {
						days[d].First = hm
					}
					if hm := end.Format("15:04"); hm > days[d].Last {
						days[d].Last = hm
					}
					if wd := start.Weekday(); wd == time.Saturday || wd == time.Sunday {
						t.Errorf("%s: slot %s on a %s", ods, sl.ID, wd)
					}
					if want := slotID(ods, start, sl.Clinician.ID); sl.ID != want {
						t.Errorf("slot ID %s, want %s", sl.ID, want)
					}
					if l := sl.End.Sub(sl.Start); l < 10*time.Minute || l > 20*time.Minute {
						t.Errorf("slot %s lasts %v", sl.ID, l)
					}
				}
				if len(order) != tc.wantDays || order[0] != tc.first || order[len(order)-1] > tc.wantLastDayOnOrBefore {
					t.Errorf("%s: days %v, want %d weekdays from %s to no later than %s", ods, order, tc.wantDays, tc.first, tc.wantLastDayOnOrBefore)
				}
				for d, got := range days {
					if diff := cmp.Diff(day{"08:00", "18:30"}, *got); diff != "" {
						t.Errorf("%s on %s: local day (-want +got):\n%s", ods, d, diff)
					}
				}
				for _, c := range []struct{ day, utc string }{{tc.before, tc.beforeUTC}, {tc.after, tc.afterUTC}} {
					first := firstOn(slots, c.day)
					if got := first.UTC().Format(time.RFC3339); got != c.utc {
						t.Errorf("%s: first slot on %s at %s UTC, want %s", ods, c.day, got, c.utc)
					}
				}
			}
		})
	}
}

func firstOn(slots []gp.Slot, day string) time.Time {
	for _, sl := range slots {
		if sl.Start.In(london).Format(time.DateOnly) == day {
			return sl.Start
		}
	}
	return time.Time{}
}

func TestRollingWindowKeepsBookings(t *testing.T) {
	ctx := context.Background()
	clock := &clockFunc{t: time.Date(2026, 3, 23, 7, 0, 0, 0, london)} // a Monday
	srv := redistest.MustStart(t)
	rdb := srv.Client(t)
	s := New(rdb, "test:", clock.now)
	if err := s.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	week := func() []gp.Slot {
		t.Helper()
		now := clock.now()
		slots, err := s.Slots(ctx, gp.SlotQuery{Practice: PilotPractice, From: now, To: now.AddDate(0, 0, 40), Type: gp.SlotGP})
		if err != nil {
			t.Fatal(err)
		}
		return slots
	}
	before := week()
	target := before[len(before)/3]
	a, err := s.Book(ctx, gp.Booking{PatientNHS: "9990000018", PracticeODS: PilotPractice, SlotID: target.ID})
	if err != nil {
		t.Fatal(err)
	}

	// Seeding again, and another process's first look, regenerate nothing.
	if err := s.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	other := New(rdb, "test:", clock.now)
	if _, free, err := other.Slot(ctx, PilotPractice, target.ID); err != nil || free {
		t.Fatalf("after reseeding, booked slot: free=%v, %v", free, err)
	}
	if got := week(); len(got) != len(before)-1 {
		t.Errorf("after reseeding: %d free slots, want %d", len(got), len(before)-1)
	}

	// Three days on, the window has rolled: new days appear, past ones are
	// gone from the free list, the booking survives.
	clock.set(clock.now().AddDate(0, 0, 3))
	after := week()
	last := after[len(after)-1].Start.In(london).Format(time.DateOnly)
	if want := "2026-04-22"; last != want {
		t.Errorf("after three days, last day with slots %s, want %s", last, want)
	}
	if after[0].Start.Before(clock.now()) {
		t.Errorf("a past slot %s is offered", after[0].ID)
	}
	if _, free, err := s.Slot(ctx, PilotPractice, target.ID); err != nil || free {
		t.Errorf("after the window rolled, booked slot: free=%v, %v", free, err)
	}
	list, err := s.Appointments(ctx, "9990000018")
	if err != nil || len(list) != 1 || list[0].ID != a.ID || list[0].Status != gp.StatusBooked {
		t.Errorf("after the window rolled, appointments %+v, %v", list, err)
	}
	n, err := rdb.ZCount(ctx, s.freeKey(PilotPractice), "-inf", "("+strconv.FormatInt(clock.now().UnixMilli(), 10)).Result()
	if err != nil || n != 0 {
		t.Errorf("%d past slots still in the free list (%v)", n, err)
	}
}

// TestRushGeneratesNothing: once the window is in place, a rush of slot
// reads costs one sorted-set read each and no generation at all.
func TestRushGeneratesNothing(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 23, 8, 0, 0, 0, london)
	s, srv := newSeeded(t, now)
	if _, err := s.Slots(ctx, gp.SlotQuery{Practice: PilotPractice, From: now, To: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	srv.ResetStats(t)
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Slots(ctx, gp.SlotQuery{Practice: PilotPractice, From: now, To: now.AddDate(0, 0, 1), Type: gp.SlotNurse}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	calls := srv.CommandCalls(t)
	for _, cmd := range []string{"evalsha", "eval", "hset", "zadd", "exists", "zremrangebyscore"} {
		if calls[cmd] != 0 {
			t.Errorf("the rush ran %s %d times", cmd, calls[cmd])
		}
	}
	if calls["zrangebyscore"] != 200 {
		t.Errorf("the rush ran zrangebyscore %d times, want 200 (one per read)", calls["zrangebyscore"])
	}
}

func TestPracticeBookingRules(t *testing.T) {
	s, _ := newSeeded(t, time.Now())
	for _, tc := range []struct {
		ods  string
		want gp.BookingRules
	}{
		{PilotPractice, gp.DefaultBookingRules},
		{NonPilotPractice, gp.BookingRules{MaxFuture: 2, BookCutoff: 30 * time.Minute, CancelCutoff: time.Hour, ReasonMax: 500, ReasonRequired: true}},
	} {
		p, err := s.Practice(context.Background(), tc.ods)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, p.Booking); diff != "" {
			t.Errorf("%s booking rules (-want +got):\n%s", tc.ods, diff)
		}
	}
}

func TestClinicians(t *testing.T) {
	s, _ := newSeeded(t, time.Now())
	for _, ods := range []string{PilotPractice, NonPilotPractice} {
		got, err := s.Clinicians(context.Background(), ods)
		if err != nil {
			t.Fatal(err)
		}
		var want []gp.Clinician
		for _, c := range diaries[ods] {
			want = append(want, c.Clinician)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s clinicians (-want +got):\n%s", ods, diff)
		}
		if len(got) < 2 || len(got) > 4 {
			t.Errorf("%s: %d clinicians, want 2 to 4", ods, len(got))
		}
	}
}
