package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp/fhir/fhirtest"
	"github.com/nhs-companion/companion/server/pg/pgtest"
)

// send makes a JSON request to url and decodes the answer into out,
// failing tb unless the status is want.
func send(tb testing.TB, c *http.Client, method, url string, body, out any, want int, header ...string) {
	tb.Helper()
	if err := (&agent{c: c}).call(method, url, body, out, want, header...); err != nil {
		tb.Fatal(err)
	}
}

// TestNothingDurableIsLostWhenRedisIs: with DATABASE_URL, Companion books,
// orders, changes a flag and a practice's hours, remembers a language and
// audits a record read; then Redis is flushed and restarted, and Companion
// too. Sessions have ended (sign in again); the audit entries, the flag,
// the hours and the language are all still there and shown, and the GP
// system holds exactly the one booking.
func TestNothingDurableIsLostWhenRedisIs(t *testing.T) {
	bin := buildBinary(t)
	rs := redistest.MustStart(t)
	fs, _ := fhirtest.MustStartSeeded(t)
	db := pgtest.MustDatabase(t)
	// Patient IDs must outlive Redis too: without PATIENT_ID_KEY the
	// sandbox keeps a random one there.
	env := []string{"GP_SYSTEM=fhir", "FHIR_BASE_URL=" + fs.BaseURL, "FHIR_TIMEOUT=30s", "DATABASE_URL=" + db,
		"PATIENT_ID_KEY=restart-test-patient-id-key-0123456789"}
	stop, base := startStoppable(t, bin, rs.URL(), env...)

	amara := client(t)
	mustGet(t, amara, base+"/auth/login?login_hint=9990000018")
	mustGet(t, amara, base+"/?lang=cy")
	var me api.Me
	send(t, amara, "GET", base+"/api/v1/me", nil, &me, 200)
	pid := base + "/api/v1/patients/" + me.PatientID
	var slots []api.Slot
	send(t, amara, "GET", pid+"/slots?type=gp", nil, &slots, 200)
	var booked api.Appointment
	send(t, amara, "POST", pid+"/appointments", api.BookRequest{SlotID: slots[len(slots)-1].ID}, &booked, 201, "Idempotency-Key", "restart-1")
	var repeats []api.Repeat
	send(t, amara, "GET", pid+"/repeats", nil, &repeats, 200)
	i := slices.IndexFunc(repeats, func(r api.Repeat) bool { return r.State == "orderable" })
	send(t, amara, "POST", pid+"/prescription-requests", api.OrderRequest{MedicationIDs: []string{repeats[i].ID}}, nil, 201, "Idempotency-Key", "restart-2")
	send(t, amara, "GET", pid+"/record", nil, nil, 200)

	sam := client(t)
	mustGet(t, sam, base+"/staff/login?login_hint=staff-site-z00001")
	send(t, sam, "PUT", base+"/api/v1/admin/flags/fhir_export", map[string]any{"practice": "Z00001", "enabled": false, "reason": "Export paused for review"}, nil, 200)
	hours := "Mon-Fri 07:30-19:00; Sat 09:00-12:00"
	send(t, sam, "PUT", base+"/api/v1/admin/practices/Z00001/contact", api.ContactSettings{Hours: hours, Caps: map[string]int{"medical": 30, "medication": 20, "admin": 40},
		PatientDaily: 2, Reason: "Extended hours"}, nil, http.StatusNoContent)

	// A pause of online requests at the other practice, which its staff
	// put in place because they cannot triage safely.
	ceri := client(t)
	mustGet(t, ceri, base+"/staff/login?login_hint=staff-site-z00002")
	form := url.Values{"practice": {"Z00002"}, "minutes": {"60"}, "reason": {"Our clinical system is down"}}
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/contact/suspend", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	if res, err := ceri.Do(req); err != nil || res.StatusCode != 200 {
		t.Fatalf("pausing Z00002: %v %v", res, err)
	}

	// Redis loses everything; Companion restarts.
	if err := rs.Client(t).FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	rs.Restart(t)
	stop()
	_, base2 := startStoppable(t, bin, rs.URL(), env...)
	pid2 := strings.Replace(pid, base, base2, 1)

	// The old session is gone: the API says sign in, nothing half there.
	if res, err := amara.Get(base2 + "/api/v1/me"); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the session before the flush: %v %v, want 401", res.Status, err)
	}
	amara2, sam2 := client(t), client(t)
	res, err := amara2.Get(base2 + "/auth/login?login_hint=9990000018")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !strings.Contains(res.Request.URL.String(), base2) || res.StatusCode != 200 {
		t.Fatalf("signing in again: %s at %s", res.Status, res.Request.URL)
	}
	if !slices.ContainsFunc(amara2.Jar.Cookies(res.Request.URL), func(c *http.Cookie) bool { return c.Value == "cy" }) {
		t.Error("the language Amara chose was forgotten")
	}
	var diary api.Diary
	send(t, amara2, "GET", pid2+"/appointments", nil, &diary, 200)
	if n := len(slices.DeleteFunc(diary.Upcoming, func(a api.Appointment) bool { return a.ID != booked.ID })); n != 1 {
		t.Errorf("the booking made before the flush: %d listed, want 1", n)
	}
	var reqs []api.PrescriptionRequest
	send(t, amara2, "GET", pid2+"/prescription-requests", nil, &reqs, 200)
	if !slices.ContainsFunc(reqs, func(r api.PrescriptionRequest) bool { return r.RepeatID == repeats[i].ID }) {
		t.Error("the order made before the flush is not listed")
	}
	var activity []api.ActivityEvent
	send(t, amara2, "GET", pid2+"/activity", nil, &activity, 200)
	var actions []string
	for _, a := range activity {
		actions = append(actions, a.Action)
	}
	for _, want := range []string{"view_record", "book", "order_prescription"} {
		if !slices.Contains(actions, want) {
			t.Errorf("Amara's access history lost %s: %v", want, actions)
		}
	}

	mustGet(t, sam2, base2+"/staff/login?login_hint=staff-site-z00001")
	var views []api.FlagView
	send(t, sam2, "GET", base2+"/api/v1/admin/flags", nil, &views, 200)
	if i := slices.IndexFunc(views, func(v api.FlagView) bool { return v.Name == "fhir_export" }); i < 0 || views[i].Practices["Z00001"] {
		t.Errorf("the FHIR export flag after the flush: %+v", views)
	}
	if page := mustGet(t, sam2, base2+"/admin"); !strings.Contains(page, "Export paused for review") {
		t.Error("the flag change is not in the history after the flush")
	}
	var me2 api.Me
	send(t, amara2, "GET", base2+"/api/v1/me", nil, &me2, 200)
	if me2.Features["fhir_export"] {
		t.Error("the flag switched off before the flush is on again")
	}
	var box api.Inbox
	send(t, sam2, "GET", base2+"/api/v1/admin/inbox", nil, &box, 200)
	if box.Settings.Hours != hours {
		t.Errorf("practice hours after the flush: %q, want %q", box.Settings.Hours, hours)
	}
	ceri2 := client(t)
	mustGet(t, ceri2, base2+"/staff/login?login_hint=staff-site-z00002")
	var box2 api.Inbox
	send(t, ceri2, "GET", base2+"/api/v1/admin/inbox", nil, &box2, 200)
	if box2.Availability.Why != "suspended" || !strings.Contains(box2.Availability.Suspended, "clinical system is down") {
		t.Errorf("Z00002's pause after the flush: %+v", box2.Availability)
	}
	booked2, err := countFHIR(fs.BaseURL, "Appointment?status=booked")
	if err != nil || booked2 != 1 {
		t.Errorf("the GP system holds %d booked appointments (%v), want exactly the one", booked2, err)
	}
}
