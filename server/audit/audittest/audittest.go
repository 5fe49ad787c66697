// Package audittest is the contract every audit.Log passes: the Redis
// stream (sandbox) and PostgreSQL (production) alike.
//
// It is a test helper: only _test.go files may import it.
package audittest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nhs-companion/companion/server/audit"
)

// Open returns an empty log whose clock is now.
type Open func(t *testing.T, now func() time.Time) audit.Log

// Run checks log implementations made by open.
func Run(t *testing.T, open Open) {
	ctx := context.Background()
	t.Run("FieldsRoundTrip", func(t *testing.T) {
		l := open(t, time.Now)
		want := audit.Event{Time: time.Now().UTC().Truncate(time.Millisecond), Action: "view_record", Outcome: "success",
			Actor: "sub-1", ActorPatient: "pa", Patient: "pb", Object: "doc:1", Reason: "full", RequestID: "req-1", Session: "sess-1"}
		if err := l.Record(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := l.ForPatient(ctx, "pb", "", 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("ForPatient: %d events, %v", len(got), err)
		}
		if got[0].ID == "" {
			t.Error("an event read back has no ID")
		}
		if diff := cmp.Diff(want, got[0], cmpopts.IgnoreFields(audit.Event{}, "ID"), cmpopts.EquateApproxTime(time.Millisecond)); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	})
	t.Run("NewestFirstOnlyThePatients", func(t *testing.T) {
		l := open(t, time.Now)
		for i, p := range []string{"pa", "pb", "pa", "", "pa"} {
			if err := l.Record(ctx, audit.Event{Action: fmt.Sprint("a", i), Outcome: "success", Patient: p}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Millisecond) // distinct times, as real events have
		}
		got, err := l.ForPatient(ctx, "pa", "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range got {
			actions = append(actions, e.Action)
		}
		if diff := cmp.Diff([]string{"a4", "a2", "a0"}, actions); diff != "" {
			t.Errorf("pa's events (-want +got):\n%s", diff)
		}
		if got, _ := l.ForPatient(ctx, "nobody", "", 10); len(got) != 0 {
			t.Errorf("nobody's events: %+v", got)
		}
	})
	t.Run("PagesCoverEverythingOnce", func(t *testing.T) {
		l := open(t, time.Now)
		const total = 23
		for i := range total {
			if err := l.Record(ctx, audit.Event{Action: fmt.Sprint("a", i), Outcome: "success", Patient: "pa"}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		before, pages := "", 0
		for ; pages < 10; pages++ {
			page, err := l.ForPatient(ctx, "pa", before, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				if seen[e.Action] {
					t.Errorf("%s on two pages", e.Action)
				}
				seen[e.Action] = true
			}
			before = page[len(page)-1].ID
		}
		if len(seen) != total || pages != 5 {
			t.Errorf("%d events on %d pages, want %d on 5", len(seen), pages, total)
		}
	})
	t.Run("ConcurrentWritersLoseNothing", func(t *testing.T) {
		l := open(t, time.Now)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- l.Record(ctx, audit.Event{Action: fmt.Sprint("c", i), Outcome: "success", Patient: "pc"})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := l.ForPatient(ctx, "pc", "", 100); len(got) != 40 {
			t.Errorf("%d of 40 concurrent events kept", len(got))
		}
	})
	t.Run("NothingPastRetention", func(t *testing.T) {
		now := time.Now()
		l := open(t, func() time.Time { return now })
		if err := l.Record(ctx, audit.Event{Time: now.Add(-3 * 366 * 24 * time.Hour), Action: "old", Outcome: "success", Patient: "pd"}); err != nil {
			t.Fatal(err)
		}
		if err := l.Record(ctx, audit.Event{Action: "new", Outcome: "success", Patient: "pd"}); err != nil {
			t.Fatal(err)
		}
		got, err := l.ForPatient(ctx, "pd", "", 10)
		if err != nil || len(got) != 1 || got[0].Action != "new" {
			t.Errorf("events past a two-year retention are read back: %+v %v", got, err)
		}
	})
}
