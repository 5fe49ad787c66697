package server_test

import (
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
