package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/gp/sandbox"
	"github.com/nhs-companion/companion/server/safety"
)

// metric returns the line of /metrics for the safety events of kind.
func (e *testEnv) safetyMetric(t *testing.T, kind string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.srv.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for line := range strings.SplitSeq(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, `companion_safety_events_total{kind="`+kind+`"}`) {
			return line
		}
	}
	t.Fatalf("no safety metric for %s", kind)
	return ""
}

func TestRedFlagStopsAreCountedAndListedForThePractice(t *testing.T) {
	e := mustStartServer(t, alwaysOpen...)
	amara := e.signIn(t, "9990000018")
	answers := map[string]string{}
	for _, q := range consult.Screening.For(false) {
		answers[q.ID] = "no"
	}
	answers["breathing"] = "yes"
	req := api.ContactSubmit{Kind: "medical", Screening: answers, Duration: "days", Trend: "worse", Text: "I cannot breathe properly"}
	if st, code := amara.call(t, "POST", contactPath(amara.pid(t)), req, nil); st != 422 || code != "urgent" {
		t.Fatalf("emergency answer: %d %s", st, code)
	}
	if line := e.safetyMetric(t, "red_flag"); !strings.HasSuffix(line, " 1") {
		t.Errorf("metric: %s", line)
	}
	if line := e.safetyMetric(t, "identity_mismatch"); !strings.HasSuffix(line, " 0") {
		t.Errorf("metric: %s", line)
	}
	sam := e.signInStaff(t, "staff-site-z00001")
	var box api.Inbox
	if st, code := sam.call(t, "GET", "/api/v1/admin/inbox", nil, &box); st != 200 {
		t.Fatalf("inbox: %d %s", st, code)
	}
	if !slices.ContainsFunc(box.Safety, func(ev api.SafetyEvent) bool {
		return ev.Kind == "red_flag" && ev.Detail == "999" && ev.Patient == "Amara Okafor" && ev.BirthDate != ""
	}) {
		t.Errorf("the practice's inbox does not list the stop: %+v", box.Safety)
	}
	res, body := sam.get(t, "/admin/inbox?practice=Z00001")
	text := textOf(parse(t, body))
	if res.StatusCode != 200 || !strings.Contains(text, "Safety events") || !strings.Contains(text, "told to call 999") || !strings.Contains(text, "Amara Okafor") {
		t.Errorf("inbox page: %d %s", res.StatusCode, text)
	}
	// Another practice's staff do not see it.
	ceri := e.signInStaff(t, "staff-site-z00002")
	var other api.Inbox
	if st, _ := ceri.call(t, "GET", "/api/v1/admin/inbox?practice=Z00002", nil, &other); st != 200 || len(other.Safety) != 0 {
		t.Errorf("another practice's inbox: %d %+v", st, other.Safety)
	}
}

func TestGPSystemOutageIsASafetyEvent(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	// The GP system on a Redis of its own, which then goes down while
	// Companion's own Redis stays up.
	gpRedis := redistest.MustStartNode(t)
	sys := sandbox.New(gpRedis.Client(t), "companion:", time.Now)
	if err := sys.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.srv.Access.GP = sys
	if res, _ := amara.get(t, "/api/v1/patients/"+pid+"/appointments"); res.StatusCode != 200 {
		t.Fatalf("appointments with the GP system up: %d", res.StatusCode)
	}
	gpRedis.Stop()
	for range 3 {
		res, body := amara.get(t, "/api/v1/patients/"+pid+"/appointments")
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"gp_unavailable"`) || res.Header.Get("Retry-After") == "" {
			t.Fatalf("appointments with the GP system down: %d %s, Retry-After %q; want 503 gp_unavailable with Retry-After",
				res.StatusCode, body, res.Header.Get("Retry-After"))
		}
	}
	if line := e.safetyMetric(t, "gp_outage"); !strings.HasSuffix(line, " 3") {
		t.Errorf("every failed request counts: %s", line)
	}
	// The page says it is the GP system, in words.
	if res, body := amara.get(t, "/appointments?wasm=false"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Your GP system is not responding") {
		t.Errorf("appointments page with the GP system down: %d, want 503 saying the GP system is not responding", res.StatusCode)
	}

	events, err := e.srv.Safety.List(context.Background(), "Z00002", 10)
	if err != nil {
		t.Fatal(err)
	}
	// Once per five-minute window: a test run that crosses a window's end
	// lists it once in each.
	straddles := len(events) == 2 && !events[0].At.Truncate(5*time.Minute).Equal(events[1].At.Truncate(5*time.Minute))
	if (len(events) != 1 && !straddles) || events[0].Kind != safety.GPOutage {
		t.Errorf("the outage is listed once, for every practice: %+v", events)
	}
}
