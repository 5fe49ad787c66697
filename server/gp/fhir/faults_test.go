package fhir_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/fhir"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// faulty is a proxy in front of the FHIR server that misbehaves as told:
// the faults a real GP system shows, injected between the adapter and a
// server that would otherwise answer well.
type faulty struct {
	mode     atomic.Value // string: "" forwards
	failures atomic.Int64 // how many requests the mode applies to (<0: all)
	requests atomic.Int64 // requests seen
	srv      *httptest.Server
}

func newFaulty(t *testing.T, upstream string) *faulty {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	f := &faulty{}
	f.mode.Store("")
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		mode := f.mode.Load().(string)
		if mode != "" && f.failures.Load() != 0 {
			f.failures.Add(-1)
		} else {
			mode = ""
		}
		switch mode {
		case "":
			proxy.ServeHTTP(w, r)
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
				proxy.ServeHTTP(w, r)
			}
		case "500":
			http.Error(w, "internal error", http.StatusInternalServerError)
		case "malformed":
			w.Header().Set("Content-Type", "application/fhir+json")
			w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":`))
		case "wrong-type":
			w.Header().Set("Content-Type", "application/fhir+json")
			w.Write([]byte(`{"resourceType":"Patient","id":"x"}`))
		case "outcome":
			w.Header().Set("Content-Type", "application/fhir+json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"9990000018"}]}`))
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// fail applies mode to the next n requests (n < 0: all of them).
func (f *faulty) fail(mode string, n int64) {
	f.failures.Store(n)
	f.mode.Store(mode)
	f.requests.Store(0)
}

func (f *faulty) base() string { return f.srv.URL + "/fhir/R4" }

func TestFaultsAreUnavailableNeverWrong(t *testing.T) {
	srv := seeded(t)
	f := newFaulty(t, srv.BaseURL)
	// The circuit breaker has a test of its own: here it stays closed.
	sys, err := fhir.New(fhir.Config{BaseURL: f.base(), Timeout: 300 * time.Millisecond, Retries: []time.Duration{10 * time.Millisecond}, BreakerThreshold: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, mode := range []string{"slow", "500", "malformed", "wrong-type", "outcome"} {
		t.Run(mode, func(t *testing.T) {
			f.fail(mode, -1)
			p, err := sys.Patient(ctx, amara)
			if !errors.Is(err, gp.ErrUnavailable) {
				t.Errorf("Patient: %+v, %v; want ErrUnavailable", p, err)
			}
			if err != nil && strings.Contains(err.Error(), amara) {
				t.Errorf("error names the NHS number: %v", err)
			}
			_, err = sys.Slots(ctx, gp.SlotQuery{Practice: sandbox.PilotPractice, From: time.Now(), To: time.Now().Add(24 * time.Hour)})
			if !errors.Is(err, gp.ErrUnavailable) {
				t.Errorf("Slots: %v; want ErrUnavailable", err)
			}
		})
	}

	t.Run("ServerDown", func(t *testing.T) {
		f.fail("", 0)
		down, err := fhir.New(fhir.Config{BaseURL: "http://127.0.0.1:1/fhir/R4", Retries: []time.Duration{}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := down.Patient(ctx, amara); !errors.Is(err, gp.ErrUnavailable) {
			t.Errorf("Patient with the server down: %v; want ErrUnavailable", err)
		}
		if err := down.Ping(ctx); !errors.Is(err, gp.ErrUnavailable) {
			t.Errorf("Ping with the server down: %v; want ErrUnavailable", err)
		}
	})

	t.Run("ReadsRetriedWritesNot", func(t *testing.T) {
		f.fail("500", 1)
		if _, err := sys.Patient(ctx, priya); err != nil {
			t.Errorf("a read after one 500: %v; want it retried", err)
		}
		if n := f.requests.Load(); n < 2 {
			t.Errorf("%d requests for a read after a 500, want a retry", n)
		}
		f.fail("", 0)
		// Finding a slot is not under test: it is a fortnight's search,
		// longer than the faults' 300 ms on a busy machine.
		sl := freeSlot(t, newSystem(t, srv.BaseURL))
		wf := newWriteFailer(t, srv.BaseURL)
		ws := newSystem(t, wf.base())
		if _, err := ws.Book(ctx, gp.Booking{PatientNHS: priya, PracticeODS: sandbox.PilotPractice, SlotID: sl.ID, Key: "k-500"}); !errors.Is(err, gp.ErrUnavailable) {
			t.Errorf("Book with the write answered 500: %v; want ErrUnavailable", err)
		}
		if n := wf.writes.Load(); n != 1 {
			t.Errorf("the failed write was sent %d times, want once", n)
		}
		if _, free, err := sys.Slot(ctx, sandbox.PilotPractice, sl.ID); err != nil || !free {
			t.Errorf("after a failed booking the slot is free=%v (%v), want free", free, err)
		}
	})

	t.Run("LostAnswerDoesNotDoubleBook", func(t *testing.T) {
		sl := freeSlot(t, newSystem(t, srv.BaseURL))
		b := gp.Booking{PatientNHS: amara, PracticeODS: sandbox.PilotPractice, SlotID: sl.ID, Actor: "amara", Key: "idem-1"}
		// Only the transaction's answer is lost: reads pass.
		loseWrites := newWriteFailer(t, srv.BaseURL)
		loseWrites.lose.Store(true)
		lossy := newSystem(t, loseWrites.base())
		if _, err := lossy.Book(ctx, b); !errors.Is(err, gp.ErrUnavailable) {
			t.Fatalf("Book whose answer was lost: %v; want ErrUnavailable", err)
		}
		loseWrites.lose.Store(false)
		a, err := lossy.Book(ctx, b)
		if err != nil {
			t.Fatalf("retried Book: %v; want the first attempt's appointment", err)
		}
		if n := appointmentsOn(t, srv.BaseURL, sl.ID); n != 1 {
			t.Errorf("%d appointments on the slot after a retried booking, want 1", n)
		}
		if _, err := lossy.Book(ctx, gp.Booking{PatientNHS: priya, PracticeODS: sandbox.PilotPractice, SlotID: sl.ID, Key: "idem-1"}); !errors.Is(err, gp.ErrSlotTaken) {
			t.Errorf("another patient with the same key: %v; want ErrSlotTaken", err)
		}
		if a.ID == "" || a.Status != gp.StatusBooked {
			t.Errorf("retried Book: %+v", a)
		}
	})
}

// writeFailer fails or loses transactions (POSTs to the base), passing
// everything else.
type writeFailer struct {
	lose   atomic.Bool
	writes atomic.Int64
	srv    *httptest.Server
}

func newWriteFailer(t *testing.T, upstream string) *writeFailer {
	t.Helper()
	u, _ := url.Parse(upstream)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	w := &writeFailer{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/fhir/R4") {
			proxy.ServeHTTP(rw, r)
			return
		}
		w.writes.Add(1)
		if !w.lose.Load() {
			http.Error(rw, "internal error", http.StatusInternalServerError)
			return
		}
		proxy.ServeHTTP(httptest.NewRecorder(), r)
		if conn, _, err := rw.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *writeFailer) base() string { return w.srv.URL + "/fhir/R4" }

// freeSlot is a free slot of the pilot practice a day or more ahead,
// different on every call.
func freeSlot(t *testing.T, sys *fhir.System) gp.Slot {
	t.Helper()
	slots, err := sys.Slots(context.Background(), gp.SlotQuery{Practice: sandbox.PilotPractice, From: time.Now().Add(24 * time.Hour), To: time.Now().AddDate(0, 0, 14)})
	if err != nil || len(slots) == 0 {
		t.Fatalf("no free slots: %v", err)
	}
	return slots[int(taken.Add(1))%len(slots)]
}

var taken atomic.Int64

// appointmentsOn counts the Appointments on a slot, asking the server.
func appointmentsOn(t *testing.T, base, slotID string) int {
	t.Helper()
	res, err := http.Get(base + "/Appointment?slot=Slot/" + slotID)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b struct {
		Entry []json.RawMessage `json:"entry"`
	}
	json.NewDecoder(res.Body).Decode(&b)
	return len(b.Entry)
}

// TestConcurrentBookingsOneWinner: 100 bookings of one slot from two
// adapters (two processes' worth of state) make exactly one appointment,
// and the server holds exactly one Appointment for the slot afterwards.
func TestConcurrentBookingsOneWinner(t *testing.T) {
	srv := seeded(t)
	a, b := newSystem(t, srv.BaseURL), newSystem(t, srv.BaseURL)
	sl := freeSlot(t, a)
	patients := []string{amara, priya, "9990000069"}
	var wins, taken atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		sys := a
		if i%2 == 1 {
			sys = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := sys.Book(context.Background(), gp.Booking{PatientNHS: patients[i%len(patients)], PracticeODS: sandbox.PilotPractice, SlotID: sl.ID})
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, gp.ErrSlotTaken):
				taken.Add(1)
			default:
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Book: %v", err)
	}
	if wins.Load() != 1 || taken.Load() != 99 {
		t.Errorf("%d bookings won and %d were told the slot was taken; want 1 and 99", wins.Load(), taken.Load())
	}
	if n := appointmentsOn(t, srv.BaseURL, sl.ID); n != 1 {
		t.Errorf("the server holds %d Appointments for the slot, want exactly 1", n)
	}
}

// TestRespondRace: 30 replies at once to one request from two adapters:
// exactly one is kept, and it is the one the request shows.
func TestRespondRace(t *testing.T) {
	srv := seeded(t)
	a, b := newSystem(t, srv.BaseURL), newSystem(t, srv.BaseURL)
	ctx := context.Background()
	c, err := a.SubmitContact(ctx, gp.ContactRequest{PatientNHS: amara, PracticeODS: sandbox.PilotPractice, Kind: gp.ContactAdmin, Text: "Please"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var kept []gp.ContactRequest
	for i := range 30 {
		sys := a
		if i%2 == 1 {
			sys = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := sys.Respond(ctx, sandbox.PilotPractice, c.ID, "Reply "+strconv.Itoa(i), "staff-"+strconv.Itoa(i))
			switch {
			case err == nil:
				mu.Lock()
				kept = append(kept, r)
				mu.Unlock()
			case !errors.Is(err, gp.ErrAlreadyResponded):
				t.Errorf("Respond: %v; want ErrAlreadyResponded", err)
			}
		}()
	}
	wg.Wait()
	if len(kept) != 1 {
		t.Fatalf("%d replies kept, want exactly 1", len(kept))
	}
	list, err := a.ContactRequests(ctx, amara)
	if err != nil || len(list) == 0 || list[0].ID != c.ID || list[0].Reply != kept[0].Reply || list[0].RespondedBy != kept[0].RespondedBy {
		t.Errorf("the request shows %+v, want the kept reply %q", list, kept[0].Reply)
	}
}

// TestConcurrentOrdersOneRequest: 200 orders of one medicine from two
// adapters make exactly one request; the rest are told it is on its way.
// Orders of {A} racing orders of {A, B} never make two requests for A.
func TestConcurrentOrdersOneRequest(t *testing.T) {
	srv := seeded(t)
	a, b := newSystem(t, srv.BaseURL), newSystem(t, srv.BaseURL)
	ctx := context.Background()
	repeats, err := a.Repeats(ctx, amara)
	if err != nil {
		t.Fatal(err)
	}
	today := gp.DateOf(time.Now().In(gp.UK))
	var orderable []gp.Repeat
	for _, r := range repeats {
		if !r.ReviewDue(today) && !r.Early(today, 10) {
			orderable = append(orderable, r)
		}
	}
	if len(orderable) < 2 {
		t.Fatalf("%d orderable repeats, want 2", len(orderable))
	}
	order := func(sys *fhir.System, ids ...string) error {
		_, err := sys.Order(ctx, gp.Order{PatientNHS: amara, PracticeODS: sandbox.PilotPractice, RepeatIDs: ids,
			PharmacyODS: "FZZ05", EarlyDays: 10, Today: today, Actor: "amara"})
		return err
	}
	var made atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		sys := a
		if i%2 == 1 {
			sys = b
		}
		ids := []string{orderable[0].ID}
		if i%3 == 0 {
			ids = append(ids, orderable[1].ID)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch err := order(sys, ids...); {
			case err == nil:
				made.Add(1)
			case !errors.Is(err, gp.ErrAlreadyRequested):
				t.Errorf("Order: %v; want ErrAlreadyRequested", err)
			}
		}()
	}
	wg.Wait()
	if made.Load() != 1 {
		t.Errorf("%d orders made, want exactly 1", made.Load())
	}
	reqs, err := a.PrescriptionRequests(ctx, amara)
	if err != nil {
		t.Fatal(err)
	}
	pending := 0
	for _, r := range reqs {
		if r.RepeatID == orderable[0].ID && r.Pending() {
			pending++
		}
	}
	if pending != 1 {
		t.Errorf("%d requests on their way for the medicine, want exactly 1", pending)
	}
}

// TestCircuitOpensPerPractice: after five calls in a row for a practice
// get no answer, the next fail at once without reaching the GP system;
// another practice is not affected; after the cooldown one call tries
// again, and its success closes the circuit.
func TestCircuitOpensPerPractice(t *testing.T) {
	srv := seeded(t)
	f := newFaulty(t, srv.BaseURL)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	sys, err := fhir.New(fhir.Config{BaseURL: f.base(), Retries: []time.Duration{}, Now: clock, DirectoryTTL: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	f.fail("500", -1)
	for range 5 {
		if _, err := sys.Practice(ctx, sandbox.PilotPractice); !errors.Is(err, gp.ErrUnavailable) {
			t.Fatalf("Practice with the GP system failing: %v", err)
		}
	}
	f.fail("", 0)
	if _, err := sys.Practice(ctx, sandbox.PilotPractice); !errors.Is(err, gp.ErrUnavailable) || f.requests.Load() != 0 {
		t.Errorf("with the circuit open: %v after %d requests; want ErrUnavailable and none sent", err, f.requests.Load())
	}
	if _, err := sys.Practice(ctx, sandbox.NonPilotPractice); err != nil {
		t.Errorf("another practice with the pilot's circuit open: %v", err)
	}
	now.Add(int64(31 * time.Second))
	if _, err := sys.Practice(ctx, sandbox.PilotPractice); err != nil {
		t.Errorf("after the cooldown, with the GP system back: %v", err)
	}
	if _, err := sys.Practice(ctx, sandbox.PilotPractice); err != nil {
		t.Errorf("with the circuit closed again: %v", err)
	}
}
