package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
)

// TestSlotHoldsThroughTheAPI: POST …/slot-holds holds a time (201 with its
// ID, slot and expiry, SLOT_HOLD ahead); someone else's hold or booking of
// it is 409 slot_taken; the holder books it with hold_id; DELETE releases a
// hold (204), and an unknown or spent one is 404 hold_not_found; bad input
// is 400 and holds nothing.
func TestSlotHoldsThroughTheAPI(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	priya := e.signIn(t, "9990000034")
	pid, ppid := amara.pid(t), priya.pid(t)
	slots := slotsOf(t, amara, pid, "gp")
	holds := "/api/v1/patients/" + pid + "/slot-holds"

	if st, code := amara.call(t, "POST", holds, map[string]string{"slot_id": ""}, nil); st != 400 || code != "bad_request" {
		t.Errorf("empty slot: %d %s", st, code)
	}
	if st, code := amara.call(t, "POST", holds, api.SlotHoldRequest{SlotID: "no-such-slot"}, nil); st != 409 || code != "slot_taken" {
		t.Errorf("unknown slot: %d %s", st, code)
	}
	var h api.SlotHold
	if st, code := amara.call(t, "POST", holds, api.SlotHoldRequest{SlotID: slots[3].ID}, &h); st != 201 || h.ID == "" || h.SlotID != slots[3].ID {
		t.Fatalf("hold: %d %s %+v", st, code, h)
	}
	if left := time.Until(time.UnixMilli(h.Expires)); left < 4*time.Minute || left > 5*time.Minute {
		t.Errorf("hold expires in %s, want SLOT_HOLD (5 minutes)", left)
	}
	if st, code := priya.call(t, "POST", "/api/v1/patients/"+ppid+"/slot-holds", api.SlotHoldRequest{SlotID: slots[3].ID}, nil); st != 409 || code != "slot_taken" {
		t.Errorf("Priya holding Amara's time: %d %s", st, code)
	}
	if st, code := priya.call(t, "POST", "/api/v1/patients/"+ppid+"/appointments", api.BookRequest{SlotID: slots[3].ID}, nil, "Idempotency-Key", "ph1"); st != 409 || code != "slot_taken" {
		t.Errorf("Priya booking Amara's held time: %d %s", st, code)
	}
	for _, s := range slotsOf(t, priya, ppid, "gp") {
		if s.ID == slots[3].ID {
			t.Error("a held time is offered to someone else")
		}
	}
	if st, code := amara.call(t, "DELETE", holds+"/nope", nil, nil); st != 404 || code != "hold_not_found" {
		t.Errorf("releasing an unknown hold: %d %s", st, code)
	}
	var a api.Appointment
	if st, code := amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slots[3].ID, HoldID: h.ID}, &a, "Idempotency-Key", "ah1"); st != 201 || a.Slot.ID != slots[3].ID {
		t.Fatalf("booking with the hold: %d %s", st, code)
	}
	if st, code := amara.call(t, "DELETE", holds+"/"+h.ID, nil, nil); st != 404 || code != "hold_not_found" {
		t.Errorf("releasing a hold already booked: %d %s", st, code)
	}
	var h2 api.SlotHold
	if st, _ := amara.call(t, "POST", holds, api.SlotHoldRequest{SlotID: slots[4].ID}, &h2); st != 201 {
		t.Fatalf("second hold: %d", st)
	}
	if st, code := amara.call(t, "DELETE", holds+"/"+h2.ID, nil, nil); st != 204 {
		t.Errorf("release: %d %s", st, code)
	}
	if st, code := priya.call(t, "POST", "/api/v1/patients/"+ppid+"/slot-holds", api.SlotHoldRequest{SlotID: slots[4].ID}, nil); st != 201 {
		t.Errorf("holding a released time: %d %s", st, code)
	}
}

// TestChosenTimeIsHeldOnThePages: choosing a time on the booking pages
// (plain forms, as without WebAssembly) holds it: the check page says until
// when, someone else is not offered it and is sent back to the times with
// slot_taken if they choose it, choosing another time lets the first go,
// and the holder books with the hold.
func TestChosenTimeIsHeldOnThePages(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	priya := e.signIn(t, "9990000034")
	_, body := amara.get(t, "/appointments/book?type=gp")
	day := nthRadio(t, body, "day", 1)
	_, body = amara.get(t, "/appointments/book?type=gp&day="+day)
	first, second := nthRadio(t, body, "slot", 0), nthRadio(t, body, "slot", 1)
	check := func(b *browser, slot string) (*http.Response, string) {
		return b.get(t, "/appointments/book?type=gp&day="+day+"&slot="+url.QueryEscape(slot))
	}

	res, body := check(amara, first)
	m := regexp.MustCompile(`We are holding this time for you until (\d\d:\d\d)`).FindStringSubmatch(textOf(parse(t, body)))
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("check page: %d, no hold: %s", res.StatusCode, textOf(parse(t, body)))
	}
	london, _ := time.LoadLocation("Europe/London")
	if want := time.Now().Add(5 * time.Minute).In(london); m[1] != want.Format("15:04") && m[1] != want.Add(-time.Minute).Format("15:04") {
		t.Errorf("held until %s, want SLOT_HOLD from now (%s)", m[1], want.Format("15:04"))
	}
	holdID := hiddenValue(t, body, "hold_id")

	_, body = priya.get(t, "/appointments/book?type=gp&day="+day)
	if strings.Contains(body, `value="`+first+`"`) {
		t.Error("the held time is offered to someone else")
	}
	res, body = check(priya, first)
	if res.StatusCode != 409 || !strings.Contains(body, "just been booked by someone else") || !strings.Contains(body, `name="slot"`) {
		t.Errorf("someone else choosing the held time: %d %s", res.StatusCode, textOf(parse(t, body)))
	}

	// Amara changes her mind, then back: the first time is free between.
	check(amara, second)
	if res, _ = check(priya, first); res.StatusCode != 200 {
		t.Fatalf("the time let go is not free: %d", res.StatusCode)
	}
	if res, _ = check(amara, first); res.StatusCode != 409 {
		t.Errorf("Priya's hold did not keep the time from Amara: %d", res.StatusCode)
	}
	res, body = check(amara, second)
	holdID2 := hiddenValue(t, body, "hold_id")
	if res.StatusCode != 200 || holdID2 == holdID {
		t.Fatalf("second time: %d, hold %q", res.StatusCode, holdID2)
	}
	form := url.Values{"slot": {second}, "type": {"gp"}, "day": {day}, "idempotency_key": {hiddenValue(t, body, "idempotency_key")}, "reason": {"Ear ache"}, "hold_id": {holdID2}}
	if res, _ = amara.post(t, "/appointments/book", form); res.StatusCode != 200 || !strings.Contains(res.Request.URL.RawQuery, "booked=1") {
		t.Fatalf("booking with the hold: %d %s", res.StatusCode, res.Request.URL)
	}
	if st, code := amara.call(t, "DELETE", "/api/v1/patients/"+amara.pid(t)+"/slot-holds/"+holdID2, nil, nil); st != 404 || code != "hold_not_found" {
		t.Errorf("the hold outlived its booking: %d %s", st, code)
	}
}
