package consult

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/redis/go-redis/v9"
)

const maxSuspension = 72 * time.Hour

// mustStore returns a store on a private redis-server, and its client.
func mustStore(tb testing.TB) (*Store, redis.UniversalClient) {
	tb.Helper()
	rdb := redistest.MustStart(tb).Client(tb)
	return NewStore(rdb, "test:", DefaultSettings, maxSuspension), rdb
}

func TestSettingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, _ := mustStore(t)

	got, err := st.Settings(ctx, "Z00008")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(DefaultSettings, got); diff != "" {
		t.Errorf("unsaved settings (-want +got):\n%s", diff)
	}
	// The defaults are the store's own: changing what it handed out
	// changes nothing.
	got.Caps[gp.ContactMedical] = 1
	got.Windows[0].Open = 0
	if again, _ := st.Settings(ctx, "Z00008"); !cmp.Equal(DefaultSettings, again) {
		t.Errorf("changing returned settings changed the defaults: %+v", again)
	}
	if DefaultSettings.Caps[gp.ContactMedical] != 40 || CoreHours[0].Open != 480 {
		t.Fatalf("changing returned settings changed DefaultSettings")
	}

	saved := Settings{
		Windows:          mustParse(t, "Sat 09:00-12:00; Mon-Fri 08:00-18:30"),
		BankHolidaysOpen: true,
		Caps:             map[gp.ContactKind]int{gp.ContactMedical: 10, gp.ContactAdmin: 0},
		PatientDaily:     1,
	}
	if err := st.SaveSettings(ctx, "Z00008", saved); err != nil {
		t.Fatal(err)
	}
	got, err = st.Settings(ctx, "Z00008")
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{
		Windows:          mustParse(t, "Mon-Fri 08:00-18:30; Sat 09:00-12:00"),
		BankHolidaysOpen: true,
		// Medication was not saved, so it keeps the default; admin's 0
		// (no cap) was, so it stays.
		Caps:         map[gp.ContactKind]int{gp.ContactMedical: 10, gp.ContactMedication: 30, gp.ContactAdmin: 0},
		PatientDaily: 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("saved settings (-want +got):\n%s", diff)
	}
	if other, _ := st.Settings(ctx, "Z00009"); !cmp.Equal(DefaultSettings, other) {
		t.Errorf("another practice's settings changed: %+v", other)
	}
}

func TestSaveSettingsRejectsNonsense(t *testing.T) {
	ctx := context.Background()
	st, _ := mustStore(t)
	for name, s := range map[string]Settings{
		"no windows":    {Caps: DefaultSettings.Caps},
		"overlap":       {Windows: []Window{{time.Monday, 480, 720}, {time.Monday, 700, 800}}},
		"same twice":    {Windows: []Window{{time.Monday, 480, 720}, {time.Monday, 480, 720}}},
		"backwards":     {Windows: []Window{{time.Monday, 720, 480}}},
		"empty":         {Windows: []Window{{time.Monday, 480, 480}}},
		"past midnight": {Windows: []Window{{time.Monday, 480, 1441}}},
		"negative":      {Windows: []Window{{time.Monday, -1, 480}}},
		"no such day":   {Windows: []Window{{time.Weekday(7), 480, 720}}},
		"unknown kind":  {Windows: CoreHours, Caps: map[gp.ContactKind]int{"prescription": 3}},
	} {
		if err := st.SaveSettings(ctx, "Z00008", s); !errors.Is(err, ErrInvalidSettings) {
			t.Errorf("%s: SaveSettings = %v, want ErrInvalidSettings", name, err)
		}
	}
	if got, _ := st.Settings(ctx, "Z00008"); !cmp.Equal(DefaultSettings, got) {
		t.Errorf("rejected settings were saved: %+v", got)
	}
}

func TestSuspension(t *testing.T) {
	ctx := context.Background()
	st, rdb := mustStore(t)
	now := time.Now()
	const ods = "Z00008"

	if s, err := st.Suspension(ctx, ods, now); s != nil || err != nil {
		t.Fatalf("Suspension before any = %+v, %v", s, err)
	}
	for _, tc := range []struct {
		name string
		s    Suspension
		want error
	}{
		{"no reason", Suspension{Until: now.Add(time.Hour), By: "staff-1"}, ErrReasonRequired},
		{"blank reason", Suspension{Until: now.Add(time.Hour), Reason: " \t\n", By: "staff-1"}, ErrReasonRequired},
		{"ends now", Suspension{Until: now, Reason: "IT outage"}, ErrBadSuspension},
		{"ended", Suspension{Until: now.Add(-time.Minute), Reason: "IT outage"}, ErrBadSuspension},
		{"no end", Suspension{Reason: "IT outage"}, ErrBadSuspension},
		{"too long", Suspension{Until: now.Add(maxSuspension + time.Second), Reason: "IT outage"}, ErrSuspensionTooLong},
	} {
		if err := st.Suspend(ctx, ods, tc.s, now); !errors.Is(err, tc.want) {
			t.Errorf("%s: Suspend = %v, want %v", tc.name, err, tc.want)
		}
	}
	if s, _ := st.Suspension(ctx, ods, now); s != nil {
		t.Fatalf("a rejected suspension was kept: %+v", s)
	}

	until := now.Add(maxSuspension)
	if err := st.Suspend(ctx, ods, Suspension{Until: until, Reason: "  Too many urgent calls to triage safely ", By: "staff-1"}, now); err != nil {
		t.Fatalf("Suspend for the longest allowed: %v", err)
	}
	got, err := st.Suspension(ctx, ods, now)
	if err != nil {
		t.Fatal(err)
	}
	want := &Suspension{Until: until, Reason: "Too many urgent calls to triage safely", By: "staff-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Suspension (-want +got):\n%s", diff)
	}
	if s, _ := st.Suspension(ctx, "Z00009", now); s != nil {
		t.Errorf("another practice is suspended: %+v", s)
	}
	if s, _ := st.Suspension(ctx, ods, until); s != nil {
		t.Errorf("Suspension at its end = %+v, want nil", s)
	}
	if ttl := rdb.TTL(ctx, st.key("suspension", ods)).Val(); ttl <= maxSuspension-time.Minute || ttl > maxSuspension {
		t.Errorf("suspension TTL = %v, want about %v", ttl, maxSuspension)
	}
	if err := st.Resume(ctx, ods); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Suspension(ctx, ods, now); s != nil {
		t.Errorf("Suspension after Resume = %+v", s)
	}
	if err := st.Resume(ctx, ods); err != nil {
		t.Errorf("Resume when not suspended: %v", err)
	}

	// It ends by itself: Redis forgets it.
	now = time.Now()
	if err := st.Suspend(ctx, ods, Suspension{Until: now.Add(300 * time.Millisecond), Reason: "Fire drill", By: "staff-2"}, now); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.Suspension(ctx, ods, now); s == nil {
		t.Fatal("short suspension not in place")
	}
	time.Sleep(500 * time.Millisecond)
	if n := rdb.Exists(ctx, st.key("suspension", ods)).Val(); n != 0 {
		t.Errorf("ended suspension still in Redis")
	}
	if s, _ := st.Suspension(ctx, ods, time.Now()); s != nil {
		t.Errorf("Suspension after it ended = %+v", s)
	}
}

// capped is DefaultSettings with one cap for medical requests.
func capped(medical, patientDaily int) Settings {
	s := DefaultSettings.clone()
	s.Caps[gp.ContactMedical] = medical
	s.PatientDaily = patientDaily
	return s
}

func TestTakeCapUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	st, rdb := mustStore(t)
	const ods, places, patients = "Z00008", 25, 300
	s := capped(places, 2)
	day := Day(time.Now())

	// Watch the counter while the requests race: it must never pass the cap.
	stop := make(chan struct{})
	var over atomic.Int64
	var watch sync.WaitGroup
	watch.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if used, err := st.Used(ctx, ods, day); err == nil && used[gp.ContactMedical] > places {
				over.Store(int64(used[gp.ContactMedical]))
			}
		}
	})

	var ok, full atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, patients)
	for i := range patients {
		wg.Go(func() {
			_, err := st.Take(ctx, ods, fmt.Sprintf("patient-%d", i), gp.ContactMedical, day, s)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrFull):
				full.Add(1)
			default:
				errs <- err
			}
		})
	}
	wg.Wait()
	close(stop)
	watch.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Take: %v", err)
	}
	if ok.Load() != places || full.Load() != patients-places {
		t.Errorf("%d took a place and %d were told it is full; want %d and %d", ok.Load(), full.Load(), places, patients-places)
	}
	if n := over.Load(); n != 0 {
		t.Errorf("counter reached %d, over the cap of %d", n, places)
	}
	used, err := st.Used(ctx, ods, day)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[gp.ContactKind]int{gp.ContactMedical: places, gp.ContactMedication: 0, gp.ContactAdmin: 0}, used); diff != "" {
		t.Errorf("Used (-want +got):\n%s", diff)
	}

	// Medical being full leaves the other kinds open.
	if _, err := st.Take(ctx, ods, "patient-0", gp.ContactAdmin, day, s); err != nil {
		t.Errorf("admin request when medical is full: %v", err)
	}
	if _, err := st.Take(ctx, ods, "patient-new", gp.ContactMedical, day, s); !errors.Is(err, ErrFull) {
		t.Errorf("medical request when full: %v, want ErrFull", err)
	}
	// Another practice has its own places.
	if _, err := st.Take(ctx, "Z00009", "patient-new", gp.ContactMedical, day, s); err != nil {
		t.Errorf("another practice: %v", err)
	}
	// A new day starts at zero.
	tomorrow := addDays(day, 1)
	if used, _ := st.Used(ctx, ods, tomorrow); used[gp.ContactMedical] != 0 {
		t.Errorf("tomorrow's used = %v, want none", used)
	}
	if _, err := st.Take(ctx, ods, "patient-new", gp.ContactMedical, tomorrow, s); err != nil {
		t.Errorf("medical request tomorrow: %v", err)
	}

	// Counters expire 48 hours after their day ends.
	end := midnight(addDays(day, 1))
	for _, key := range []string{st.dayKey(day, "used", ods), st.dayKey(day, "patient", patientPart("patient-0")), st.dayKey(day, "tickets", ods)} {
		ttl := rdb.TTL(ctx, key).Val()
		want := time.Until(end) + 48*time.Hour
		if ttl < want-time.Minute || ttl > want+time.Minute {
			t.Errorf("TTL of %s = %v, want about %v", key, ttl, want)
		}
	}
}

func TestTakePatientLimit(t *testing.T) {
	ctx := context.Background()
	st, _ := mustStore(t)
	const ods = "Z00008"
	s := DefaultSettings // two a day
	day := Day(time.Now())

	if _, err := st.Take(ctx, ods, "patient-a", gp.ContactMedical, day, s); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Take(ctx, ods, "patient-a", gp.ContactAdmin, day, s); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Take(ctx, ods, "patient-a", gp.ContactMedication, day, s); !errors.Is(err, ErrPatientLimit) {
		t.Errorf("third request of the day: %v, want ErrPatientLimit", err)
	}
	if n, err := st.PatientUsed(ctx, "patient-a", day); n != 2 || err != nil {
		t.Errorf("PatientUsed = %d, %v; want 2", n, err)
	}
	used, _ := st.Used(ctx, ods, day)
	if diff := cmp.Diff(map[gp.ContactKind]int{gp.ContactMedical: 1, gp.ContactMedication: 0, gp.ContactAdmin: 1}, used); diff != "" {
		t.Errorf("a refused request was counted (-want +got):\n%s", diff)
	}
	// The limit is the patient's, wherever they send it.
	if _, err := st.Take(ctx, "Z00009", "patient-a", gp.ContactAdmin, day, s); !errors.Is(err, ErrPatientLimit) {
		t.Errorf("third request, to another practice: %v, want ErrPatientLimit", err)
	}
	if n, _ := st.PatientUsed(ctx, "patient-b", day); n != 0 {
		t.Errorf("another patient's PatientUsed = %d", n)
	}
	if _, err := st.Take(ctx, ods, "patient-a", gp.ContactMedical, addDays(day, 1), s); err != nil {
		t.Errorf("a request tomorrow: %v", err)
	}
	// When both limits are reached the patient hears about their own.
	if _, err := st.Take(ctx, ods, "patient-a", gp.ContactMedical, day, capped(1, 2)); !errors.Is(err, ErrPatientLimit) {
		t.Errorf("both limits reached: %v, want ErrPatientLimit", err)
	}
	// No limit.
	for range 5 {
		if _, err := st.Take(ctx, ods, "patient-c", gp.ContactAdmin, day, capped(0, 0)); err != nil {
			t.Fatalf("no limit: %v", err)
		}
	}
}

func TestTakePatientLimitUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	st, _ := mustStore(t)
	day := Day(time.Now())
	s := capped(0, 2)
	var ok, limited atomic.Int64
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			_, err := st.Take(ctx, "Z00008", "same-patient", gp.ContactKinds[i%len(gp.ContactKinds)], day, s)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrPatientLimit):
				limited.Add(1)
			default:
				t.Errorf("Take: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 2 || limited.Load() != 48 {
		t.Errorf("%d succeeded and %d hit the limit; want 2 and 48", ok.Load(), limited.Load())
	}
	if n, _ := st.PatientUsed(ctx, "same-patient", day); n != 2 {
		t.Errorf("PatientUsed = %d, want 2", n)
	}
}

func TestRelease(t *testing.T) {
	ctx := context.Background()
	st, _ := mustStore(t)
	const ods = "Z00008"
	day := Day(time.Now())
	s := capped(2, 2)

	first, err := st.Take(ctx, ods, "patient-a", gp.ContactMedical, day, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Take(ctx, ods, "patient-b", gp.ContactMedical, day, s); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Take(ctx, ods, "patient-c", gp.ContactMedical, day, s); !errors.Is(err, ErrFull) {
		t.Fatalf("Take when full: %v", err)
	}
	if err := st.Release(ctx, first); err != nil {
		t.Fatal(err)
	}
	if used, _ := st.Used(ctx, ods, day); used[gp.ContactMedical] != 1 {
		t.Errorf("Used after Release = %v, want 1 medical", used)
	}
	if n, _ := st.PatientUsed(ctx, "patient-a", day); n != 0 {
		t.Errorf("PatientUsed after Release = %d, want 0", n)
	}
	// Releasing the same ticket again gives nothing more back.
	if err := st.Release(ctx, first); err != nil {
		t.Fatal(err)
	}
	if used, _ := st.Used(ctx, ods, day); used[gp.ContactMedical] != 1 {
		t.Errorf("Used after a second Release = %v, want 1 medical", used)
	}
	if n, _ := st.PatientUsed(ctx, "patient-b", day); n != 1 {
		t.Errorf("another patient's count changed: %d", n)
	}
	if _, err := st.Take(ctx, ods, "patient-c", gp.ContactMedical, day, s); err != nil {
		t.Errorf("Take after Release: %v", err)
	}
	if err := st.Release(ctx, Ticket{}); err != nil {
		t.Errorf("Release of no ticket: %v", err)
	}
}

func TestTakeRejectsUnknownKind(t *testing.T) {
	st, _ := mustStore(t)
	if _, err := st.Take(context.Background(), "Z00008", "p", "urgent", Day(time.Now()), DefaultSettings); err == nil {
		t.Error("Take of an unknown kind succeeded")
	}
}

func TestStoreUnavailable(t *testing.T) {
	ctx := context.Background()
	srv := redistest.MustStart(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1}) // fail at once, not after go-redis's retries
	t.Cleanup(func() { rdb.Close() })
	st := NewStore(rdb, "test:", DefaultSettings, maxSuspension)
	srv.Stop()
	day := Day(time.Now())
	if _, err := st.Take(ctx, "Z00008", "p", gp.ContactAdmin, day, DefaultSettings); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("Take with Redis down: %v, want gp.ErrUnavailable", err)
	}
	if _, err := st.Settings(ctx, "Z00008"); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("Settings with Redis down: %v, want gp.ErrUnavailable", err)
	}
	if _, err := st.Suspension(ctx, "Z00008", time.Now()); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("Suspension with Redis down: %v, want gp.ErrUnavailable", err)
	}
}
