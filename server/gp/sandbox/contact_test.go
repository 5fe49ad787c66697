package sandbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
)

// contactBackends are the Redis servers the sandbox runs on, seeded, on a
// clock that stands still at now.
func contactBackends(t *testing.T, now time.Time) map[string]*System {
	t.Helper()
	clock := func() time.Time { return now }
	onRedis, _ := newSeeded(t, now)
	return map[string]*System{"redis-server": onRedis, "miniredis": newOnMiniredis(t, clock)}
}

func submitContact(t *testing.T, s *System, patient string, submitted time.Time) gp.ContactRequest {
	t.Helper()
	c, err := s.SubmitContact(context.Background(), gp.ContactRequest{
		PatientNHS: patient, PracticeODS: PilotPractice, Kind: gp.ContactAdmin, Topic: "letter",
		Text: "A letter for my employer, please.", SubmittedBy: "actor-1", Submitted: submitted,
	})
	if err != nil {
		t.Fatalf("SubmitContact: %v", err)
	}
	return c
}

// TestRespondRace: of many replies racing to one request, exactly one is
// recorded, and it is the one its sender was told was.
func TestRespondRace(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for name, s := range contactBackends(t, now) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := submitContact(t, s, amara, time.Time{})
			const n = 50
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				winners []gp.ContactRequest
				others  []error
			)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := s.Respond(ctx, PilotPractice, c.ID, fmt.Sprintf("Reply %d", i), fmt.Sprintf("staff-%d", i))
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						winners = append(winners, r)
					} else {
						others = append(others, err)
					}
				}()
			}
			wg.Wait()
			if len(winners) != 1 {
				t.Fatalf("%d of %d concurrent replies recorded, want exactly 1", len(winners), n)
			}
			for _, err := range others {
				if !errors.Is(err, gp.ErrAlreadyResponded) {
					t.Errorf("losing reply: got %v, want ErrAlreadyResponded", err)
				}
			}
			box, err := s.Inbox(ctx, PilotPractice)
			if err != nil || len(box) != 1 {
				t.Fatalf("Inbox: %d, %v", len(box), err)
			}
			if diff := cmp.Diff(winners[0], box[0]); diff != "" {
				t.Errorf("stored reply is not the winner's (-winner +stored):\n%s", diff)
			}
		})
	}
}

// TestContactSurvivesReseed: seeding again (as after a deploy, or when
// another process finds data lost) keeps every request and reply.
func TestContactSurvivesReseed(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for name, s := range contactBackends(t, now) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			first := submitContact(t, s, amara, now.Add(-time.Hour))
			submitContact(t, s, amara, now.Add(-time.Minute))
			submitContact(t, s, priya, now)
			if _, err := s.Respond(ctx, PilotPractice, first.ID, "Done", "staff-1"); err != nil {
				t.Fatal(err)
			}
			mine, _ := s.ContactRequests(ctx, amara)
			box, _ := s.Inbox(ctx, PilotPractice)
			if len(mine) != 2 || len(box) != 3 {
				t.Fatalf("before reseeding: %d requests, %d in the inbox; want 2 and 3", len(mine), len(box))
			}
			if err := s.Seed(ctx); err != nil {
				t.Fatal(err)
			}
			mineAgain, err := s.ContactRequests(ctx, amara)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(mine, mineAgain); diff != "" {
				t.Errorf("patient's requests after reseeding (-before +after):\n%s", diff)
			}
			boxAgain, err := s.Inbox(ctx, PilotPractice)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(box, boxAgain); diff != "" {
				t.Errorf("inbox after reseeding (-before +after):\n%s", diff)
			}
		})
	}
}

// TestContactTimesAndReplies pins the sandbox's own choices: times come
// from its clock when not given, in the practice's zone; replies are
// trimmed, and a blank one is refused as a bug of the caller's, not a port
// error kind; lists are empty, not nil.
func TestContactTimesAndReplies(t *testing.T) {
	now := time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC) // 10:30 in London
	for name, s := range contactBackends(t, now) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			for _, q := range []struct {
				name string
				list func() ([]gp.ContactRequest, error)
			}{
				{"ContactRequests", func() ([]gp.ContactRequest, error) { return s.ContactRequests(ctx, layla) }},
				{"Inbox", func() ([]gp.ContactRequest, error) { return s.Inbox(ctx, NonPilotPractice) }},
			} {
				if got, err := q.list(); err != nil || got == nil || len(got) != 0 {
					t.Errorf("%s with none: %#v, %v; want an empty list", q.name, got, err)
				}
			}

			c := submitContact(t, s, amara, time.Time{})
			if !c.Submitted.Equal(now) || c.Submitted.Location() != zones[PilotPractice] {
				t.Errorf("submitted at %v, want %v in the practice's zone", c.Submitted, now)
			}
			if !c.ReplyBy.IsZero() || !c.Responded.IsZero() || c.Answers != nil {
				t.Errorf("unset fields came back set: %+v", c)
			}
			for _, reply := range []string{"", "  \n\t "} {
				_, err := s.Respond(ctx, PilotPractice, c.ID, reply, "staff-1")
				if err == nil || errors.Is(err, gp.ErrNotFound) || errors.Is(err, gp.ErrAlreadyResponded) {
					t.Errorf("Respond(%q): got %v, want an error of no port kind", reply, err)
				}
			}
			r, err := s.Respond(ctx, PilotPractice, c.ID, "\n  Your letter is ready to collect.  \n", "staff-1")
			if err != nil {
				t.Fatal(err)
			}
			if r.Reply != "Your letter is ready to collect." {
				t.Errorf("reply %q, want it trimmed", r.Reply)
			}
			if !r.Responded.Equal(now) || r.Responded.Location() != zones[PilotPractice] {
				t.Errorf("responded at %v, want %v in the practice's zone", r.Responded, now)
			}
		})
	}
}
