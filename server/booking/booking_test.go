package booking_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/featuretest"
	"github.com/nhs-companion/companion/server/admission"
	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/coalesce"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

func TestCheckReason(t *testing.T) {
	rules := gp.BookingRules{ReasonMax: 10}
	required := gp.BookingRules{ReasonMax: 10, ReasonRequired: true}
	for _, tt := range []struct {
		name   string
		reason string
		rules  gp.BookingRules
		want   string
		err    error
	}{
		{"trimmed", "  cough  ", rules, "cough", nil},
		{"empty allowed", "", rules, "", nil},
		{"empty refused where required", "  ", required, "", booking.ErrReasonNeeded},
		{"at the limit", strings.Repeat("é", 10), rules, strings.Repeat("é", 10), nil},
		{"over the limit", strings.Repeat("é", 11), rules, "", booking.ErrReasonTooLong},
		{"default limit", strings.Repeat("a", 501), gp.BookingRules{}, "", booking.ErrReasonTooLong},
		{"control character", "a\x07b", rules, "", fault.ErrBadRequest},
		{"line breaks kept", "a\nb", rules, "a\nb", nil},
		{"bidirectional override", "ache\u202Eon", rules, "", fault.ErrBadRequest},
		{"zero-width space", "a\u200Bb", rules, "", fault.ErrBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := booking.CheckReason(tt.reason, tt.rules)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("CheckReason(%q) = %q, %v; want %q, %v", tt.reason, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestCutOffsAreOneRule(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, gp.UK)
	r := gp.BookingRules{BookCutoff: 30 * time.Minute, CancelCutoff: time.Hour}
	if got := r.Earliest(now); !got.Equal(now.Add(30 * time.Minute)) {
		t.Errorf("Earliest = %v", got)
	}
	a := gp.Appointment{Status: gp.StatusBooked, Slot: gp.Slot{Start: now.Add(61 * time.Minute)}}
	if !r.Cancellable(a, now) {
		t.Error("61 minutes ahead should be cancellable")
	}
	a.Slot.Start = now.Add(time.Hour)
	if r.Cancellable(a, now) {
		t.Error("exactly at the cut-off should not be cancellable")
	}
	a.Slot.Start, a.Status = now.Add(2*time.Hour), gp.StatusCancelled
	if r.Cancellable(a, now) {
		t.Error("a cancelled appointment is not cancellable")
	}
}

// TestDaysCountInThePracticeZone: slots are grouped by the practice's
// calendar day, across the clock change.
func TestDaysCountInThePracticeZone(t *testing.T) {
	at := func(s string) gp.Slot {
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return gp.Slot{Start: ts}
	}
	// 23:30 UTC on 28 March is still 28 March in London; 23:30 UTC on 29
	// March (BST) is already 30 March.
	slots := []gp.Slot{at("2026-03-28T09:00:00Z"), at("2026-03-28T23:30:00Z"), at("2026-03-29T23:30:00Z")}
	got := booking.Days(slots, gp.UK)
	want := []api.Day{{Date: "2026-03-28", Free: 2}, {Date: "2026-03-30", Free: 1}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Days = %v, want %v", got, want)
	}
}

func TestCalendarHoldsNoPersonalDetail(t *testing.T) {
	start := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	a := gp.Appointment{ID: "a1", PatientNHS: "9990000018", Reason: "private worry", Status: gp.StatusBooked,
		Slot: gp.Slot{Start: start, End: start.Add(10 * time.Minute)}}
	practice := gp.Practice{Name: "River Walk", Address: []string{"1 River Walk", "Leeds"}, Postcode: "LS1 4ZZ"}
	ics, err := booking.Calendar(a, practice, booking.Event{Title: "GP; appointment, River Walk", Description: "Call 0113"}, start)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DTSTART:20261203T100000Z\r\n", `SUMMARY:GP\; appointment\, River Walk`, `LOCATION:1 River Walk\, Leeds\, LS1 4ZZ`} {
		if !strings.Contains(ics, want) {
			t.Errorf("calendar lacks %q:\n%s", want, ics)
		}
	}
	if strings.Contains(ics, "9990000018") || strings.Contains(ics, "private worry") {
		t.Errorf("calendar holds personal detail:\n%s", ics)
	}
	a.Status = gp.StatusCancelled
	if _, err := booking.Calendar(a, practice, booking.Event{}, start); !errors.Is(err, booking.ErrNoAppointment) {
		t.Errorf("cancelled appointment: %v", err)
	}
}

func service(e *featuretest.Env, limit int) *booking.Service {
	return &booking.Service{
		Slots:     coalesce.New[[]gp.Slot](e.Redis, "ft:slots:", time.Second),
		Admission: admission.New(e.Redis, "ft:admission:", admission.Options{Limit: limit}),
		Idem:      e.Idem, Audit: e.Trail, Log: e.Log,
	}
}

// TestBookTranslatesAndAudits books a slot twice: the second answer is
// booking's own slot_taken, and both attempts are in the audit trail.
func TestBookTranslatesAndAudits(t *testing.T) {
	e := featuretest.MustStart(t)
	s := service(e, 10)
	ctx := context.Background()
	amara := e.Patient(t, featuretest.Amara, featuretest.Amara, booking.Need)
	priya := e.Patient(t, featuretest.Priya, featuretest.Priya, booking.Need)
	slots, err := s.Find(ctx, amara, booking.SlotQuery{Type: "gp"})
	if err != nil || len(slots) == 0 {
		t.Fatalf("Find: %d slots, %v", len(slots), err)
	}
	earliest := time.Now().Add(amara.Diary().Rules().BookCutoff).UnixMilli()
	for _, sl := range slots {
		if sl.Start < earliest {
			t.Fatalf("slot %s inside the cut-off offered", sl.ID)
		}
	}
	if _, err := s.Book(ctx, amara, slots[0].ID, "", booking.Attempt{Route: "test"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Book(ctx, priya, slots[0].ID, "", booking.Attempt{Route: "test"})
	if !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("second booking: %v", err)
	}
	if !e.Audit.Has("book", "success", "") || !e.Audit.Has("book", "refused", "slot_taken") {
		t.Errorf("audit: %+v", e.Audit.Events)
	}
	if _, err := s.Find(ctx, amara, booking.SlotQuery{Type: "surgery"}); !errors.Is(err, fault.ErrBadRequest) {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := s.Find(ctx, amara, booking.SlotQuery{Type: "gp", From: "tomorrow"}); !errors.Is(err, fault.ErrBadRequest) {
		t.Errorf("bad date: %v", err)
	}
}

// TestStepWalksTheQuestions: type, then day, then time, then check; a bad
// answer says which field, and a busy practice queues.
func TestStepWalksTheQuestions(t *testing.T) {
	e := featuretest.MustStart(t)
	s := service(e, 1)
	ctx := context.Background()
	p := e.Patient(t, featuretest.Amara, featuretest.Amara, booking.Need)
	b := &api.Booking{Type: "nope"}
	if problems, err := s.Step(ctx, p, b, "", "", true); err != nil || b.Step != api.BookType || len(problems) != 1 || problems[0].Field != "type" {
		t.Fatalf("bad type: %v %v %+v", b.Step, err, problems)
	}
	b = &api.Booking{Type: "gp", Day: "someday"}
	if problems, err := s.Step(ctx, p, b, "", "", false); err != nil || b.Step != api.BookDay || len(problems) != 1 || problems[0].Err != booking.ErrDayRequired || len(b.Days) == 0 {
		t.Fatalf("bad day: %v %v %+v", b.Step, err, problems)
	}
	b.Day = b.Days[0].Date
	if _, err := s.Step(ctx, p, b, "", "", false); err != nil || b.Step != api.BookTime || len(b.Slots) != b.Days[0].Free {
		t.Fatalf("time: %v %v %d slots", b.Step, err, len(b.Slots))
	}
	slot := b.Slots[0].ID
	if _, err := s.Step(ctx, p, b, slot, "", false); err != nil || b.Step != api.BookCheck || b.IdempotencyKey == "" {
		t.Fatalf("check: %v %v", b.Step, err)
	}
	pass, err := s.Admission.Enter(ctx, p.Diary().Practice(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer pass.Release(ctx)
	var q booking.Queued
	if _, err := s.Step(ctx, p, &api.Booking{Type: "gp"}, "", "", false); !errors.As(err, &q) || !errors.Is(err, booking.ErrQueued) || q.Ticket == "" {
		t.Errorf("busy practice: %v", err)
	}
}

// TestTakenTimeOffersTheNextFreeDay: when the time chosen has gone and its
// day has no other free time, the next day with one is offered; not when
// the day still has times, and not past the last day.
func TestTakenTimeOffersTheNextFreeDay(t *testing.T) {
	days := []api.Day{{Date: "2026-12-07", Free: 3}, {Date: "2026-12-09", Free: 1}}
	for _, c := range []struct {
		name string
		b    api.Booking
		want string
	}{
		{"empty day", api.Booking{Step: api.BookTime, Day: "2026-12-08", Days: days}, "2026-12-09"},
		{"day with times", api.Booking{Step: api.BookTime, Day: "2026-12-08", Days: days, Slots: []api.Slot{{ID: "s"}}}, ""},
		{"last day", api.Booking{Step: api.BookTime, Day: "2026-12-09", Days: days}, ""},
		{"not the time step", api.Booking{Step: api.BookDay, Day: "2026-12-08", Days: days}, ""},
	} {
		if got := booking.LaterDay(&c.b, nil); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if got := booking.LaterDay(&api.Booking{Step: api.BookTime, Day: "2026-12-08", Days: days}, errors.New("down")); got != "" {
		t.Errorf("after an error: %q", got)
	}
}
