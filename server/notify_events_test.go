package server_test

import (
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/gp"
)

// TestRemindersAndReadyPrescriptionsAreNotified books an appointment and
// orders a repeat, then runs the clock on: the reminder goes the afternoon
// before, the order is watched until it is ready to collect, and each is
// pushed once.
func TestRemindersAndReadyPrescriptionsAreNotified(t *testing.T) {
	e := mustStartServer(t, "NOTIFY_TICK", "0", "SANDBOX_PRESCRIPTION_STEP", "1s")
	c := &clock{}
	c.set(time.Now())
	e.srv.Notify.Now = c.now
	ps := startPushService(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	dev := newDevice(t, ps.URL+"/push/amara")
	amara.subscribe(t, dev)

	// An appointment at least two days ahead, so its reminder is to come.
	// Another, cancelled, is not reminded of.
	var slot, other api.Slot
	for _, s := range slotsOf(t, amara, pid, "gp") {
		if time.UnixMilli(s.Start).After(time.Now().Add(48 * time.Hour)) {
			if slot.ID == "" {
				slot = s
			} else {
				other = s
				break
			}
		}
	}
	if other.ID == "" {
		t.Fatal("no slots two days ahead")
	}
	var appt, cancelled api.Appointment
	if st, code := amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slot.ID, Reason: "Knee pain"}, &appt); st != 201 {
		t.Fatalf("book: %d %s", st, code)
	}
	if st, code := amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: other.ID, Reason: "Cough"}, &cancelled); st != 201 {
		t.Fatalf("book: %d %s", st, code)
	}
	if st, code := amara.call(t, "DELETE", "/api/v1/patients/"+pid+"/appointments/"+cancelled.ID, nil, nil); st >= 300 {
		t.Fatalf("cancel: %d %s", st, code)
	}
	start := time.UnixMilli(slot.Start)
	at := booking.ReminderAt(start)
	if want := gp.DateOf(start.In(gp.UK).AddDate(0, 0, -1)); gp.DateOf(at) != want || at.In(gp.UK).Hour() != 16 {
		t.Fatalf("reminder at %s for %s", at, start)
	}
	c.set(at.Add(-time.Second))
	drain(t, e.srv.Notify)
	if n := len(ps.requests()); n != 0 {
		t.Fatalf("reminded early: %d", n)
	}
	c.set(at)
	drain(t, e.srv.Notify)
	c.set(booking.ReminderAt(time.UnixMilli(other.Start)).Add(time.Minute))
	drain(t, e.srv.Notify)
	reqs := ps.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d reminders, want 1 (none for the cancelled appointment)", len(reqs))
	}
	if pl, _, _ := dev.read(t, reqs[0]); pl.Body != "You have a GP appointment tomorrow" || pl.URL != "/notifications/"+pid+"/appointment_tomorrow/"+appt.ID {
		t.Errorf("reminder %+v", pl)
	}
	res, _ := amara.get(t, "/notifications/"+pid+"/appointment_tomorrow/"+appt.ID)
	if res.Request.URL.Path != "/appointments/"+appt.ID {
		t.Errorf("the reminder opened %s", res.Request.URL)
	}

	// A repeat ordered now is ready three steps later; it is pushed once
	// (the notifications' clock in the day, not quiet hours).
	c.set(ukToday(10, 0))
	rx := repeatsOf(t, amara, pid)
	var out api.OrderResult
	if st, code := amara.call(t, "POST", "/api/v1/patients/"+pid+"/prescription-requests",
		api.OrderRequest{MedicationIDs: []string{rx["Salbutamol"].ID}}, &out); st != 201 {
		t.Fatalf("order: %d %s", st, code)
	}
	c.add(time.Minute)
	drain(t, e.srv.Notify) // requested or approved: looked at again later
	if n := len(ps.requests()); n != 1 {
		t.Fatalf("pushed before ready: %d", n)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if rq := requestsOf(t, amara, pid); len(rq) > 0 && rq[0].Status == "ready_to_collect" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the order never became ready")
		}
	}
	c.add(time.Hour)
	drain(t, e.srv.Notify)
	c.add(time.Hour)
	drain(t, e.srv.Notify)
	reqs = ps.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d pushes, want the reminder and one for the order", len(reqs))
	}
	if pl, _, _ := dev.read(t, reqs[1]); pl.Body != "Your prescription is ready to collect" || pl.Tag != "prescription_ready" {
		t.Errorf("ready push %+v", pl)
	}
}

// TestAnEarlierTimeOfferedIsPushed: Amara waits for an earlier time;
// Priya cancels one; the offer reaches Amara's phone while it stands. The
// offer is held by the real clock (its hold expires in Redis), so the
// pushes keep the real clock too: in the quiet hours the push waits for
// six o'clock, and goes then only if the offer still stands.
func TestAnEarlierTimeOfferedIsPushed(t *testing.T) {
	now := time.Now()
	e, ps, c := notifyEnv(t, now)
	amara, priya := e.signIn(t, "9990000018"), e.signIn(t, "9990000034")
	pid := amara.pid(t)
	dev := newDevice(t, ps.URL+"/push/amara")
	amara.subscribe(t, dev)
	slots := slotsOf(t, amara, pid, "gp")
	var late, early api.Appointment
	if st, code := amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slots[len(slots)-1].ID}, &late); st != 201 {
		t.Fatalf("book: %d %s", st, code)
	}
	base := "/api/v1/patients/" + pid + "/appointments/" + late.ID + "/waitlist"
	if st, code := amara.call(t, "POST", base, api.WaitlistRequest{}, nil); st != 201 {
		t.Fatalf("waitlist: %d %s", st, code)
	}
	ppid := priya.pid(t)
	if st, code := priya.call(t, "POST", "/api/v1/patients/"+ppid+"/appointments", api.BookRequest{SlotID: slots[3].ID}, &early); st != 201 {
		t.Fatalf("book: %d %s", st, code)
	}
	if st, code := priya.call(t, "DELETE", "/api/v1/patients/"+ppid+"/appointments/"+early.ID, nil, nil); st != 200 && st != 204 {
		t.Fatalf("cancel: %d %s", st, code)
	}
	drain(t, e.srv.Notify)
	reqs := ps.requests()
	if uk := now.In(gp.UK); uk.Hour() >= 22 || uk.Hour() < 6 {
		if len(reqs) != 0 {
			t.Fatalf("%d pushes in the quiet hours", len(reqs))
		}
		var offers []api.WaitlistOffer
		if st, code := amara.call(t, "GET", "/api/v1/patients/"+pid+"/waitlist-offers", nil, &offers); st != 200 || len(offers) != 1 {
			t.Fatalf("offers: %d %s %+v", st, code, offers)
		}
		six := time.Date(uk.Year(), uk.Month(), uk.Day(), 6, 0, 0, 0, gp.UK)
		if uk.Hour() >= 22 {
			six = six.AddDate(0, 0, 1)
		}
		c.set(six)
		drain(t, e.srv.Notify)
		stands := six.UnixMilli() < offers[0].Expires
		if reqs = ps.requests(); (len(reqs) == 1) != stands {
			t.Fatalf("%d pushes at six, the offer standing: %v", len(reqs), stands)
		}
		if !stands {
			return
		}
	}
	if len(reqs) != 1 {
		t.Fatalf("%d pushes, want the offer", len(reqs))
	}
	if pl, _, _ := dev.read(t, reqs[0]); pl.Body != "An earlier appointment may be available for you" || pl.Tag != "waitlist_offer" {
		t.Errorf("offer push %+v", pl)
	}
}
