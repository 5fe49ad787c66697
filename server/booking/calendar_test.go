package booking_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/gp"
)

// parsed is what an independent parser read from a calendar file
// (icalcheck/check.mjs and check.py print the same shape).
type parsed struct {
	Method string `json:"method"`
	Events []struct {
		UID         string   `json:"uid"`
		Sequence    int      `json:"sequence"`
		Summary     string   `json:"summary"`
		Location    string   `json:"location"`
		Description string   `json:"description"`
		Start       string   `json:"start"`
		End         string   `json:"end"`
		Organizer   string   `json:"organizer"`
		Alarms      []string `json:"alarms"`
	} `json:"events"`
}

// parsers are the independent implementations that read Companion's
// calendar files: ical.js (npm, in icalcheck) and python-icalendar
// (Debian's python3-icalendar, under Debian's own python3).
func parsers(t *testing.T) map[string][]string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found")
	}
	if _, err := os.Stat(filepath.Join("icalcheck", "node_modules", "ical.js")); err != nil {
		t.Fatal("ical.js is not installed: run `make test` (or npm ci in server/booking/icalcheck)")
	}
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import icalendar").Run(); err != nil {
		t.Fatal("python-icalendar is not installed: run `make test` (Debian: apt-get install python3-icalendar)")
	}
	return map[string][]string{
		"ical.js":          {node, filepath.Join("icalcheck", "check.mjs")},
		"python-icalendar": {py, filepath.Join("icalcheck", "check.py")},
	}
}

// TestCalendarPassesIndependentParsers writes a calendar file whose text
// needs escaping and folding (Welsh, with characters of two and three
// octets, a comma, a semicolon and a line break) and has ical.js and
// python-icalendar read it back: the same event, times in UTC, a reminder
// the day before, no METHOD, and no line longer than 75 octets.
func TestCalendarPassesIndependentParsers(t *testing.T) {
	start := time.Date(2026, 12, 7, 8, 30, 0, 0, gp.UK)
	a := gp.Appointment{ID: "appt-123", Status: gp.StatusBooked, Slot: gp.Slot{Start: start, End: start.Add(10 * time.Minute)}}
	practice := gp.Practice{Name: "Meddygfa’r Bont, Caerdydd", Address: []string{"1 Heol y Frenhines", "Caerdydd"}, Postcode: "CF10 1AA"}
	ev := booking.Event{
		Title:       "Apwyntiad meddyg teulu – Meddygfa’r Bont; dewch 10 munud yn gynnar, os gwelwch yn dda",
		Description: strings.Repeat("Dewch â’ch rhestr o feddyginiaethau, ", 4) + "\nDiolch.",
		Sequence:    2,
	}
	ics, err := booking.Calendar(a, practice, ev, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d holds a bare line break: %q", i+1, l)
		}
	}
	for name, cmd := range parsers(t) {
		t.Run(name, func(t *testing.T) {
			c := exec.Command(cmd[0], cmd[1:]...)
			c.Stdin = strings.NewReader(ics)
			var out, errOut bytes.Buffer
			c.Stdout, c.Stderr = &out, &errOut
			if err := c.Run(); err != nil {
				t.Fatalf("%s refused the file: %v\n%s\n%s", name, err, errOut.String(), ics)
			}
			var got parsed
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("%s: %v: %s", name, err, out.String())
			}
			if got.Method != "" || len(got.Events) != 1 {
				t.Fatalf("%s read %+v", name, got)
			}
			e := got.Events[0]
			wantAddress := booking.Address(practice)
			if e.UID != "appt-123@companion" || e.Sequence != 2 || e.Summary != ev.Title || e.Description != ev.Description || e.Location != wantAddress {
				t.Errorf("%s read %+v", name, e)
			}
			if e.Start != "2026-12-07T08:30:00Z" || e.End != "2026-12-07T08:40:00Z" {
				t.Errorf("%s read the times %s to %s", name, e.Start, e.End)
			}
			if !slices.Equal(e.Alarms, []string{"-P1D"}) {
				t.Errorf("%s read the reminders %v, want one the day before", name, e.Alarms)
			}
		})
	}
}
