package server_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/gp"
)

// TestRescheduleThroughTheAPI: POST …/appointments/{id}/reschedule moves an
// appointment to another free slot of its type, keeping its ID and reason,
// and frees the old slot; a retry answers the same; a slot that is booked
// or held by someone else is 409 slot_taken, another type 400
// slot_type_differs, bad input 400, someone else's appointment 404, and
// each leaves the appointment as it was. The calendar file keeps its UID
// and raises its SEQUENCE.
func TestRescheduleThroughTheAPI(t *testing.T) {
	e := mustStartServer(t)
	amara, priya := e.signIn(t, "9990000018"), e.signIn(t, "9990000034")
	pid, ppid := amara.pid(t), priya.pid(t)
	slots := slotsOf(t, amara, pid, "gp")
	book := func(b *browser, pid string, sl api.Slot) api.Appointment {
		var a api.Appointment
		if st, code := b.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: sl.ID, Reason: "Knee pain"}, &a, "Idempotency-Key", "b-"+sl.ID); st != 201 {
			t.Fatalf("book: %d %s", st, code)
		}
		return a
	}
	a := book(amara, pid, slots[5])
	_, ics := amara.get(t, "/appointments/"+a.ID+"/calendar.ics")
	uid := regexp.MustCompile(`UID:(\S+)`).FindStringSubmatch(ics)
	if uid == nil || !strings.Contains(ics, "SEQUENCE:0") {
		t.Fatalf("calendar before the move: %q", ics)
	}
	move := "/api/v1/patients/" + pid + "/appointments/" + a.ID + "/reschedule"
	var moved api.Appointment
	if st, code := amara.call(t, "POST", move, api.RescheduleRequest{SlotID: slots[6].ID}, &moved, "Idempotency-Key", "m1"); st != 200 {
		t.Fatalf("reschedule: %d %s", st, code)
	}
	if moved.ID != a.ID || moved.Slot.ID != slots[6].ID || moved.Reason != "Knee pain" || moved.Status != "booked" {
		t.Errorf("moved: %+v", moved)
	}
	var again api.Appointment
	if st, _ := amara.call(t, "POST", move, api.RescheduleRequest{SlotID: slots[6].ID}, &again, "Idempotency-Key", "m1"); st != 200 || again.Slot.ID != slots[6].ID {
		t.Errorf("retry: %d %+v", st, again)
	}
	free := map[string]bool{}
	for _, s := range slotsOf(t, priya, ppid, "gp") {
		free[s.ID] = true
	}
	if !free[slots[5].ID] || free[slots[6].ID] {
		t.Errorf("after the move: old slot free %v, new slot free %v", free[slots[5].ID], free[slots[6].ID])
	}
	_, ics = amara.get(t, "/appointments/"+a.ID+"/calendar.ics")
	if !strings.Contains(ics, "UID:"+uid[1]) || !strings.Contains(ics, "SEQUENCE:1") {
		t.Errorf("calendar after the move: want UID %s and SEQUENCE:1 in %q", uid[1], ics)
	}

	priyas := book(priya, ppid, slots[7])
	var h api.SlotHold
	if st, _ := priya.call(t, "POST", "/api/v1/patients/"+ppid+"/slot-holds", api.SlotHoldRequest{SlotID: slots[8].ID}, &h); st != 201 {
		t.Fatalf("Priya's hold: %d", st)
	}
	nurse := slotsOf(t, amara, pid, "nurse")[3]
	for _, c := range []struct {
		name, path string
		body       any
		status     int
		code       string
	}{
		{"a slot someone booked", move, api.RescheduleRequest{SlotID: slots[7].ID}, 409, "slot_taken"},
		{"a slot someone holds", move, api.RescheduleRequest{SlotID: slots[8].ID}, 409, "slot_taken"},
		{"an unknown slot", move, api.RescheduleRequest{SlotID: "no-such-slot"}, 409, "slot_taken"},
		{"another type", move, api.RescheduleRequest{SlotID: nurse.ID}, 400, "slot_type_differs"},
		{"no slot", move, api.RescheduleRequest{}, 400, "bad_request"},
		{"not JSON", move, "nope", 400, "bad_request"},
		{"someone else's appointment", "/api/v1/patients/" + pid + "/appointments/" + priyas.ID + "/reschedule", api.RescheduleRequest{SlotID: slots[9].ID}, 404, "appointment_not_found"},
	} {
		if st, code := amara.call(t, "POST", c.path, c.body, nil, "Idempotency-Key", "bad-"+c.name); st != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, st, code, c.status, c.code)
		}
	}
	var d api.Diary
	amara.call(t, "GET", "/api/v1/patients/"+pid+"/appointments", nil, &d)
	if len(d.Upcoming) != 1 || d.Upcoming[0].Slot.ID != slots[6].ID {
		t.Errorf("refused moves changed Amara's diary: %+v", d.Upcoming)
	}
	amara.call(t, "GET", "/api/v1/patients/"+ppid+"/appointments", nil, &d)
	priya.call(t, "GET", "/api/v1/patients/"+ppid+"/appointments", nil, &d)
	if len(d.Upcoming) != 1 || d.Upcoming[0].Slot.ID != slots[7].ID {
		t.Errorf("Priya's diary changed: %+v", d.Upcoming)
	}
}

// TestTwoProcessesRescheduleAtomically: patients on two processes, each
// with an appointment, all move at one instant onto the same few slots
// while others book them. Each slot ends with exactly one appointment; a
// winner's old slot is free; every loser's appointment is where it was.
func TestTwoProcessesRescheduleAtomically(t *testing.T) {
	a := mustStartServer(t, "BOOKING_CONCURRENCY", "1000", "RATE_LIMIT_API", "100000")
	b := startProcess(t, a, "BOOKING_CONCURRENCY", "1000", "RATE_LIMIT_API", "100000")
	sys := sandboxOf(t, a)
	ctx := context.Background()
	patients, err := sys.AddPatients(ctx, "Z00001", 80)
	if err != nil {
		t.Fatal(err)
	}
	amara := a.signIn(t, "9990000018")
	slots := slotsOf(t, amara, amara.pid(t), "gp")
	targets, own := slots[:4], slots[4:]
	type racer struct {
		br       *browser
		pid, nhs string
		appt     api.Appointment // booked first, by the movers
	}
	racers := make([]*racer, len(patients))
	for i, n := range patients {
		env := a
		if i%2 == 1 {
			env = b
		}
		r := &racer{br: sessionFor(t, env, n), pid: env.srv.Access.IDs.For(n), nhs: n}
		if i < 60 {
			if st, code := r.br.call(t, "POST", "/api/v1/patients/"+r.pid+"/appointments", api.BookRequest{SlotID: own[i].ID}, &r.appt, "Idempotency-Key", fmt.Sprint("own-", i)); st != 201 {
				t.Fatalf("booking %d: %d %s", i, st, code)
			}
		}
		racers[i] = r
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	var won atomic.Int64
	codes := sync.Map{}
	for i, r := range racers {
		wg.Go(func() {
			target := targets[i%len(targets)].ID
			<-start
			var st int
			var code string
			if r.appt.ID != "" {
				st, code = r.br.call(t, "POST", "/api/v1/patients/"+r.pid+"/appointments/"+r.appt.ID+"/reschedule", api.RescheduleRequest{SlotID: target}, nil, "Idempotency-Key", fmt.Sprint("move-", i))
			} else {
				st, code = r.br.call(t, "POST", "/api/v1/patients/"+r.pid+"/appointments", api.BookRequest{SlotID: target}, nil, "Idempotency-Key", fmt.Sprint("book-", i))
			}
			if st == 200 || st == 201 {
				won.Add(1)
				return
			}
			v, _ := codes.LoadOrStore(code, new(atomic.Int64))
			v.(*atomic.Int64).Add(1)
		})
	}
	close(start)
	wg.Wait()
	if won.Load() != int64(len(targets)) {
		t.Errorf("%d moves and bookings won, want one per slot (%d)", won.Load(), len(targets))
	}
	codes.Range(func(k, v any) bool {
		if k != "slot_taken" {
			t.Errorf("%d refusals with %q, want only slot_taken", v.(*atomic.Int64).Load(), k)
		}
		return true
	})
	holders := map[string]int{}
	for _, r := range racers {
		list, err := sys.Appointments(ctx, r.nhs)
		if err != nil {
			t.Fatal(err)
		}
		for _, ap := range list {
			if ap.Status != gp.StatusBooked {
				t.Errorf("%s: appointment %s is %s", r.nhs, ap.ID, ap.Status)
				continue
			}
			holders[ap.Slot.ID]++
			if r.appt.ID != "" && ap.ID == r.appt.ID && ap.Slot.ID != r.appt.Slot.ID && !slices.ContainsFunc(targets, func(s api.Slot) bool { return s.ID == ap.Slot.ID }) {
				t.Errorf("%s: appointment moved somewhere else: %s", r.nhs, ap.Slot.ID)
			}
		}
	}
	for _, s := range targets {
		if holders[s.ID] != 1 {
			t.Errorf("slot %s held by %d", s.ID, holders[s.ID])
		}
	}
	for s, n := range holders {
		if n != 1 {
			t.Errorf("slot %s held by %d appointments", s, n)
		}
	}
	// A winner's old slot is free again; everyone else's is still theirs.
	for _, r := range racers[:60] {
		_, free, err := sys.Slot(ctx, "Z00001", r.appt.Slot.ID)
		if err != nil {
			t.Fatal(err)
		}
		if free != (holders[r.appt.Slot.ID] == 0) {
			t.Errorf("slot %s: free %v, held by %d", r.appt.Slot.ID, free, holders[r.appt.Slot.ID])
		}
	}
}

// TestChangeTimeWithPlainForms: an appointment's page offers to change its
// time; the steps (day, time, check, as without WebAssembly) keep its type,
// hold the new time, show the time it has now beside the new one, and
// moving it confirms the new time on the appointment's own page.
func TestChangeTimeWithPlainForms(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	slots := slotsOf(t, amara, pid, "nurse")
	var a api.Appointment
	if st, _ := amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slots[4].ID, Reason: "Dressing"}, &a, "Idempotency-Key", "c1"); st != 201 {
		t.Fatal("book")
	}
	_, body := amara.get(t, "/appointments/"+a.ID)
	change := "/appointments/book?change=" + a.ID
	if !strings.Contains(body, `href="`+change+`"`) {
		t.Fatal("the appointment's page has no link to change its time")
	}
	res, body := amara.get(t, change)
	if res.StatusCode != 200 || !strings.Contains(body, "Changing the time for Amara Okafor") || !strings.Contains(body, "Which day") {
		t.Fatalf("change, day step: %d %s", res.StatusCode, textOf(parse(t, body)))
	}
	day := nthRadio(t, body, "day", 1)
	if hiddenValue(t, body, "change") != a.ID {
		t.Error("the day step does not carry the appointment")
	}
	res, body = amara.get(t, change+"&day="+day)
	slot := nthRadio(t, body, "slot", 0)
	for _, n := range all(parse(t, body), el("input")) {
		if v, _ := attr(n, "value"); v == slots[4].ID {
			t.Error("the appointment's own time is offered")
		}
	}
	res, body = amara.get(t, change+"&day="+day+"&slot="+url.QueryEscape(slot))
	text := textOf(parse(t, body))
	if res.StatusCode != 200 || !strings.Contains(text, "Check the new time") || !strings.Contains(text, "Time now") ||
		!strings.Contains(text, "We are holding this time for you until") || strings.Contains(body, `name="reason"`) {
		t.Fatalf("change, check step: %d %s", res.StatusCode, text)
	}
	form := url.Values{"change": {a.ID}, "slot": {slot}, "day": {day}, "idempotency_key": {hiddenValue(t, body, "idempotency_key")}, "hold_id": {hiddenValue(t, body, "hold_id")}}
	res, body = amara.post(t, "/appointments/book", form)
	if res.StatusCode != 200 || res.Request.URL.Path != "/appointments/"+a.ID || !strings.Contains(body, "Appointment time changed") {
		t.Fatalf("after changing: %d %s %s", res.StatusCode, res.Request.URL, textOf(parse(t, body)))
	}
	var d api.Diary
	amara.call(t, "GET", "/api/v1/patients/"+pid+"/appointments", nil, &d)
	if len(d.Upcoming) != 1 || d.Upcoming[0].Slot.ID != slot || d.Upcoming[0].Reason != "Dressing" {
		t.Errorf("diary after the change: %+v", d.Upcoming)
	}
	// Pressing the button again moves nothing more.
	if res, _ = amara.post(t, "/appointments/book", form); res.Request.URL.Path != "/appointments/"+a.ID {
		t.Errorf("a second press went to %s", res.Request.URL)
	}
}
