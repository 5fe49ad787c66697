package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
)

// startProcess runs the real binary against a shared Redis and waits for it.
func startProcess(t *testing.T, bin, redisURL string, env ...string) string {
	t.Helper()
	_, base := startStoppable(t, bin, redisURL, env...)
	return base
}

// startStoppable is startProcess, with a func that stops the process (with
// SIGTERM, waiting for it) before the test ends.
func startStoppable(t *testing.T, bin, redisURL string, env ...string) (func(), string) {
	t.Helper()
	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "ADDR=127.0.0.1", "METRICS_ADDR=", "WEB_DIR="+stubWeb(t),
		"REDIS_URL="+redisURL, "PUBLIC_URL="+base, "LOG_LEVEL=warn")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }) }
	t.Cleanup(stop)
	for deadline := time.Now().Add(15 * time.Second); ; {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("process did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return stop, base
}

func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 5 * time.Second}
}

func mustGet(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// TestFlagChangeReachesAnotherProcessWithinASecond runs two Companion
// processes on one redis-server: a change made through one is enforced by
// the other within a second.
func TestFlagChangeReachesAnotherProcessWithinASecond(t *testing.T) {
	bin := buildBinary(t)
	rs := redistest.MustStart(t)
	a := startProcess(t, bin, rs.URL())
	b := startProcess(t, bin, rs.URL())

	staff := client(t)
	mustGet(t, staff, a+"/staff/login?login_hint=staff-national")
	rhys := client(t)
	mustGet(t, rhys, b+"/auth/login?login_hint=9990000050")
	recordOn := func() bool {
		var me struct{ Features map[string]bool }
		json.Unmarshal([]byte(mustGet(t, rhys, b+"/api/v1/me")), &me)
		return me.Features["record"]
	}
	if recordOn() {
		t.Fatal("record on at the non-pilot practice before any change")
	}
	req, _ := http.NewRequest(http.MethodPut, a+"/api/v1/admin/flags/record",
		strings.NewReader(`{"practice":"Z00002","enabled":true,"reason":"joined the pilot"}`))
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	res, err := staff.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("change through process A: %d", res.StatusCode)
	}
	for !recordOn() {
		if time.Since(start) > time.Second {
			t.Fatal("process B did not enforce the change within a second")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("process B enforced the change %s after process A made it", time.Since(start).Round(time.Millisecond))
}
