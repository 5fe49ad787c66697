package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/wire"
	"github.com/nhs-companion/companion/server/notify"
)

func TestQuietHoursHoldPushesUntilSixAndCollapseThem(t *testing.T) {
	e, ps, c := notifyEnv(t, ukToday(22, 30))
	amara := e.signIn(t, "9990000018")
	dev := newDevice(t, ps.URL+"/push/amara")
	amara.subscribe(t, dev)
	sam := e.signInStaff(t, "staff-site-z00001")
	sendMessage(t, sam, "9990000018")
	sendMessage(t, sam, "9990000018")
	drain(t, e.srv.Notify)
	c.set(ukToday(5, 59).AddDate(0, 0, 1))
	drain(t, e.srv.Notify)
	if n := len(ps.requests()); n != 0 {
		t.Fatalf("%d pushes during quiet hours", n)
	}
	// Both in-app entries are there at once, whatever the hour.
	var list []api.NotifyEntry
	if st, _ := amara.call(t, "GET", "/api/v1/patients/"+amara.pid(t)+"/entries", nil, &list); st != 200 || len(list) != 2 {
		t.Errorf("entries overnight: %+v", list)
	}
	c.set(ukToday(6, 0).AddDate(0, 0, 1))
	drain(t, e.srv.Notify)
	reqs := ps.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d pushes at 06:00, want 1 for both messages", len(reqs))
	}
	if pl, _, _ := dev.read(t, reqs[0]); pl.Body != "You have a new message from your GP practice" {
		t.Errorf("held push %+v", pl)
	}
	if n, _ := e.srv.Notify.Queue.Len(context.Background()); n != 0 {
		t.Errorf("%d jobs left", n)
	}
}

func TestGoneSubscriptionsAreRemovedAndFailuresRetried(t *testing.T) {
	e, ps, c := notifyEnv(t, ukToday(12, 0))
	amara := e.signIn(t, "9990000018")
	phone, laptop := newDevice(t, ps.URL+"/push/phone"), newDevice(t, ps.URL+"/push/laptop")
	amara.subscribe(t, phone)
	if got := amara.subscribe(t, laptop); got.Devices != 2 {
		t.Fatalf("devices %+v", got)
	}
	sam := e.signInStaff(t, "staff-site-z00001")

	// One device is gone (410), the other's service is down (503), then up.
	ps.answer(http.StatusGone, http.StatusServiceUnavailable)
	sendMessage(t, sam, "9990000018")
	drain(t, e.srv.Notify)
	if n := len(ps.requests()); n != 2 {
		t.Fatalf("%d tries, want one per device", n)
	}
	var st api.NotifySettings
	if code, _ := amara.call(t, "GET", "/api/v1/notify/settings", nil, &st); code != 200 || st.Devices != 1 {
		t.Errorf("after 410: %+v", st)
	}
	c.add(9 * time.Second)
	drain(t, e.srv.Notify)
	if n := len(ps.requests()); n != 2 {
		t.Fatalf("retried before its backoff: %d", n)
	}
	c.add(2 * time.Second)
	drain(t, e.srv.Notify)
	reqs := ps.requests()
	if len(reqs) != 3 || reqs[2].Endpoint != reqs[1].Endpoint {
		t.Fatalf("retry: %+v", reqs)
	}
	if n, _ := e.srv.Notify.Queue.Len(context.Background()); n != 0 {
		t.Errorf("%d jobs left", n)
	}

	// Push turned off everywhere (the settings form): nothing more is sent.
	res, _ := amara.post(t, "/settings/notifications", map[string][]string{"action": {"push_off"}})
	if res.StatusCode != 200 || res.Request.URL.RawQuery != "saved=1" {
		t.Fatalf("push off: %d %s", res.StatusCode, res.Request.URL)
	}
	sendMessage(t, sam, "9990000018")
	drain(t, e.srv.Notify)
	if n := len(ps.requests()); n != 3 {
		t.Errorf("pushed after push was turned off: %d", n)
	}
}

func TestARestartBetweenQueueingAndSendingLosesNothing(t *testing.T) {
	e, ps, c := notifyEnv(t, ukToday(12, 0))
	amara := e.signIn(t, "9990000018")
	dev := newDevice(t, ps.URL+"/push/amara")
	amara.subscribe(t, dev)
	sam := e.signInStaff(t, "staff-site-z00001")
	sendMessage(t, sam, "9990000018")

	// A worker claims the event and dies before finishing it.
	ctx := context.Background()
	if jobs, err := e.srv.Notify.Queue.Claim(ctx, c.now(), 10); err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v %+v", err, jobs)
	}
	e.http.Close()

	// A new process, from the same configuration and Redis, takes it on
	// once the lease has run out.
	srv, err := wire.Build(ctx, e.cfg, e.redis.Client(t), &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	srv.Notify.Now = c.now
	drain(t, srv.Notify)
	if n := len(ps.requests()); n != 0 {
		t.Fatalf("taken while still leased: %d", n)
	}
	c.add(srv.Notify.Queue.Lease + time.Second)
	drain(t, srv.Notify)
	reqs := ps.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d pushes after the restart, want 1", len(reqs))
	}
	if pl, _, _ := dev.read(t, reqs[0]); pl.Tag != string(notify.Message) {
		t.Errorf("push %+v", pl)
	}
}
