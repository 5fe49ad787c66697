package server_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/api"
)

func outboxPath(ods string) string   { return "/api/v1/admin/practices/" + ods + "/messages" }
func messagesPath(pid string) string { return "/api/v1/patients/" + pid + "/messages" }

// linkedID is the patient ID of the person b may act for, by given name.
func linkedID(t *testing.T, b *browser, given string) string {
	t.Helper()
	_, me := b.me(t)
	for _, p := range me.LinkedProfiles {
		if p.GivenName == given {
			return p.PatientID
		}
	}
	t.Fatalf("no linked profile %s in %+v", given, me.LinkedProfiles)
	return ""
}

func TestPracticeMessageReadAndReply(t *testing.T) {
	e := mustStartServer(t)
	sam := e.signInStaff(t, "staff-site-z00001")
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)

	// Refused sends change nothing and name the field.
	for code, in := range map[string]api.NewMessage{
		"bad_nhs_number":         {NHSNumber: "9990000019", Subject: "x", Body: "x"},
		"patient_not_registered": {NHSNumber: "9990000050", Subject: "x", Body: "x"}, // Rhys, at Z00002
		"subject_required":       {NHSNumber: "9990000018", Subject: " ", Body: "x"},
		"body_required":          {NHSNumber: "9990000018", Subject: "x", Body: strings.Repeat("a", 5001)},
		"bad_keywords":           {NHSNumber: "9990000018", Subject: "x", Body: "x", Reply: &api.ReplyRequest{Keywords: []string{"a", "b", "c", "d", "e", "f"}}},
	} {
		if st, got := sam.call(t, "POST", outboxPath("Z00001"), in, nil); got != code || (st != 400 && st != 422) {
			t.Errorf("send %+v: %d %s, want %s", in, st, got, code)
		}
	}
	var list api.MessageList
	if st, _ := amara.call(t, "GET", messagesPath(pid), nil, &list); st != 200 || len(list.Messages) != 0 {
		t.Fatalf("before: %d %+v", st, list)
	}

	// Staff of another practice, and a patient, cannot send.
	ceri := e.signInStaff(t, "staff-site-z00002")
	ok := api.NewMessage{NHSNumber: "9990000018", Subject: "Your blood test", Body: "Please **book** a review.\n\n- Bring your letter\n- [About the test](https://www.nhs.uk/tests)",
		Reply: &api.ReplyRequest{Keywords: []string{"I will book", "Call me"}}}
	if st, code := ceri.call(t, "POST", outboxPath("Z00001"), ok, nil); st != 403 || code != "forbidden" {
		t.Errorf("another practice's staff: %d %s", st, code)
	}
	if st, _ := amara.call(t, "POST", outboxPath("Z00001"), ok, nil); st != 401 {
		t.Errorf("a patient sending: %d", st)
	}

	var sent, again api.SentMessage
	if st, code := sam.call(t, "POST", outboxPath("Z00001"), ok, &sent, "Idempotency-Key", "m1"); st != 201 || sent.ID == "" || sent.Patient != "Amara Okafor" || sent.Read != 0 {
		t.Fatalf("send: %d %s %+v", st, code, sent)
	}
	// A retry with the same key sends nothing more (the outbox below holds one).
	if st, _ := sam.call(t, "POST", outboxPath("Z00001"), ok, &again, "Idempotency-Key", "m1"); st != 201 || again.ID != sent.ID {
		t.Errorf("retried send: %d %s, want %s", st, again.ID, sent.ID)
	}
	if !e.auditHas(t, "message_send", "") {
		t.Error("send not audited")
	}

	// The header counts it, the list shows it unread.
	_, home := amara.get(t, "/")
	if !strings.Contains(home, `id="unread-count"`) || !strings.Contains(home, "1 unread message") {
		t.Errorf("home page header has no unread count")
	}
	if st, _ := amara.call(t, "GET", messagesPath(pid), nil, &list); st != 200 || list.Unread != 1 || len(list.Messages) != 1 || list.Messages[0].Read {
		t.Fatalf("list: %+v", list)
	}

	// Opening it is the read receipt the practice sees.
	res, body := amara.get(t, "/messages/"+sent.ID)
	if res.StatusCode != 200 || !strings.Contains(body, "<strong>book</strong>") || !strings.Contains(body, `href="https://www.nhs.uk/tests"`) ||
		!strings.Contains(body, `value="I will book"`) {
		t.Fatalf("message page: %d\n%s", res.StatusCode, body)
	}
	var box api.Outbox
	if st, _ := sam.call(t, "GET", outboxPath("Z00001"), nil, &box); st != 200 || len(box.Items) != 1 || box.Items[0].Read == 0 || box.Items[0].ReadByProxy {
		t.Fatalf("receipt: %+v", box)
	}
	if _, home = amara.get(t, "/"); strings.Contains(home, `id="unread-count"`) {
		t.Error("still counted unread after opening")
	}

	// A reply not offered changes nothing; the one reply reaches the practice.
	if res, body := amara.post(t, "/messages/"+sent.ID+"/reply", url.Values{"reply": {"Maybe"}}); res.StatusCode != 422 || !strings.Contains(body, "Choose one of the replies offered") {
		t.Errorf("reply not offered: %d", res.StatusCode)
	}
	res, body = amara.post(t, "/messages/"+sent.ID+"/reply", url.Values{"reply": {"Call me"}})
	if res.StatusCode != 200 || res.Request.URL.Query().Get("replied") != "1" || !strings.Contains(body, `id="reply-sent"`) {
		t.Fatalf("reply: %d %s", res.StatusCode, res.Request.URL)
	}
	if st, code := amara.call(t, "POST", messagesPath(pid)+"/"+sent.ID+"/reply", api.MessageReply{Reply: "I will book"}, nil); st != 409 || code != "already_replied" {
		t.Errorf("second reply: %d %s", st, code)
	}
	if st, _ := sam.call(t, "GET", outboxPath("Z00001"), nil, &box); st != 200 || box.Items[0].Reply != "Call me" || box.Items[0].Replied == 0 {
		t.Fatalf("practice sees no reply: %+v", box.Items[0])
	}
	if !e.auditHas(t, "message_read", "") || !e.auditHas(t, "message_reply", "") || !e.auditHas(t, "message_reply", "already_replied") {
		t.Error("read and replies not audited")
	}
	_, page := sam.get(t, "/admin/messages?practice=Z00001")
	if !strings.Contains(page, "Call me") || !strings.Contains(page, "Amara Okafor") {
		t.Error("staff page lacks the reply")
	}

	// The page's form: the check names the patient from the GP record and
	// sends nothing; its Send, pressed twice, sends once.
	form := url.Values{"practice": {"Z00001"}, "nhs_number": {"9990000018"}, "subject": {"Flu clinic"}, "body": {"Book now."}, "reply": {"none"}}
	res, body = sam.post(t, "/admin/messages", form)
	// (go-app writes an element's attributes in no fixed order.)
	input := regexp.MustCompile(`<input[^>]*"idempotency_key"[^>]*>`).FindString(body)
	key := regexp.MustCompile(`value="([^"]+)"`).FindStringSubmatch(input)
	if res.StatusCode != 200 || !strings.Contains(body, `id="check"`) || !strings.Contains(body, "Amara Okafor") || key == nil {
		t.Fatalf("check: %d %q", res.StatusCode, input)
	}
	if sam.call(t, "GET", outboxPath("Z00001"), nil, &box); len(box.Items) != 1 {
		t.Fatalf("the check sent something: %d messages", len(box.Items))
	}
	form.Set("confirmed", "yes")
	form.Set("idempotency_key", key[1])
	for range 2 {
		if res, _ := sam.post(t, "/admin/messages", form); res.StatusCode != 200 || res.Request.URL.Query().Get("sent") == "" {
			t.Fatalf("send from the page: %d %s", res.StatusCode, res.Request.URL)
		}
	}
	if sam.call(t, "GET", outboxPath("Z00001"), nil, &box); len(box.Items) != 2 {
		t.Errorf("Send pressed twice: %d messages, want 2", len(box.Items))
	}
}

func TestMessagesFollowTheRelationshipAndRole(t *testing.T) {
	e := mustStartServer(t)
	sam := e.signInStaff(t, "staff-site-z00001")
	for _, to := range []string{"9990000042", "9990000026"} { // George, Layla
		if st, code := sam.call(t, "POST", outboxPath("Z00001"), api.NewMessage{NHSNumber: to, Subject: "Hello", Body: "Hello", Reply: &api.ReplyRequest{}}, nil); st != 201 {
			t.Fatalf("send to %s: %d %s", to, st, code)
		}
	}
	// Priya's relationship with George grants messages; she reads and
	// replies for him, and the practice sees it was a proxy.
	priya := e.signIn(t, "9990000034")
	george := linkedID(t, priya, "George")
	var list api.MessageList
	if st, code := priya.call(t, "GET", messagesPath(george), nil, &list); st != 200 || len(list.Messages) != 1 {
		t.Fatalf("Priya for George: %d %s %+v", st, code, list)
	}
	id := list.Messages[0].ID
	var m api.Message
	if st, _ := priya.call(t, "GET", messagesPath(george)+"/"+id, nil, &m); st != 200 || !m.Read || m.Subject != "Hello" {
		t.Fatalf("open: %d %+v", st, m)
	}
	if st, code := priya.call(t, "POST", messagesPath(george)+"/"+id+"/reply", api.MessageReply{Reply: "He is well"}, nil); st != 201 {
		t.Fatalf("reply for George: %d %s", st, code)
	}
	var box api.Outbox
	sam.call(t, "GET", outboxPath("Z00001"), nil, &box)
	for _, it := range box.Items {
		if it.Patient == "George Whitfield" && (!it.ReadByProxy || !it.RepliedByProxy) {
			t.Errorf("the practice is not told a proxy read and replied: %+v", it)
		}
	}
	// Priya's own messages are hers; George's ID with another message's
	// ID, or hers with his, finds nothing.
	if st, code := priya.call(t, "GET", messagesPath(priya.pid(t))+"/"+id, nil, nil); st != 404 || code != "message_not_found" {
		t.Errorf("George's message through Priya's own ID: %d %s", st, code)
	}
	// Amara's relationship with Layla does not grant messages.
	amara := e.signIn(t, "9990000018")
	if st, code := amara.call(t, "GET", messagesPath(linkedID(t, amara, "Layla")), nil, nil); st != 403 || code != "forbidden" {
		t.Errorf("Amara for Layla: %d %s", st, code)
	}
	// Tom proved his identity to P5 only; Rhys's practice has messages off.
	tom := e.signIn(t, "9990000069")
	if st, code := tom.call(t, "GET", messagesPath(tom.pid(t)), nil, nil); st != 403 || code != "proofing_level" {
		t.Errorf("Tom (P5): %d %s", st, code)
	}
	rhys := e.signIn(t, "9990000050")
	if st, code := rhys.call(t, "GET", messagesPath(rhys.pid(t)), nil, nil); st != 404 || code != "feature_disabled" {
		t.Errorf("Rhys (messages off): %d %s", st, code)
	}
	if _, home := rhys.get(t, "/"); strings.Contains(home, `href="/messages"`) {
		t.Error("the header offers messages where the feature is off")
	}

	// Jo writes to patients but runs no inbox and switches no flags.
	jo := e.signInStaff(t, "staff-msg-z00001")
	if st, code := jo.call(t, "POST", outboxPath("Z00001"), api.NewMessage{NHSNumber: "9990000018", Subject: "Hi", Body: "Hi"}, nil); st != 201 {
		t.Errorf("Jo sending: %d %s", st, code)
	}
	if st, code := jo.call(t, "GET", "/api/v1/admin/inbox?practice=Z00001", nil, nil); st != 403 || code != "forbidden" {
		t.Errorf("Jo's inbox: %d %s", st, code)
	}
	if st, _ := jo.put(t, "/api/v1/admin/flags/messages", `{"practice":"Z00001","enabled":false,"reason":"test"}`); st != 403 {
		t.Errorf("Jo switching a flag: %d", st)
	}
}
