package monitoring_test

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
	"github.com/nhs-companion/companion/server/monitoring"
)

// A reading not sent within the plan's interval shows as overdue to the
// practice (after the interval, not before), the board puts red before
// amber before overdue, and a review clears what came before it only.
func TestThePracticeNoticesMissedReadings(t *testing.T) {
	ctx := context.Background()
	rs := redistest.MustStart(t)
	rdb := rs.Client(t)
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	sys := sandbox.New(rdb, "t:", clock)
	ids, err := access.NewIDs([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &monitoring.Service{GP: sys, Plans: monitoring.RedisStore(rdb, "t:"), IDs: ids, Now: clock,
		Audit: &audit.Trail{Log: audit.NewStream(rdb, "t:audit", time.Hour, nil)}}
	pulse, _ := monitoring.SignOf(gp.Pulse)
	practice := gp.Practice{ODS: sandbox.PilotPractice, Name: "Pilot"}
	put := func(nhsNumber string) {
		p := monitoring.Plan{PatientNHS: nhsNumber, PracticeODS: practice.ODS, Start: now.Add(-30 * time.Hour), End: now.AddDate(0, 0, 7),
			Signs: []monitoring.PlanSign{{Sign: gp.Pulse, EveryHours: 12, Limits: pulse.Defaults}}}
		if err := svc.Plans.Put(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	send := func(nhsNumber string, value float64, ago time.Duration) {
		att, dir := monitoring.Assess(pulse.Defaults, []float64{value})
		if _, err := sys.RecordReading(ctx, gp.Reading{PatientNHS: nhsNumber, PracticeODS: practice.ODS, Sign: gp.Pulse, Values: []float64{value},
			Taken: now.Add(-ago), Submitted: now.Add(-ago), Attention: att, Direction: dir}); err != nil {
			t.Fatal(err)
		}
	}
	// Layla: on time. Tom: his last reading 13 hours ago. Priya: amber.
	// George: red.
	for _, n := range []string{"9990000026", "9990000069", "9990000034", "9990000042"} {
		put(n)
	}
	send("9990000026", 70, 11*time.Hour)
	send("9990000069", 72, 13*time.Hour)
	send("9990000034", 95, time.Hour)
	send("9990000042", 135, 2*time.Hour)
	who := monitoring.Staff{Subject: "s1", Name: "Nurse Bell"}
	board, err := svc.Board(ctx, who, practice)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, p := range board.Patients {
		order = append(order, p.Name+":"+p.Attention)
	}
	want := []string{"George Whitfield:red", "Priya Shah:amber", "Tom Baker:", "Layla Okafor:"}
	if len(order) != len(want) {
		t.Fatalf("board %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("board %v, want %v", order, want)
		}
	}
	if tom, layla := board.Patients[2], board.Patients[3]; len(tom.Missed) != 1 || tom.Missed[0] != "pulse" || len(layla.Missed) != 0 {
		t.Errorf("overdue: Tom %v (13 hours since), Layla %v (11 hours since)", tom.Missed, layla.Missed)
	}
	// An hour later Layla's is overdue too.
	now = now.Add(time.Hour + time.Minute)
	board, _ = svc.Board(ctx, who, practice)
	if layla := board.Patients[len(board.Patients)-1]; len(layla.Missed) != 1 {
		t.Errorf("Layla 12 hours after her last reading: %+v", layla)
	}
	// George reviewed: his red no longer heads the board, until his next.
	george := ids.For("9990000042")
	// A review covers what the page showed: a red reading sent while it
	// was open still heads the board.
	shown := now
	now = now.Add(time.Minute)
	send("9990000042", 140, 0)
	if err := svc.Review(ctx, who, practice, george, shown); err != nil {
		t.Fatal(err)
	}
	if board, _ = svc.Board(ctx, who, practice); board.Patients[0].Name != "George Whitfield" || len(board.Patients[0].Readings) != 1 {
		t.Errorf("a reading sent after the page was shown was reviewed: %+v", board.Patients[0])
	}
	if err := svc.Review(ctx, who, practice, george, now.Add(time.Hour)); err != nil { // no later than now
		t.Fatal(err)
	}
	if board, _ = svc.Board(ctx, who, practice); board.Patients[0].Name != "Priya Shah" {
		t.Errorf("after George's review the board starts with %s", board.Patients[0].Name)
	}
	// A red reading taken before the review but sent after it was never
	// seen: it heads the board again.
	now = now.Add(time.Minute)
	if _, err := sys.RecordReading(ctx, gp.Reading{PatientNHS: "9990000042", PracticeODS: practice.ODS, Sign: gp.Pulse, Values: []float64{40},
		Taken: now.Add(-time.Hour), Submitted: now, Attention: gp.AttentionRed, Direction: "low"}); err != nil {
		t.Fatal(err)
	}
	if board, _ = svc.Board(ctx, who, practice); board.Patients[0].Name != "George Whitfield" || board.Patients[0].Attention != "red" {
		t.Errorf("a red reading after the review: %+v", board.Patients[0])
	}
	// A patient on a plan who moved to another practice is listed as
	// such, and breaks nothing: Rhys is registered elsewhere.
	if err := svc.Plans.Put(ctx, monitoring.Plan{PatientNHS: "9990000050", PracticeODS: practice.ODS, Start: now.AddDate(0, 0, -2), End: now.AddDate(0, 0, 5),
		Signs: []monitoring.PlanSign{{Sign: gp.Pulse, EveryHours: 12, Limits: pulse.Defaults}}}); err != nil {
		t.Fatal(err)
	}
	board, err = svc.Board(ctx, who, practice)
	if err != nil {
		t.Fatal(err)
	}
	if last := board.Patients[len(board.Patients)-1]; last.Name != "Rhys Evans" || !last.Moved || len(last.Missed) != 0 || len(last.Readings) != 0 {
		t.Errorf("a patient who moved: %+v", last)
	}
	// A plan that has ended asks for nothing, so nothing is overdue.
	if err := svc.Plans.Put(ctx, monitoring.Plan{PatientNHS: "9990000069", PracticeODS: practice.ODS, Start: now.AddDate(0, 0, -20), End: now.AddDate(0, 0, -1),
		Signs: []monitoring.PlanSign{{Sign: gp.Pulse, EveryHours: 12, Limits: pulse.Defaults}}}); err != nil {
		t.Fatal(err)
	}
	board, _ = svc.Board(ctx, who, practice)
	for _, p := range board.Patients {
		if p.Name == "Tom Baker" && len(p.Missed) != 0 {
			t.Errorf("an ended plan overdue: %+v", p)
		}
	}
}
