package server_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/notify"
)

// pushService is a local stand-in for a browser maker's push service: it
// keeps every request Companion sends and answers each with the next
// status queued (201 when none is).
type pushService struct {
	*httptest.Server
	mu       sync.Mutex
	got      []pushed
	statuses []int
}

type pushed struct {
	Endpoint string            `json:"endpoint"`
	Headers  map[string]string `json:"headers"`
	Body     string            `json:"body"`
}

func startPushService(t *testing.T) *pushService {
	ps := &pushService{}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h := map[string]string{}
		for k := range r.Header {
			h[k] = r.Header.Get(k)
		}
		ps.mu.Lock()
		ps.got = append(ps.got, pushed{Endpoint: ps.URL + r.URL.Path, Headers: h, Body: base64.StdEncoding.EncodeToString(b)})
		status := http.StatusCreated
		if len(ps.statuses) > 0 {
			status, ps.statuses = ps.statuses[0], ps.statuses[1:]
		}
		ps.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(ps.Close)
	return ps
}

func (ps *pushService) requests() []pushed {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]pushed(nil), ps.got...)
}

func (ps *pushService) answer(statuses ...int) {
	ps.mu.Lock()
	ps.statuses = append(ps.statuses, statuses...)
	ps.mu.Unlock()
}

// device is a browser's side of a push subscription: its own key pair and
// auth secret, as PushManager.subscribe makes them.
type device struct {
	key  *ecdh.PrivateKey
	auth []byte
	sub  notify.Subscription
}

func newDevice(t *testing.T, endpoint string) *device {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d := &device{key: k, auth: make([]byte, 16)}
	rand.Read(d.auth)
	d.sub.Endpoint = endpoint
	d.sub.Keys.P256dh = base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes())
	d.sub.Keys.Auth = base64.RawURLEncoding.EncodeToString(d.auth)
	return d
}

// read decrypts and verifies one request with an implementation Companion
// did not write (notify/pushcheck: http_ece and Node's crypto).
func (d *device) read(t *testing.T, p pushed) (notify.Payload, map[string]any, string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join("notify", "pushcheck", "node_modules", "http_ece")); err != nil {
		t.Fatal("http_ece is not installed: run `make test` (or npm ci in server/notify/pushcheck)")
	}
	in, _ := json.Marshal(map[string]any{"endpoint": p.Endpoint, "headers": p.Headers, "body": p.Body,
		"private_key": base64.RawURLEncoding.EncodeToString(d.key.Bytes()), "auth": d.sub.Keys.Auth})
	cmd := exec.Command("node", filepath.Join("notify", "pushcheck", "check.mjs"))
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("pushcheck: %v: %s", err, msg)
	}
	var got struct {
		Payload notify.Payload `json:"payload"`
		Claims  map[string]any `json:"claims"`
		Key     string         `json:"key"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	return got.Payload, got.Claims, got.Key
}

// clock is the notifications' fake clock.
type clock struct{ ms atomic.Int64 }

func (c *clock) now() time.Time      { return time.UnixMilli(c.ms.Load()) }
func (c *clock) set(t time.Time)     { c.ms.Store(t.UnixMilli()) }
func (c *clock) add(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// ukToday is today at hh:mm UK time.
func ukToday(hh, mm int) time.Time {
	n := time.Now().In(gp.UK)
	return time.Date(n.Year(), n.Month(), n.Day(), hh, mm, 0, 0, gp.UK)
}

// notifyEnv is Companion with the worker off (the test works the queue on
// a fake clock), and a local push service.
func notifyEnv(t *testing.T, at time.Time) (*testEnv, *pushService, *clock) {
	e := mustStartServer(t, "NOTIFY_TICK", "0")
	c := &clock{}
	c.set(at)
	e.srv.Notify.Now = c.now
	return e, startPushService(t), c
}

// drain works the queue until nothing more is due.
func drain(t *testing.T, n *notify.Service) {
	t.Helper()
	for range 10 {
		got, err := n.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got == 0 {
			return
		}
	}
	t.Fatal("the queue never emptied")
}

func (b *browser) subscribe(t *testing.T, d *device) api.NotifySettings {
	t.Helper()
	var out api.NotifySettings
	if st, code := b.call(t, "POST", "/api/v1/push/subscriptions", d.sub, &out); st != 201 {
		t.Fatalf("subscribe: %d %s", st, code)
	}
	return out
}

func sendMessage(t *testing.T, staff *browser, nhs string) api.SentMessage {
	t.Helper()
	var sent api.SentMessage
	in := api.NewMessage{NHSNumber: nhs, Subject: "Your blood test results", Body: "Please book a review."}
	if st, code := staff.call(t, "POST", outboxPath("Z00001"), in, &sent); st != 201 {
		t.Fatalf("send: %d %s", st, code)
	}
	return sent
}

func TestPushIsEncryptedAndSignedAsTheRFCsSay(t *testing.T) {
	e, ps, _ := notifyEnv(t, ukToday(10, 0))
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	dev := newDevice(t, ps.URL+"/push/amara-phone")

	// Subscriptions Companion must not post to are refused, and change nothing.
	evil := *dev
	evil.sub.Endpoint = "https://push.example.org/x"
	badKey := *dev
	badKey.sub.Keys.P256dh = "AAAA"
	for code, d := range map[string]*device{"push_service_not_allowed": &evil, "bad_subscription": &badKey} {
		if st, got := amara.call(t, "POST", "/api/v1/push/subscriptions", d.sub, nil); st != 400 || got != code {
			t.Errorf("subscribe %s: %d %s", code, st, got)
		}
	}
	if st, _ := e.newBrowser(t).call(t, "POST", "/api/v1/push/subscriptions", dev.sub, nil); st != 401 {
		t.Errorf("subscribing signed out: %d", st)
	}
	if got := amara.subscribe(t, dev); got.Devices != 1 {
		t.Fatalf("devices after subscribing: %+v", got)
	}

	sam := e.signInStaff(t, "staff-site-z00001")
	sent := sendMessage(t, sam, "9990000018")
	if n := len(ps.requests()); n != 0 {
		t.Fatalf("%d pushes sent from the request's path", n)
	}
	drain(t, e.srv.Notify)
	reqs := ps.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d pushes, want 1", len(reqs))
	}
	pl, claims, k := dev.read(t, reqs[0])
	var key api.PushKey
	if st, _ := e.newBrowser(t).call(t, "GET", "/api/v1/push/key", nil, &key); st != 200 || key.Key != k {
		t.Errorf("push signed with %s, key published %d %s", k, st, key.Key)
	}
	want := notify.Payload{Title: "Companion", Body: "You have a new message from your GP practice",
		URL: "/notifications/" + pid + "/message/" + sent.ID, Tag: "message"}
	if pl != want {
		t.Errorf("payload %+v, want %+v", pl, want)
	}
	if claims["aud"] != ps.URL || !strings.HasPrefix(claims["sub"].(string), "mailto:") {
		t.Errorf("VAPID claims %v", claims)
	}
	h := reqs[0].Headers
	if h["Ttl"] == "" || h["Topic"] != "message" || h["Urgency"] != "normal" {
		t.Errorf("headers %v", h)
	}

	// The notification opens the message (marked read on the home page).
	var list []api.NotifyEntry
	if st, _ := amara.call(t, "GET", "/api/v1/patients/"+pid+"/entries", nil, &list); st != 200 || len(list) != 1 || list[0].Open != pl.URL {
		t.Fatalf("entries: %d %+v", st, list)
	}
	res, _ := amara.get(t, pl.URL)
	if res.StatusCode != 200 || res.Request.URL.Path != "/messages/"+sent.ID {
		t.Errorf("opening the notification ended at %s (%d)", res.Request.URL, res.StatusCode)
	}
	if st, _ := amara.call(t, "GET", "/api/v1/patients/"+pid+"/entries", nil, &list); st != 200 || len(list) != 0 {
		t.Errorf("entries after opening: %+v", list)
	}
}

func TestPushesFollowTheRelationshipAndChoices(t *testing.T) {
	e, ps, _ := notifyEnv(t, ukToday(10, 0))
	priya := e.signIn(t, "9990000034") // carer of George, with messages
	amara := e.signIn(t, "9990000018") // parent of Layla, without messages
	pd, ad := newDevice(t, ps.URL+"/push/priya"), newDevice(t, ps.URL+"/push/amara")
	priya.subscribe(t, pd)
	amara.subscribe(t, ad)
	sam := e.signInStaff(t, "staff-site-z00001")

	sendMessage(t, sam, "9990000042") // George
	sendMessage(t, sam, "9990000026") // Layla
	drain(t, e.srv.Notify)
	reqs := ps.requests()
	if len(reqs) != 1 || !strings.HasSuffix(reqs[0].Endpoint, "/push/priya") {
		t.Fatalf("pushes %+v, want Priya's only", reqs)
	}
	if pl, _, _ := pd.read(t, reqs[0]); pl.Body != "There is a new message from the GP practice of someone you care for" ||
		!strings.Contains(pl.URL, "/"+linkedID(t, priya, "George")+"/") {
		t.Errorf("Priya's push %+v", pl)
	}

	// Turned off, a kind is not pushed; Welsh speakers read Welsh.
	var st api.NotifySettings
	if code, _ := priya.call(t, "PUT", "/api/v1/notify/settings", map[string]any{"kinds": []string{"message", "nonsense"}}, nil); code != 400 {
		t.Errorf("an unknown kind: %d", code)
	}
	if code, _ := amara.call(t, "PUT", "/api/v1/notify/settings", map[string]any{"kinds": []string{"prescription_ready"}}, &st); code != 200 || st.Kinds[4].On {
		t.Fatalf("settings %d %+v", code, st)
	}
	sendMessage(t, sam, "9990000018")
	if res, _ := priya.get(t, "/settings?lang=cy"); res.StatusCode != 200 {
		t.Fatalf("Welsh: %d", res.StatusCode)
	}
	sendMessage(t, sam, "9990000042")
	drain(t, e.srv.Notify)
	reqs = ps.requests()[1:]
	if len(reqs) != 1 || !strings.HasSuffix(reqs[0].Endpoint, "/push/priya") {
		t.Fatalf("pushes %+v, want Priya's only", reqs)
	}
	if pl, _, _ := pd.read(t, reqs[0]); pl.Body != "Mae neges newydd gan bractis meddyg teulu rhywun rydych yn gofalu amdano" {
		t.Errorf("Priya's push in Welsh: %+v", pl)
	}
}

// TestPushSettingsAreThePersonsOwn: every route about a person's
// notifications needs their session, and bad input changes nothing.
func TestPushSettingsAreThePersonsOwn(t *testing.T) {
	e, ps, _ := notifyEnv(t, ukToday(10, 0))
	anon := e.newBrowser(t)
	for _, r := range []struct{ method, path string }{
		{"POST", "/api/v1/push/subscriptions"}, {"DELETE", "/api/v1/push/subscriptions"},
		{"GET", "/api/v1/notify/settings"}, {"PUT", "/api/v1/notify/settings"},
	} {
		if st, code := anon.call(t, r.method, r.path, map[string]any{}, nil); st != 401 || code != "unauthenticated" {
			t.Errorf("%s %s signed out: %d %s", r.method, r.path, st, code)
		}
	}
	req, _ := http.NewRequest("POST", e.url+"/settings/notifications", strings.NewReader("action=push_off"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.url)
	if res, err := noRedirects.Do(req); err != nil || res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/auth/login") {
		t.Errorf("settings form signed out: %v %v", err, res)
	}

	amara := e.signIn(t, "9990000018")
	amara.subscribe(t, newDevice(t, ps.URL+"/push/a"))
	for _, form := range []map[string][]string{{}, {"action": {"save"}, "kinds": {"everything"}}} {
		if res, _ := amara.post(t, "/settings/notifications", form); res.StatusCode != 400 {
			t.Errorf("form %v: %d", form, res.StatusCode)
		}
	}
	var st api.NotifySettings
	if code, _ := amara.call(t, "GET", "/api/v1/notify/settings", nil, &st); code != 200 || st.Devices != 1 || !st.Kinds[0].On || st.Key == "" {
		t.Errorf("after refusals: %+v", st)
	}
	// Another person's settings are their own.
	var other api.NotifySettings
	if code, _ := e.signIn(t, "9990000034").call(t, "GET", "/api/v1/notify/settings", nil, &other); code != 200 || other.Devices != 0 {
		t.Errorf("Priya sees %+v", other)
	}
	res, body := amara.post(t, "/settings/notifications", map[string][]string{"action": {"save"}, "kinds": {"message"}})
	if res.StatusCode != 200 || !strings.Contains(body, "saved") {
		t.Errorf("saving: %d", res.StatusCode)
	}
	amara.call(t, "GET", "/api/v1/notify/settings", nil, &st)
	for _, k := range st.Kinds {
		if k.On != (k.Kind == "message") {
			t.Errorf("after saving messages only: %+v", st.Kinds)
		}
	}
}
