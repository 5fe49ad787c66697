package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/roundtrip"
	"github.com/nhs-companion/companion/server/gp/fhir/fhirtest"
)

// costOf makes one request with do and returns what it cost the stores.
func costOf(t *testing.T, e *testEnv, request string, do func()) *roundtrip.Counter {
	t.Helper()
	got := make(chan *roundtrip.Counter, 1)
	e.srv.Metrics.SetTrace(func(req string, c *roundtrip.Counter) {
		if req == request {
			select {
			case got <- c:
			default:
			}
		}
	})
	defer e.srv.Metrics.SetTrace(nil)
	do()
	// The trace is taken as the request ends on the server, which can be
	// just after the client has read the whole answer.
	select {
	case c := <-got:
		return c
	case <-time.After(5 * time.Second):
		t.Fatalf("%s was not made", request)
		return nil
	}
}

// TestRoundTripBudget: what a signed-in request costs Redis, counted by a
// go-redis hook per request. A signed-in API request makes one round trip
// before its own work: the session, both rate limits and the stamp that
// says whether what the GP system holds about the person's access has
// changed. (The first request of a session on a process reads the stamp
// in a second round trip: only then is it known whose the session is.) A
// page reads no key twice. The home page's six after the session are its
// news, one read each: contact requests, waitlist offers, prescriptions
// (two, a request's details after the list), their read marks and the
// notifications list. Booking's include scheduling the reminder for the
// day before.
func TestRoundTripBudget(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	if cost := costOf(t, e, "GET /api/v1/me", func() { amara.me(t) }); cost.Redis() > 2 {
		t.Errorf("a session's first /api/v1/me: %d round trips, budget 2:\n  %s", cost.Redis(), strings.Join(cost.Trips(), "\n  "))
	}
	pid := amara.pid(t)
	var slots []api.Slot
	amara.call(t, "GET", "/api/v1/patients/"+pid+"/slots?type=gp", nil, &slots)
	if len(slots) < 2 {
		t.Fatalf("%d slots", len(slots))
	}
	// Each once first: the first request of a person fills the caches,
	// and the first use of a script loads it.
	amara.me(t)
	amara.get(t, "/")
	amara.get(t, "/appointments")
	if st, code := amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slots[0].ID}, nil, "Idempotency-Key", "budget-0"); st != 201 {
		t.Fatalf("book: %d %s", st, code)
	}
	for _, c := range []struct {
		name, request string
		budget        int
		do            func()
	}{
		{"me", "GET /api/v1/me", 1, func() { amara.me(t) }},
		{"home", "GET /", 7, func() { amara.get(t, "/") }},
		{"appointments", "GET /appointments", 4, func() { amara.get(t, "/appointments") }},
		{"book", "POST /api/v1/patients/" + pid + "/appointments", 14, func() {
			if st, code := amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slots[1].ID}, nil, "Idempotency-Key", "budget-1"); st != 201 {
				t.Fatalf("book: %d %s", st, code)
			}
		}},
	} {
		cost := costOf(t, e, c.request, c.do)
		trips := cost.Trips()
		t.Logf("%s: %d round trips:\n  %s", c.name, cost.Redis(), strings.Join(trips, "\n  "))
		if cost.Redis() > c.budget {
			t.Errorf("%s: %d Redis round trips, budget %d", c.name, cost.Redis(), c.budget)
		}
		// Before its own work: the session, its rate limits (pages not
		// behind a patient ID have none) and the access stamp at once.
		limits := 2
		if c.name == "home" {
			limits = 0
		}
		if len(trips) < 1 || !strings.HasPrefix(trips[0], "mget companion:sess:") ||
			strings.Count(trips[0], "evalsha") != limits || !strings.HasSuffix(trips[0], ":access") {
			t.Errorf("%s does not begin with the session, its rate limits and the access stamp in one round trip", c.name)
		}
		seen := map[string]bool{}
		for _, trip := range trips {
			for _, cmd := range strings.Split(trip, "+") {
				if read(cmd) && seen[cmd] {
					t.Errorf("%s reads %q twice", c.name, cmd)
				}
				seen[cmd] = true
			}
		}
	}
}

// read reports whether a traced command only reads its key.
func read(cmd string) bool {
	name, _, _ := strings.Cut(cmd, " ")
	switch name {
	case "get", "mget", "hget", "hgetall", "hmget", "smembers", "zrange", "zrangebyscore", "lrange", "exists", "xrange", "xrevrange":
		return true
	}
	return false
}

// TestGPCallsOnTheFHIRAdapter: with a real FHIR server as the GP system, a
// signed-in request asks it for the access stamp (two batches for a person
// with relationships) and reads people and relationships only when that
// has changed; the clinical data a page shows is read fresh every time.
func TestGPCallsOnTheFHIRAdapter(t *testing.T) {
	fs, _ := fhirtest.MustStartSeeded(t)
	e := mustStartServer(t, "GP_SYSTEM", "fhir", "FHIR_BASE_URL", fs.BaseURL)
	amara := e.signIn(t, "9990000018")
	amara.me(t)
	amara.get(t, "/appointments")
	for _, c := range []struct {
		name, request  string
		redis, gpCalls int
		do             func()
	}{
		{"me", "GET /api/v1/me", 1, 2, func() { amara.me(t) }},
		{"appointments", "GET /appointments", 2, 4, func() { amara.get(t, "/appointments") }},
	} {
		cost := costOf(t, e, c.request, c.do)
		t.Logf("%s: %d Redis round trips, %d GP-system calls", c.name, cost.Redis(), cost.GP())
		if cost.Redis() > c.redis || cost.GP() > c.gpCalls {
			t.Errorf("%s: %d Redis round trips and %d GP-system calls, budget %d and %d:\n  %s",
				c.name, cost.Redis(), cost.GP(), c.redis, c.gpCalls, strings.Join(cost.Trips(), "\n  "))
		}
	}
}
