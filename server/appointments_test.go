package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/internal/wire"
	"github.com/nhs-companion/companion/server/gp"
)

// call sends a JSON API request as the browser and decodes the answer into
// out (when 2xx) or returns the error code.
func (b *browser) call(t testing.TB, method, path string, body any, out any, header ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, b.env.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", b.env.url)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		var e api.Error
		_ = json.Unmarshal(raw, &e)
		return res.StatusCode, e.Error.Code
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %.200s", method, path, err, raw)
		}
	}
	return res.StatusCode, ""
}

func (b *browser) pid(t testing.TB) string {
	t.Helper()
	_, me := b.me(t)
	return me.PatientID
}

func slotsOf(t testing.TB, b *browser, pid, typ string) []api.Slot {
	t.Helper()
	var slots []api.Slot
	if st, code := b.call(t, "GET", "/api/v1/patients/"+pid+"/slots?type="+typ, nil, &slots); st != 200 {
		t.Fatalf("slots: %d %s", st, code)
	}
	if len(slots) < 10 {
		t.Fatalf("only %d free %s slots", len(slots), typ)
	}
	if time.UnixMilli(slots[0].Start).Before(time.Now().Add(29 * time.Minute)) {
		t.Errorf("a slot inside the booking cut-off is offered")
	}
	// Tests cancel what they book: leave out times within the cancelling
	// cut-off, so the tests pass at any time of day.
	later := slots[:0:0]
	for _, s := range slots {
		if time.UnixMilli(s.Start).After(time.Now().Add(2 * time.Hour)) {
			later = append(later, s)
		}
	}
	return later
}

func TestBookRetryCancelThroughTheAPI(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	slots := slotsOf(t, amara, pid, "gp")
	for i := 1; i < len(slots); i++ {
		if slots[i].Start < slots[i-1].Start {
			t.Fatal("slots not in time order")
		}
	}
	base := "/api/v1/patients/" + pid + "/appointments"

	var first, again api.Appointment
	if st, code := amara.call(t, "POST", base, api.BookRequest{SlotID: slots[5].ID, Reason: "Sore knee"}, &first, "Idempotency-Key", "k1"); st != 201 {
		t.Fatalf("book: %d %s", st, code)
	}
	// A retry with the same key is the same booking, not a second one.
	if st, _ := amara.call(t, "POST", base, api.BookRequest{SlotID: slots[5].ID, Reason: "Sore knee"}, &again, "Idempotency-Key", "k1"); st != 201 || again.ID != first.ID {
		t.Errorf("retry: %d %+v, want the first booking %s", st, again, first.ID)
	}
	// The same key for something else is refused.
	if st, code := amara.call(t, "POST", base, api.BookRequest{SlotID: slots[6].ID}, nil, "Idempotency-Key", "k1"); st != 422 || code != "idempotency_mismatch" {
		t.Errorf("key reuse: %d %s", st, code)
	}
	// The slot has gone from the free list, for everyone.
	for _, s := range slotsOf(t, amara, pid, "gp") {
		if s.ID == slots[5].ID {
			t.Error("a booked slot is still offered")
		}
	}
	// Someone else, and a different key: taken.
	priya := e.signIn(t, "9990000034")
	if st, code := priya.call(t, "POST", "/api/v1/patients/"+priya.pid(t)+"/appointments", api.BookRequest{SlotID: slots[5].ID}, nil, "Idempotency-Key", "p1"); st != 409 || code != "slot_taken" {
		t.Errorf("second booking of a slot: %d %s", st, code)
	}
	// The limit is two future appointments.
	if st, code := amara.call(t, "POST", base, api.BookRequest{SlotID: slots[7].ID}, nil); st != 201 {
		t.Fatalf("second booking: %d %s", st, code)
	}
	if st, code := amara.call(t, "POST", base, api.BookRequest{SlotID: slots[8].ID}, nil); st != 409 || code != "booking_limit" {
		t.Errorf("third booking: %d %s", st, code)
	}
	// Cancel frees the slot and the place in the limit.
	var cancelled api.Appointment
	if st, code := amara.call(t, "DELETE", base+"/"+first.ID, nil, &cancelled); st != 200 || cancelled.Status != "cancelled" {
		t.Fatalf("cancel: %d %s %+v", st, code, cancelled)
	}
	if st, code := amara.call(t, "DELETE", base+"/"+first.ID, nil, nil); st != 409 || code != "already_cancelled" {
		t.Errorf("cancel twice: %d %s", st, code)
	}
	if st, code := priya.call(t, "POST", "/api/v1/patients/"+priya.pid(t)+"/appointments", api.BookRequest{SlotID: slots[5].ID}, nil); st != 201 {
		t.Errorf("booking a freed slot: %d %s", st, code)
	}
	// Someone else's appointment ID is not found, and changes nothing.
	if st, code := priya.call(t, "DELETE", "/api/v1/patients/"+priya.pid(t)+"/appointments/"+again.ID, nil, nil); st != 404 || code != "appointment_not_found" {
		t.Errorf("cancelling someone else's appointment: %d %s", st, code)
	}
	var d api.Diary
	amara.call(t, "GET", base, nil, &d)
	if len(d.Upcoming) != 1 || len(d.Cancelled) != 1 || d.Cancelled[0].ID != first.ID {
		t.Errorf("diary: %+v", d)
	}
	// Every booking and cancellation is audited with actor, patient and slot.
	events, _ := e.srv.Auth.Audit.ForPatient(context.Background(), pid, "", 50)
	got := map[string]int{}
	for _, ev := range events {
		if ev.Action == "book" || ev.Action == "cancel" {
			got[ev.Action+":"+ev.Outcome+":"+ev.Reason]++
			if ev.Actor == "" || ev.ActorPatient != pid || ev.Object == "" {
				t.Errorf("audit event lacks actor or object: %+v", ev)
			}
		}
	}
	want := map[string]int{"book:success:": 2, "book:refused:booking_limit": 1, "cancel:success:": 1, "cancel:refused:already_cancelled": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("audit %v, want %v", got, want)
	}
}

func TestBadBookingInputChangesNothing(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	base := "/api/v1/patients/" + pid + "/appointments"
	slot := slotsOf(t, amara, pid, "gp")[3].ID
	for _, tc := range []struct {
		name string
		body any
		code string
		st   int
	}{
		{"unknown slot", api.BookRequest{SlotID: "Z00001-20000101T0900-x"}, "not_found", 404},
		{"no slot", api.BookRequest{}, "bad_request", 400},
		{"reason too long", api.BookRequest{SlotID: slot, Reason: strings.Repeat("a", 501)}, "reason_too_long", 400},
		{"control characters", api.BookRequest{SlotID: slot, Reason: "a\x00b"}, "bad_request", 400},
		{"unknown field", map[string]any{"slot_id": slot, "patient": "someone"}, "bad_request", 400},
		{"not JSON", "{", "bad_request", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if st, code := amara.call(t, "POST", base, tc.body, nil); st != tc.st || code != tc.code {
				t.Errorf("%d %s, want %d %s", st, code, tc.st, tc.code)
			}
		})
	}
	var d api.Diary
	amara.call(t, "GET", base, nil, &d)
	if len(d.Upcoming)+len(d.Cancelled)+len(d.Past) != 0 {
		t.Errorf("bad input booked something: %+v", d)
	}
}

// startProcess is one more Companion server on the same Redis: another
// process, as far as everything shared is concerned.
func startProcess(t *testing.T, e *testEnv, env ...string) *testEnv {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	vars := map[string]string{"PUBLIC_URL": base, "WEB_DIR": fakeWeb(t), "LOG_LEVEL": "warn"}
	for i := 0; i+1 < len(env); i += 2 {
		vars[env[i]] = env[i+1]
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	srv, err := wire.Build(context.Background(), cfg, e.redis.Client(t), &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	t.Cleanup(hs.Close)
	return &testEnv{srv: srv, http: hs, redis: e.redis, logs: &syncBuffer{}, url: base}
}

// sessionFor signs a synthetic patient in by creating their session
// directly (sign-in itself is tested elsewhere), as a browser on env.
func sessionFor(t *testing.T, env *testEnv, nhsNumber string) *browser {
	t.Helper()
	rec, err := env.srv.Access.GP.Patient(context.Background(), nhsNumber)
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := env.srv.Auth.Sessions.Create(context.Background(), session.Session{
		UserKey: "load-" + nhsNumber, Kind: "patient", Subject: "load-" + nhsNumber, NHSNumber: nhsNumber,
		GivenName: rec.GivenName, FamilyName: rec.FamilyName, BirthDate: rec.BirthDate.String(), ProofingLevel: "P9", GPODS: rec.PracticeODS,
	})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(env.url)
	jar.SetCookies(u, []*http.Cookie{{Name: "companion", Value: token, Path: "/"}})
	return &browser{env: env, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// TestTwoProcessesNeverDoubleBook: hundreds of patients on two server
// processes sharing one Redis all try, at one instant, to book the same
// twenty slots. Each slot is booked exactly once; everyone else is told
// slot_taken.
func TestTwoProcessesNeverDoubleBook(t *testing.T) {
	a := mustStartServer(t, "BOOKING_CONCURRENCY", "1000", "RATE_LIMIT_API", "100000")
	b := startProcess(t, a, "BOOKING_CONCURRENCY", "1000", "RATE_LIMIT_API", "100000")
	sys := sandboxOf(t, a)
	ctx := context.Background()
	patients, err := sys.AddPatients(ctx, "Z00001", 400)
	if err != nil {
		t.Fatal(err)
	}
	amara := a.signIn(t, "9990000018")
	slots := slotsOf(t, amara, amara.pid(t), "gp")[:20]

	browsers := make([]*browser, len(patients))
	for i, n := range patients {
		env := a
		if i%2 == 1 {
			env = b
		}
		browsers[i] = sessionFor(t, env, n)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	var booked sync.Map // slot → count
	codes := sync.Map{}
	var ok atomic.Int64
	for i, br := range browsers {
		wg.Add(1)
		go func(i int, br *browser) {
			defer wg.Done()
			pid := br.env.srv.Access.IDs.For(patients[i])
			slot := slots[i%len(slots)].ID
			<-start
			var appt api.Appointment
			st, code := br.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slot}, &appt, "Idempotency-Key", fmt.Sprint("race-", i))
			if st == 201 {
				ok.Add(1)
				v, _ := booked.LoadOrStore(slot, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
				return
			}
			v, _ := codes.LoadOrStore(code, new(atomic.Int64))
			v.(*atomic.Int64).Add(1)
		}(i, br)
	}
	close(start)
	wg.Wait()
	if ok.Load() != int64(len(slots)) {
		t.Errorf("%d bookings succeeded, want one per slot (%d)", ok.Load(), len(slots))
	}
	booked.Range(func(k, v any) bool {
		if n := v.(*atomic.Int64).Load(); n != 1 {
			t.Errorf("slot %v booked %d times", k, n)
		}
		return true
	})
	codes.Range(func(k, v any) bool {
		if k != "slot_taken" {
			t.Errorf("%d refusals with %q, want only slot_taken", v.(*atomic.Int64).Load(), k)
		}
		return true
	})
	// The GP system agrees: one booked appointment per slot across everyone.
	holders := map[string]int{}
	for _, n := range patients {
		list, err := sys.Appointments(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, ap := range list {
			if ap.Status == gp.StatusBooked {
				holders[ap.Slot.ID]++
			}
		}
	}
	if len(holders) != len(slots) {
		t.Errorf("%d slots held, want %d", len(holders), len(slots))
	}
	for s, n := range holders {
		if n != 1 {
			t.Errorf("GP system: slot %s held by %d patients", s, n)
		}
	}
}

// countingGP counts slot reads that reach the GP system.
type countingGP struct {
	gp.System
	reads atomic.Int64
}

func (c *countingGP) Slots(ctx context.Context, q gp.SlotQuery) ([]gp.Slot, error) {
	c.reads.Add(1)
	time.Sleep(20 * time.Millisecond) // a GP system is slow; make the readers pile up
	return c.System.Slots(ctx, q)
}

func TestManyViewersOneGPRead(t *testing.T) {
	e := mustStartServer(t, "BOOKING_CONCURRENCY", "2000", "RATE_LIMIT_API", "100000")
	counting := &countingGP{System: e.srv.Access.GP}
	e.srv.Access.GP = counting
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	var wg sync.WaitGroup
	start := make(chan struct{})
	var failed atomic.Int64
	for i := 0; i < 500; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if st, _ := amara.call(t, "GET", "/api/v1/patients/"+pid+"/slots?type=nurse", nil, nil); st != 200 {
				failed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if failed.Load() != 0 {
		t.Errorf("%d viewers failed", failed.Load())
	}
	if n := counting.reads.Load(); n != 1 {
		t.Errorf("500 simultaneous viewers cost the GP system %d reads, want 1", n)
	}
	// A booking refreshes the list at once.
	slots := slotsOf(t, amara, pid, "nurse")
	amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slots[0].ID}, nil)
	for _, s := range slotsOf(t, amara, pid, "nurse") {
		if s.ID == slots[0].ID {
			t.Error("the cached list still offers the slot just booked")
		}
	}
}

func TestBusyPracticeQueuesInOrder(t *testing.T) {
	e := mustStartServer(t, "BOOKING_CONCURRENCY", "1")
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	ctx := context.Background()
	// Someone else holds the practice's only place.
	pass, err := e.srv.Booking.Admission.Enter(ctx, "Z00001", "")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.url+"/api/v1/patients/"+pid+"/slots", nil)
	res, err := amara.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ticket := res.Header.Get("X-Queue-Ticket")
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || ticket == "" {
		t.Fatalf("busy API: %d, Retry-After %q, ticket %q", res.StatusCode, res.Header.Get("Retry-After"), ticket)
	}
	// The page shows the queue and tries again by itself, keeping the place.
	page, body := amara.get(t, "/appointments/book?type=gp")
	if page.StatusCode != 429 || !strings.Contains(body, "You are in a queue") || !strings.Contains(page.Header.Get("Refresh"), "queue=") {
		t.Fatalf("busy page: %d, Refresh %q", page.StatusCode, page.Header.Get("Refresh"))
	}
	_ = pass.Release(ctx)
	req, _ = http.NewRequest("GET", e.url+"/api/v1/patients/"+pid+"/slots", nil)
	req.Header.Set("X-Queue-Ticket", ticket)
	res, err = amara.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("first in the queue after the place freed: %d", res.StatusCode)
	}
}

// form submits a page's form the way a browser without JavaScript does.
func TestBookAndCancelWithPlainForms(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	layla := e.srv.Access.IDs.For("9990000026")
	amara.post(t, "/profiles/"+layla+"/switch", nil)

	res, body := amara.get(t, "/appointments/book")
	if res.StatusCode != 200 || !strings.Contains(body, "Booking for Layla Okafor") {
		t.Fatalf("type step: %d", res.StatusCode)
	}
	// No choice made: the same question, with an error.
	if res, body = amara.get(t, "/appointments/book?type="); res.StatusCode != 400 || !strings.Contains(body, "nhsuk-error-summary") {
		t.Errorf("empty type: %d", res.StatusCode)
	}
	res, body = amara.get(t, "/appointments/book?type=gp")
	day := nthRadio(t, body, "day", 1) // not today: a time within the hour cannot be cancelled online
	res, body = amara.get(t, "/appointments/book?type=gp&day="+day)
	slot := nthRadio(t, body, "slot", 0)
	res, body = amara.get(t, "/appointments/book?type=gp&day="+day+"&slot="+url.QueryEscape(slot))
	if res.StatusCode != 200 || !strings.Contains(body, "Check the appointment details") || !strings.Contains(body, "Book appointment for Layla Okafor") {
		t.Fatalf("check step: %d", res.StatusCode)
	}
	key := hiddenValue(t, body, "idempotency_key")
	form := url.Values{"slot": {slot}, "type": {"gp"}, "day": {day}, "idempotency_key": {key}, "reason": {"Ear ache"}}
	res, body = amara.post(t, "/appointments/book", form)
	if res.StatusCode != 200 || !strings.Contains(res.Request.URL.RawQuery, "booked=1") || !strings.Contains(body, "Appointment booked") || !strings.Contains(body, "Layla Okafor is booked in") {
		t.Fatalf("confirmation: %d %s", res.StatusCode, res.Request.URL)
	}
	apptPath := res.Request.URL.Path
	// Pressing the button twice books once.
	if res2, _ := amara.post(t, "/appointments/book", form); res2.Request.URL.Path != apptPath {
		t.Errorf("double submit went to %s, want %s", res2.Request.URL.Path, apptPath)
	}
	// Add to calendar: an iCalendar event with nothing personal in it.
	res, ics := amara.get(t, apptPath+"/calendar.ics")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(ics, "BEGIN:VEVENT") ||
		strings.Contains(ics, "Layla") || strings.Contains(ics, "Ear ache") {
		t.Errorf("calendar: %d %q", res.StatusCode, ics)
	}
	// The slot just went: booking it again (another key) explains and offers times.
	form.Set("idempotency_key", "another")
	res, body = amara.post(t, "/appointments/book", form)
	if res.StatusCode != 409 || !strings.Contains(body, "just been booked by someone else") || !strings.Contains(body, `name="slot"`) {
		t.Errorf("slot gone: %d %s", res.StatusCode, textOf(parse(t, body)))
	}
	// Cancel, with a confirmation step naming the patient.
	res, body = amara.get(t, apptPath+"/cancel")
	if res.StatusCode != 200 || !strings.Contains(body, "cancel this appointment for Layla Okafor") {
		t.Fatalf("cancel step: %d", res.StatusCode)
	}
	res, body = amara.post(t, apptPath+"/cancel", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "The appointment has been cancelled") {
		t.Errorf("after cancel: %d %s", res.StatusCode, res.Request.URL)
	}
	// Layla's appointment is Layla's: Amara's own diary is empty.
	amara.post(t, "/profiles/"+amara.pid(t)+"/switch", nil)
	var d api.Diary
	amara.call(t, "GET", "/api/v1/patients/"+amara.pid(t)+"/appointments", nil, &d)
	if len(d.Upcoming)+len(d.Cancelled) != 0 {
		t.Errorf("Amara's own diary has Layla's appointment: %+v", d)
	}
}

func nthRadio(t *testing.T, body, name string, i int) string {
	t.Helper()
	for _, in := range all(parse(t, body), el("input")) {
		if n, _ := attr(in, "name"); n == name {
			if v, _ := attr(in, "value"); v != "" {
				if i == 0 {
					return v
				}
				i--
			}
		}
	}
	t.Fatalf("no %s to choose", name)
	return ""
}

func hiddenValue(t *testing.T, body, name string) string {
	t.Helper()
	for _, in := range all(parse(t, body), el("input")) {
		if n, _ := attr(in, "name"); n == name {
			v, _ := attr(in, "value")
			return v
		}
	}
	t.Fatalf("no hidden %s", name)
	return ""
}
