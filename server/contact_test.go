package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/consult"
)

// alwaysOpen keeps the practices open whenever the tests run.
var alwaysOpen = []string{"CONTACT_HOURS", "Mon-Sun 00:00-24:00", "CONTACT_BANK_HOLIDAYS_OPEN", "true"}

func contactPath(pid string) string { return "/api/v1/patients/" + pid + "/contact-requests" }

func contactsOf(t testing.TB, b *browser, pid string) api.ContactList {
	t.Helper()
	var out api.ContactList
	if st, code := b.call(t, "GET", contactPath(pid), nil, &out); st != 200 {
		t.Fatalf("contact requests: %d %s", st, code)
	}
	return out
}

func adminRequest(text string) api.ContactSubmit {
	return api.ContactSubmit{Kind: "admin", Topic: "fit_note", Text: text}
}

func TestContactRequestReplyRoundTrip(t *testing.T) {
	e := mustStartServer(t, alwaysOpen...)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)

	var sent, again api.ContactRequest
	if st, code := amara.call(t, "POST", contactPath(pid), adminRequest("I need a fit note for work"), &sent, "Idempotency-Key", "c1"); st != 201 {
		t.Fatalf("send: %d %s", st, code)
	}
	if sent.Status != "received" || sent.ReplyBy <= time.Now().UnixMilli() || len(sent.Answers) != 1 {
		t.Errorf("sent: %+v", sent)
	}
	if st, _ := amara.call(t, "POST", contactPath(pid), adminRequest("I need a fit note for work"), &again, "Idempotency-Key", "c1"); st != 201 || again.ID != sent.ID {
		t.Errorf("retry: %d %s, want %s", st, again.ID, sent.ID)
	}
	if list := contactsOf(t, amara, pid); len(list.Requests) != 1 || list.Requests[0].ID != sent.ID {
		t.Fatalf("Amara's requests: %+v", list.Requests)
	}

	// The practice's staff see it with who it is from, and reply.
	sam := e.signInStaff(t, "staff-site-z00001")
	var box api.Inbox
	if st, code := sam.call(t, "GET", "/api/v1/admin/inbox", nil, &box); st != 200 || len(box.Items) != 1 || box.Items[0].Patient != "Amara Okafor" {
		t.Fatalf("inbox: %d %s %+v", st, code, box)
	}
	// Staff of another practice cannot reach it.
	ceri := e.signInStaff(t, "staff-site-z00002")
	if res, _ := ceri.post(t, "/admin/inbox/"+sent.ID+"/respond", url.Values{"practice": {"Z00001"}, "reply": {"Hello"}}); res.StatusCode != 403 {
		t.Errorf("another practice's staff replying: %d", res.StatusCode)
	}
	if res, _ := ceri.post(t, "/admin/inbox/"+sent.ID+"/respond", url.Values{"practice": {"Z00002"}, "reply": {"Hello"}}); res.StatusCode != 404 {
		t.Errorf("replying through the wrong inbox: %d", res.StatusCode)
	}
	if res, body := sam.post(t, "/admin/inbox/"+sent.ID+"/respond", url.Values{"practice": {"Z00001"}, "reply": {"  "}}); res.StatusCode != 400 || !strings.Contains(body, "Enter a reply") {
		t.Errorf("empty reply: %d", res.StatusCode)
	}
	res, _ := sam.post(t, "/admin/inbox/"+sent.ID+"/respond", url.Values{"practice": {"Z00001"}, "reply": {"Your fit note is ready to collect."}})
	if res.StatusCode != 200 || res.Request.URL.Path != "/admin/inbox" {
		t.Fatalf("reply: %d %s", res.StatusCode, res.Request.URL)
	}
	if res, _ := sam.post(t, "/admin/inbox/"+sent.ID+"/respond", url.Values{"practice": {"Z00001"}, "reply": {"Again"}}); res.StatusCode != 409 {
		t.Errorf("second reply: %d", res.StatusCode)
	}
	// The patient sees the reply on their home page.
	list := contactsOf(t, amara, pid)
	if list.Requests[0].Status != "responded" || list.Requests[0].Reply != "Your fit note is ready to collect." {
		t.Errorf("after the reply: %+v", list.Requests[0])
	}
	if _, body := amara.get(t, "/"); !strings.Contains(body, "Your fit note is ready to collect.") {
		t.Error("the reply is not on the home page")
	}
	if !e.auditHas(t, "contact_practice", "admin") || !e.auditHas(t, "contact_respond", "") {
		t.Error("sending and replying are not audited")
	}
}

func TestEmergencyAnswersStopTheRequest(t *testing.T) {
	e := mustStartServer(t, alwaysOpen...)
	amara := e.signIn(t, "9990000018")
	layla := e.srv.Access.IDs.For("9990000026")
	for _, who := range []struct {
		pid   string
		child bool
	}{{amara.pid(t), false}, {layla, true}} {
		questions := consult.Screening.For(who.child)
		for _, q := range questions {
			answers := map[string]string{}
			for _, o := range questions {
				answers[o.ID] = "no"
			}
			answers[q.ID] = "yes"
			req := api.ContactSubmit{Kind: "medical", Screening: answers, Duration: "days", Trend: "worse", Text: "I feel unwell"}
			var e api.Error
			st, code := amara.call(t, "POST", contactPath(who.pid), req, &e)
			if st != 422 || code != "urgent" {
				t.Errorf("%s (child %v) answered yes: %d %s", q.ID, who.child, st, code)
			}
		}
		// Unanswered questions are not taken as "no".
		if st, code := amara.call(t, "POST", contactPath(who.pid), api.ContactSubmit{Kind: "medical", Duration: "days", Trend: "same", Text: "x"}, nil); st != 400 || code != "screening_required" {
			t.Errorf("unscreened: %d %s", st, code)
		}
		if n := len(contactsOf(t, amara, who.pid).Requests); n != 0 {
			t.Errorf("%d requests were sent despite the answers", n)
		}
	}
	if !e.auditHas(t, "contact_red_flag", "contact.error.urgent999") {
		t.Error("stopped requests are not audited")
	}
	// Through the pages: the urgent advice, and nothing sent.
	amara.post(t, "/contact", url.Values{"step": {"start"}, "kind": {"medical"}})
	form := url.Values{"step": {"screen"}}
	for _, q := range consult.Screening.For(false) {
		form.Set("q-"+q.ID, "no")
	}
	form.Set("q-"+consult.Screening.For(false)[0].ID, "yes")
	res, body := amara.post(t, "/contact", form)
	if res.StatusCode != 200 || !strings.Contains(body, `id="urgent-advice"`) || !strings.Contains(body, "Call 999") {
		t.Errorf("urgent page: %d %s", res.StatusCode, textOf(parse(t, body)))
	}
}

func TestContactClosedOutsideHours(t *testing.T) {
	// Open only on the day after tomorrow, so it is closed now whatever the
	// time, and says when it opens.
	day := time.Now().In(london(t)).AddDate(0, 0, 2).Weekday().String()[:3]
	e := mustStartServer(t, "CONTACT_HOURS", day+" 10:00-11:00")
	amara := e.signIn(t, "9990000018")
	list := contactsOf(t, amara, amara.pid(t))
	if list.Availability.Open || list.Availability.Reopens == 0 {
		t.Fatalf("availability: %+v", list.Availability)
	}
	if opens := time.UnixMilli(list.Availability.Reopens).In(london(t)); opens.Weekday().String()[:3] != day || opens.Hour() != 10 {
		t.Errorf("reopens %s, want %s 10:00", opens, day)
	}
	if st, code := amara.call(t, "POST", contactPath(amara.pid(t)), adminRequest("Letter please"), nil); st != 409 || code != "closed" {
		t.Errorf("sending while closed: %d %s", st, code)
	}
	_, body := amara.get(t, "/contact")
	if !strings.Contains(body, `id="contact-closed"`) || !strings.Contains(body, "Call 999") {
		t.Errorf("closed page: %s", textOf(parse(t, body)))
	}
}

func TestPracticePausesRequests(t *testing.T) {
	e := mustStartServer(t, alwaysOpen...)
	amara := e.signIn(t, "9990000018")
	sam := e.signInStaff(t, "staff-site-z00001")
	for _, c := range []struct {
		form url.Values
		want int
	}{
		{url.Values{"practice": {"Z00001"}, "minutes": {"30"}, "reason": {" "}}, 400},
		{url.Values{"practice": {"Z00001"}, "minutes": {"600"}, "reason": {"Phones down"}}, 400},
		{url.Values{"practice": {"Z00002"}, "minutes": {"30"}, "reason": {"Not mine"}}, 403},
	} {
		if res, _ := sam.post(t, "/admin/contact/suspend", c.form); res.StatusCode != c.want {
			t.Errorf("suspend %v: %d, want %d", c.form, res.StatusCode, c.want)
		}
	}
	if list := contactsOf(t, amara, amara.pid(t)); !list.Availability.Open {
		t.Fatalf("refused pauses closed the practice: %+v", list.Availability)
	}
	sam.post(t, "/admin/contact/suspend", url.Values{"practice": {"Z00001"}, "minutes": {"30"}, "reason": {"Our clinical system is down"}})
	list := contactsOf(t, amara, amara.pid(t))
	if list.Availability.Open || list.Availability.Why != "suspended" || list.Availability.Suspended != "Our clinical system is down" {
		t.Fatalf("after pausing: %+v", list.Availability)
	}
	if st, code := amara.call(t, "POST", contactPath(amara.pid(t)), adminRequest("Letter please"), nil); st != 409 || code != "closed" {
		t.Errorf("sending while paused: %d %s", st, code)
	}
	if _, body := amara.get(t, "/contact"); !strings.Contains(body, "Our clinical system is down") {
		t.Error("the page does not say why")
	}
	sam.post(t, "/admin/contact/resume", url.Values{"practice": {"Z00001"}})
	if list := contactsOf(t, amara, amara.pid(t)); !list.Availability.Open {
		t.Errorf("after resuming: %+v", list.Availability)
	}
	if !e.auditHas(t, "contact_suspend", "Our clinical system is down") || !e.auditHas(t, "contact_resume", "") {
		t.Error("pausing is not audited")
	}
}

func TestDailyCapsAndPatientLimit(t *testing.T) {
	e := mustStartServer(t, alwaysOpen...)
	sam := e.signInStaff(t, "staff-site-z00001")
	settings := map[string]any{"hours": "Mon-Sun 00:00-24:00", "bank_holidays_open": true, "caps": map[string]int{"admin": 1, "medication": 10, "medical": 10}, "patient_daily": 2, "reason": "Pilot limits"}
	if st, code := sam.call(t, "PUT", "/api/v1/admin/practices/Z00001/contact", settings, nil); st != 204 {
		t.Fatalf("settings: %d %s", st, code)
	}
	if st, _ := sam.call(t, "PUT", "/api/v1/admin/practices/Z00002/contact", settings, nil); st != 403 {
		t.Errorf("another practice's settings: %d", st)
	}
	priya := e.signIn(t, "9990000034")
	if st, code := priya.call(t, "POST", contactPath(priya.pid(t)), adminRequest("A letter for my employer"), nil); st != 201 {
		t.Fatalf("first admin request: %d %s", st, code)
	}
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	if st, code := amara.call(t, "POST", contactPath(pid), adminRequest("A letter"), nil); st != 409 || code != "full" {
		t.Errorf("admin over the cap: %d %s", st, code)
	}
	// Admin is full; medication questions are still open.
	kinds := map[string]api.ContactKindState{}
	for _, k := range contactsOf(t, amara, pid).Availability.Kinds {
		kinds[k.Kind] = k
	}
	if kinds["admin"].Open || kinds["admin"].Why != "full" || !kinds["medication"].Open {
		t.Errorf("kinds: %+v", kinds)
	}
	med := api.ContactSubmit{Kind: "medication", Medicine: "Salbutamol", Text: "Can I use it before exercise?"}
	for i := 0; i < 2; i++ {
		if st, code := amara.call(t, "POST", contactPath(pid), med, nil); st != 201 {
			t.Fatalf("medication question %d: %d %s", i, st, code)
		}
	}
	if st, code := amara.call(t, "POST", contactPath(pid), med, nil); st != 409 || code != "patient_limit" {
		t.Errorf("third request of the day: %d %s", st, code)
	}
	// Acting for Layla is Layla's own limit.
	layla := e.srv.Access.IDs.For("9990000026")
	if st, code := amara.call(t, "POST", contactPath(layla), med, nil); st != 201 {
		t.Errorf("a request for Layla: %d %s", st, code)
	}
}

func TestBadContactInputChangesNothing(t *testing.T) {
	e := mustStartServer(t, alwaysOpen...)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	long := strings.Repeat("a", 2001)
	for _, c := range []struct {
		body any
		code string
	}{
		{api.ContactSubmit{Kind: "gossip", Text: "x"}, "kind_required"},
		{api.ContactSubmit{Kind: "admin", Topic: "holiday", Text: "x"}, "topic_required"},
		{api.ContactSubmit{Kind: "admin", Topic: "letter"}, "text_required"},
		{api.ContactSubmit{Kind: "admin", Topic: "letter", Text: long}, "text_too_long"},
		{api.ContactSubmit{Kind: "medication", Text: "x"}, "medicine_name_required"},
		{map[string]any{"kind": "admin", "topic": "letter", "text": "x", "nhs_number": "9990000018"}, "bad_request"},
	} {
		if st, code := amara.call(t, "POST", contactPath(pid), c.body, nil); st != 400 || code != c.code {
			raw, _ := json.Marshal(c.body)
			t.Errorf("%s: %d %s, want 400 %s", raw, st, code, c.code)
		}
	}
	if n := len(contactsOf(t, amara, pid).Requests); n != 0 {
		t.Errorf("bad requests were sent: %d", n)
	}
}

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// signInStaff signs a member of sandbox staff in with login_hint.
func (e *testEnv) signInStaff(t testing.TB, id string) *browser {
	t.Helper()
	b := e.newBrowser(t)
	res, body := b.get(t, "/staff/login?login_hint="+id)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("staff sign-in: %d %.200s", res.StatusCode, body)
	}
	return b
}

var _ = fmt.Sprint

func TestPracticeSetsHoursAndLimitsWithAForm(t *testing.T) {
	e := mustStartServer(t, alwaysOpen...)
	sam := e.signInStaff(t, "staff-site-z00001")
	form := url.Values{"practice": {"Z00001"}, "hours": {"Mon-Fri 08:00-18:30; Sat 09:00-12:00"}, "cap-medical": {"5"},
		"cap-medication": {"6"}, "cap-admin": {"0"}, "patient_daily": {"3"}, "reason": {"Saturday clinic"}}
	for _, c := range []struct {
		field, value, want string
	}{
		{"hours", "whenever", "Enter opening hours like"},
		{"cap-medical", "-1", "Enter a whole number"},
		{"reason", " ", "There is a problem"},
	} {
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set(c.field, c.value)
		if res, body := sam.post(t, "/admin/contact/settings", bad); res.StatusCode != 400 || !strings.Contains(body, c.want) {
			t.Errorf("%s=%q: %d", c.field, c.value, res.StatusCode)
		}
	}
	var box api.Inbox
	sam.call(t, "GET", "/api/v1/admin/inbox", nil, &box)
	if box.Settings.Hours != "Mon-Sun 00:00-24:00" || box.Settings.PatientDaily != 2 {
		t.Fatalf("refused changes changed the settings: %+v", box.Settings)
	}
	if res, _ := sam.post(t, "/admin/contact/settings", form); res.StatusCode != 200 || res.Request.URL.Path != "/admin/inbox" {
		t.Fatalf("save: %d %s", res.StatusCode, res.Request.URL)
	}
	sam.call(t, "GET", "/api/v1/admin/inbox", nil, &box)
	want := api.ContactSettings{Hours: "Mon-Fri 08:00-18:30; Sat 09:00-12:00", Caps: map[string]int{"medical": 5, "medication": 6, "admin": 0}, PatientDaily: 3}
	if got := box.Settings; got.Hours != want.Hours || got.PatientDaily != 3 || got.Caps["medical"] != 5 || got.Caps["medication"] != 6 || got.Caps["admin"] != 0 {
		t.Errorf("settings %+v, want %+v", got, want)
	}
	if !e.auditHas(t, "contact_settings", "Saturday clinic") {
		t.Error("the change is not audited")
	}
	if res, _ := sam.post(t, "/admin/contact/settings", url.Values{"practice": {"Z00002"}, "hours": {"Mon 08:00-09:00"}, "cap-medical": {"1"}, "cap-medication": {"1"}, "cap-admin": {"1"}, "patient_daily": {"1"}, "reason": {"x"}}); res.StatusCode != 403 {
		t.Errorf("another practice's settings: %d", res.StatusCode)
	}
}
