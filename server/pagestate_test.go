package server_test

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/api"
)

var stateScript = regexp.MustCompile(`(?s)<script type="application/json" id="companion-state">(.*?)</script>`)

// canonical is a page state as JSON values, without what differs between
// two renders of the same page: the idle deadline (it moves with every
// request) and the idempotency key a form is given when it is shown.
func canonical(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("state: %v: %.200s", err, raw)
	}
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "idle_deadline")
			delete(v, "idempotency_key")
			for _, c := range v {
				strip(c)
			}
		case []any:
			for _, c := range v {
				strip(c)
			}
		}
	}
	strip(v)
	return v
}

func (b *browser) api() *api.Client { return api.NewHTTPClient(b.env.url, b.client) }

// TestPageStatesAreThePages: /api/v1/pages answers, for every page the app
// draws, the very state the server's page was drawn from, with the page's
// status, for the person signed in (their own pages, a carer's, refusals
// and not-found pages), in both languages; and nothing but the app's pages.
func TestPageStatesAreThePages(t *testing.T) {
	e := mustStartServer(t)
	amara, tom := e.signIn(t, "9990000018"), e.signIn(t, "9990000050")
	ctx := context.Background()
	var diary api.Diary
	slots := slotsOf(t, amara, amara.pid(t), "gp")
	amara.call(t, "POST", "/api/v1/patients/"+amara.pid(t)+"/appointments", api.BookRequest{SlotID: slots[5].ID}, nil, "Idempotency-Key", "ps1")
	amara.call(t, "GET", "/api/v1/patients/"+amara.pid(t)+"/appointments", nil, &diary)
	if len(diary.Upcoming) == 0 {
		t.Fatal("Amara has no appointments")
	}
	var msg api.SentMessage
	sam := e.signInStaff(t, "staff-site-z00001")
	if st, code := sam.call(t, "POST", outboxPath("Z00001"), api.NewMessage{NHSNumber: "9990000018", Subject: "Flu", Body: "Book your **flu** jab.",
		Reply: &api.ReplyRequest{Keywords: []string{"Yes", "No"}}}, &msg); st != 201 {
		t.Fatalf("send: %d %s", st, code)
	}
	paths := []string{"/", "/appointments", "/messages", "/messages/" + msg.ID, "/messages/no-such", "/appointments/" + diary.Upcoming[0].ID, "/appointments/" + diary.Upcoming[0].ID + "/cancel",
		"/appointments/no-such", "/appointments/book", "/appointments/book?type=gp", "/prescriptions", "/prescriptions/order",
		"/prescriptions/pharmacy", "/record", "/record/medicines", "/record/no-such", "/profiles", "/activity", "/contact", "/settings", "/help"}
	for _, who := range []struct {
		name string
		b    *browser
	}{{"Amara", amara}, {"Tom", tom}} {
		for _, lang := range []string{"en-GB", "cy"} {
			for _, p := range paths {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				res, body := who.b.get(t, p+sep+"lang="+lang)
				m := stateScript.FindStringSubmatch(body)
				if m == nil {
					t.Errorf("%s %s: the page has no state (%d)", who.name, p, res.StatusCode)
					continue
				}
				ans, err := who.b.api().Page(ctx, "GET", p, nil, "")
				if err != nil || ans.State == nil {
					t.Errorf("%s %s: %v %+v", who.name, p, err, ans)
					continue
				}
				if res.StatusCode >= 400 && ans.State.Status != res.StatusCode && !strings.HasPrefix(p, "/appointments/book") {
					t.Errorf("%s %s: the page answers %d, its state says %d", who.name, p, res.StatusCode, ans.State.Status)
				}
				got, _ := json.Marshal(ans.State)
				if !reflect.DeepEqual(canonical(t, got), canonical(t, []byte(m[1]))) {
					t.Errorf("%s %s in %s:\nstate %s\npage  %s", who.name, p, lang, got, m[1])
				}
			}
		}
	}

	// Signed out: where the page would send the browser, to sign in and back.
	out := e.newBrowser(t)
	ans, err := out.api().Page(ctx, "GET", "/appointments?x=1", nil, "")
	if err != nil || ans.State != nil || ans.Redirect != "/auth/login?return="+url.QueryEscape("/appointments?x=1") {
		t.Errorf("signed out: %v %+v", err, ans)
	}
	// Only the app's pages: not the API, staff pages, files or sign-in.
	for _, p := range []string{"/api/v1/me", "/admin", "/auth/login", "/appointments/" + diary.Upcoming[0].ID + "/calendar.ics", "/record/documents/x/file", "/metrics", "/nope"} {
		_, err := amara.api().Page(ctx, "GET", p, nil, "")
		if se, ok := err.(*api.StatusError); !ok || se.Status != 404 || se.Body.Code != "not_found" {
			t.Errorf("%s through /api/v1/pages: %v", p, err)
		}
	}
}

// TestFormThroughPagesBooksOnce: a booking form sent through /api/v1/pages
// (as the app sends it) books and answers the confirmation's address; the
// same submission again (a retry after the network dropped) answers the
// same and books nothing more; an Idempotency-Key that disagrees with the
// form's is refused, and a form's refusal comes back as its page's state.
func TestFormThroughPagesBooksOnce(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	ctx := context.Background()
	_, body := amara.get(t, "/appointments/book?type=gp")
	day := nthRadio(t, body, "day", 1)
	_, body = amara.get(t, "/appointments/book?type=gp&day="+day)
	slot := nthRadio(t, body, "slot", 0)
	_, body = amara.get(t, "/appointments/book?type=gp&day="+day+"&slot="+url.QueryEscape(slot))
	form := url.Values{"slot": {slot}, "type": {"gp"}, "day": {day}, "reason": {"Ear ache"}, "hold_id": {hiddenValue(t, body, "hold_id")}}
	key := hiddenValue(t, body, "idempotency_key")
	count := func() int {
		var d api.Diary
		amara.call(t, "GET", "/api/v1/patients/"+amara.pid(t)+"/appointments", nil, &d)
		return len(d.Upcoming)
	}
	before := count()

	first, err := amara.api().Page(ctx, "POST", "/appointments/book", form, key)
	if err != nil || !regexp.MustCompile(`^/appointments/[^/?]+\?booked=1$`).MatchString(first.Redirect) {
		t.Fatalf("booking through the pages API: %v %+v", err, first)
	}
	again, err := amara.api().Page(ctx, "POST", "/appointments/book", form, key)
	if err != nil || again.Redirect != first.Redirect {
		t.Errorf("the retried booking: %v %+v, want %s", err, again, first.Redirect)
	}
	if n := count(); n != before+1 {
		t.Errorf("%d appointments after booking twice with one key, want %d", n, before+1)
	}
	keyed := url.Values{}
	for k, v := range form {
		keyed[k] = v
	}
	keyed.Set("idempotency_key", key)
	if _, err := amara.api().Page(ctx, "POST", "/appointments/book", keyed, "another"); err == nil || err.(*api.StatusError).Body.Code != "bad_request" {
		t.Errorf("a key that disagrees with the form's: %v", err)
	}
	// A refusal is the page again, with the error beside its field.
	form.Set("reason", strings.Repeat("x", 5000))
	ans, err := amara.api().Page(ctx, "POST", "/appointments/book", form, "k2")
	if err != nil || ans.State == nil || ans.State.Booking == nil || len(ans.State.Booking.Errors) == 0 || ans.State.Booking.Errors[0].Code != "reason_too_long" {
		t.Errorf("a too-long reason: %v %+v", err, ans.State)
	}
	if n := count(); n != before+1 {
		t.Errorf("a refused booking changed the diary: %d", n)
	}
}

// TestNoWebAssemblyIsRemembered: a person who asks for pages without
// WebAssembly (?wasm=false) gets the pages they move on to without it too,
// until they ask for it again (?wasm=true).
func TestNoWebAssemblyIsRemembered(t *testing.T) {
	e := mustStartServer(t)
	b := e.newBrowser(t)
	for _, step := range []struct {
		path string
		wasm bool
	}{{"/help", true}, {"/help?wasm=false", false}, {"/accessibility", false}, {"/?lang=cy", false}, {"/help?wasm=true", true}, {"/accessibility", true}} {
		_, body := b.get(t, step.path)
		if got := strings.Contains(body, `id="companion-state"`); got != step.wasm {
			t.Errorf("%s: WebAssembly %v, want %v", step.path, got, step.wasm)
		}
	}
}
