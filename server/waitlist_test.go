package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
)

// TestWaitlistOffersInOrderOneAtATime: three people on two processes ask,
// in turn, for an earlier time; a fourth cancels an earlier appointment.
// The freed time is offered to the first who asked and held for them
// alone (nobody else can book it, nobody else is offered it); declined, it
// passes to the second; left to expire (WAITLIST_OFFER), to the third, by
// itself; accepted, the appointment moves there and leaves the list. Bad
// answers are refused with their codes and change nothing.
func TestWaitlistOffersInOrderOneAtATime(t *testing.T) {
	a := mustStartServer(t, "WAITLIST_OFFER", "2s", "RATE_LIMIT_API", "100000")
	b := startProcess(t, a, "WAITLIST_OFFER", "2s", "RATE_LIMIT_API", "100000")
	sys := sandboxOf(t, a)
	ctx := context.Background()
	patients, err := sys.AddPatients(ctx, "Z00001", 4)
	if err != nil {
		t.Fatal(err)
	}
	type person struct {
		br   *browser
		pid  string
		appt api.Appointment
	}
	people := make([]*person, 4)
	amara := a.signIn(t, "9990000018")
	slots := slotsOf(t, amara, amara.pid(t), "gp")
	late := slots[len(slots)-10:]
	early := slots[2]
	for i, n := range patients {
		env := a
		if i%2 == 1 {
			env = b
		}
		p := &person{br: sessionFor(t, env, n), pid: env.srv.Access.IDs.For(n)}
		sl := late[i]
		if i == 3 {
			sl = early
		}
		if st, code := p.br.call(t, "POST", "/api/v1/patients/"+p.pid+"/appointments", api.BookRequest{SlotID: sl.ID}, &p.appt, "Idempotency-Key", "w"+n); st != 201 {
			t.Fatalf("booking %d: %d %s", i, st, code)
		}
		people[i] = p
	}
	waitlist := func(p *person) string {
		return "/api/v1/patients/" + p.pid + "/appointments/" + p.appt.ID + "/waitlist"
	}
	first := people[0]
	for _, c := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"not a date", api.WaitlistRequest{Before: "soon"}, 400, "waitlist_date"},
		{"in the past", api.WaitlistRequest{Before: "2020-01-01"}, 400, "waitlist_date"},
		{"after the appointment", api.WaitlistRequest{Before: time.UnixMilli(first.appt.Slot.Start).AddDate(0, 0, 2).Format(time.DateOnly)}, 400, "waitlist_date"},
		{"not JSON", "nope", 400, "bad_request"},
	} {
		if st, code := first.br.call(t, "POST", waitlist(first), c.body, nil); st != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, st, code, c.status, c.code)
		}
	}
	if st, code := first.br.call(t, "GET", waitlist(first), nil, nil); st != 404 || code != "waitlist_not_found" {
		t.Errorf("bad answers put the appointment on the list: %d %s", st, code)
	}
	if st, code := people[1].br.call(t, "POST", "/api/v1/patients/"+people[1].pid+"/appointments/"+first.appt.ID+"/waitlist", api.WaitlistRequest{}, nil); st != 404 || code != "appointment_not_found" {
		t.Errorf("someone else's appointment: %d %s", st, code)
	}
	for i, p := range people[:3] {
		var e api.WaitlistEntry
		if st, code := p.br.call(t, "POST", waitlist(p), api.WaitlistRequest{}, &e); st != 201 || e.AppointmentID != p.appt.ID {
			t.Fatalf("joining %d: %d %s", i, st, code)
		}
	}
	offers := func() []int {
		var who []int
		for i, p := range people[:3] {
			var out []api.WaitlistOffer
			if st, _ := p.br.call(t, "GET", "/api/v1/patients/"+p.pid+"/waitlist-offers", nil, &out); st != 200 {
				t.Fatalf("offers: %d", st)
			}
			for _, o := range out {
				if o.Slot.ID != early.ID || o.AppointmentID != p.appt.ID {
					t.Errorf("person %d offered %+v", i, o)
				}
				who = append(who, i)
			}
		}
		return who
	}
	if got := offers(); len(got) != 0 {
		t.Fatalf("offers before any cancellation: %v", got)
	}
	canceller := people[3]
	if st, code := canceller.br.call(t, "DELETE", "/api/v1/patients/"+canceller.pid+"/appointments/"+canceller.appt.ID, nil, nil); st != 200 {
		t.Fatalf("cancel: %d %s", st, code)
	}
	if got := offers(); len(got) != 1 || got[0] != 0 {
		t.Fatalf("after the cancellation, offered to %v, want the first to ask alone", got)
	}
	if st, code := canceller.br.call(t, "POST", "/api/v1/patients/"+canceller.pid+"/appointments", api.BookRequest{SlotID: early.ID}, nil, "Idempotency-Key", "again"); st != 409 || code != "slot_taken" {
		t.Errorf("booking the offered time: %d %s", st, code)
	}
	if st, code := first.br.call(t, "POST", waitlist(first)+"/decline", nil, nil); st != 204 {
		t.Fatalf("decline: %d %s", st, code)
	}
	if got := offers(); len(got) != 1 || got[0] != 1 {
		t.Fatalf("after declining, offered to %v, want the second alone", got)
	}
	// The second lets it expire: it passes to the third by itself.
	deadline := time.Now().Add(10 * time.Second)
	got := offers()
	for ; time.Now().Before(deadline) && !(len(got) == 1 && got[0] == 2); got = offers() {
		if len(got) > 1 {
			t.Fatalf("offered to %v at once", got)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(got) != 1 || got[0] != 2 {
		t.Fatalf("after the offer expired, offered to %v, want the third alone", got)
	}
	third := people[2]
	var moved api.Appointment
	if st, code := third.br.call(t, "POST", waitlist(third)+"/accept", nil, &moved); st != 200 || moved.ID != third.appt.ID || moved.Slot.ID != early.ID {
		t.Fatalf("accept: %d %s %+v", st, code, moved)
	}
	if st, code := third.br.call(t, "GET", waitlist(third), nil, nil); st != 404 || code != "waitlist_not_found" {
		t.Errorf("the moved appointment is still on the list: %d %s", st, code)
	}
	// Third's old time was freed: the first, still on the list, is not
	// offered it (it is later than their own).
	if st, code := first.br.call(t, "POST", waitlist(first)+"/accept", nil, nil); st != 409 || code != "offer_not_found" {
		t.Errorf("accepting without an offer: %d %s", st, code)
	}
	if st, _ := first.br.call(t, "DELETE", waitlist(first), nil, nil); st != 204 {
		t.Errorf("leave: %d", st)
	}
	if st, code := first.br.call(t, "DELETE", waitlist(first), nil, nil); st != 404 || code != "waitlist_not_found" {
		t.Errorf("leaving twice: %d %s", st, code)
	}
}

// TestWaitlistWithPlainForms: joining from the question page (as without
// WebAssembly), a bad date is refused on the page, the offer appears on the
// home page and the appointment's page, and accepting it twice (a double
// press) confirms the move both times.
func TestWaitlistWithPlainForms(t *testing.T) {
	e := mustStartServer(t)
	amara, priya := e.signIn(t, "9990000018"), e.signIn(t, "9990000034")
	pid, ppid := amara.pid(t), priya.pid(t)
	slots := slotsOf(t, amara, pid, "gp")
	var mine, theirs api.Appointment
	amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slots[len(slots)-1].ID}, &mine, "Idempotency-Key", "wp1")
	priya.call(t, "POST", "/api/v1/patients/"+ppid+"/appointments", api.BookRequest{SlotID: slots[6].ID}, &theirs, "Idempotency-Key", "wp2")
	page := "/appointments/" + mine.ID
	if _, body := amara.get(t, page); !strings.Contains(body, `href="`+page+`/waitlist"`) {
		t.Fatal("no way to ask for an earlier time")
	}
	if res, body := amara.post(t, page+"/waitlist", url.Values{"clinician": {"any"}, "before": {"2020-01-01"}}); res.StatusCode != 400 || !strings.Contains(body, "Enter a date from today") {
		t.Errorf("a past date: %d", res.StatusCode)
	}
	if res, body := amara.post(t, page+"/waitlist", url.Values{"clinician": {"any"}}); res.StatusCode != 200 || !strings.Contains(body, "We will offer you an earlier time if one comes up") {
		t.Fatalf("joining: %d %s", res.StatusCode, textOf(parse(t, body)))
	}
	priya.call(t, "DELETE", "/api/v1/patients/"+ppid+"/appointments/"+theirs.ID, nil, nil)
	if _, body := amara.get(t, "/"); !strings.Contains(body, `data-offer="`+mine.ID+`"`) || !strings.Contains(body, "An earlier time is available") {
		t.Fatalf("no offer on the home page: %s", textOf(parse(t, body)))
	}
	_, body := amara.get(t, page)
	form := url.Values{"slot": {hiddenValue(t, body, "slot")}}
	for i := range 2 {
		res, body := amara.post(t, page+"/waitlist/accept", form)
		if res.StatusCode != 200 || !strings.Contains(res.Request.URL.RawQuery, "changed=1") || !strings.Contains(body, "Appointment time changed") {
			t.Errorf("accept, press %d: %d %s", i+1, res.StatusCode, res.Request.URL)
		}
	}
	var d api.Diary
	amara.call(t, "GET", "/api/v1/patients/"+pid+"/appointments", nil, &d)
	if len(d.Upcoming) != 1 || d.Upcoming[0].Slot.ID != slots[6].ID {
		t.Errorf("after accepting: %+v", d.Upcoming)
	}
}
