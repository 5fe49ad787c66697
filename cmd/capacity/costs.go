package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/loadbook"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// Cost is what one request of a type cost, averaged over Requests.
type Cost struct {
	Type          string  `json:"type"`
	Requests      int     `json:"requests"`
	RedisCommands float64 `json:"redis_commands"`
	PGStatements  float64 `json:"pg_statements"`
	CPUms         float64 `json:"cpu_ms"`
	// CPUBelow is set when the batch used less CPU than the kernel's clock
	// tick (10 ms) can show: CPUms is then an upper bound.
	CPUBelow  bool               `json:"cpu_below_resolution,omitempty"`
	ByCommand map[string]float64 `json:"redis_by_command"`
}

// counters are a process's own metrics at one moment.
type counters struct {
	redis map[string]float64
	pg    float64
	cpu   float64 // seconds
}

// scrape reads the counters from a /metrics URL.
func scrape(ctx context.Context, metricsURL string) (counters, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return counters{}, err
	}
	defer res.Body.Close()
	c := counters{redis: map[string]float64{}}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		name, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(name, `companion_redis_commands_total{cmd="`):
			c.redis[strings.TrimSuffix(strings.TrimPrefix(name, `companion_redis_commands_total{cmd="`), `"}`)] = v
		case name == "companion_pg_statements_total":
			c.pg = v
		case name == "process_cpu_seconds_total":
			c.cpu = v
		}
	}
	return c, sc.Err()
}

// phase is one request type: prepare runs unmeasured and returns the
// requests to send, each sent once.
type phase struct {
	name string
	reqs func(ctx context.Context) ([]func(context.Context) error, error)
}

// measureCosts runs every phase against one process.
func measureCosts(ctx context.Context, bin, dbURL string, n int) ([]Cost, error) {
	rs, err := loadbook.StartRedis(ctx)
	if err != nil {
		return nil, err
	}
	defer rs.Stop()
	srv, err := loadbook.StartServers(ctx, bin, 1, loadbook.ServerOptions{RedisURL: rs.URL(), DatabaseURL: dbURL, Metrics: true})
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr})
	defer rdb.Close()
	numbers, err := sandbox.New(rdb, "companion:", time.Now).AddPatients(ctx, sandbox.PilotPractice, n)
	if err != nil {
		return nil, err
	}
	base := srv.Base(0)
	tr := &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	type who struct{ cookie, pid string }
	people := make([]who, n)
	var slots []api.Slot
	phases := []phase{
		{"sign-in", func(ctx context.Context) ([]func(context.Context) error, error) {
			var out []func(context.Context) error
			for i, num := range numbers {
				out = append(out, func(ctx context.Context) error {
					cookie, err := loadbook.SignIn(ctx, tr, base, num)
					people[i].cookie = cookie
					return err
				})
			}
			return out, nil
		}},
		{"home", func(ctx context.Context) ([]func(context.Context) error, error) {
			for i := range people {
				if people[i].pid, err = loadbook.PatientID(ctx, tr, base, people[i].cookie); err != nil {
					return nil, err
				}
			}
			return each(people, func(ctx context.Context, p who) error { return get(ctx, c, base+"/", p.cookie, "text/html", nil) }), nil
		}},
		{"slots", func(ctx context.Context) ([]func(context.Context) error, error) {
			return each(people, func(ctx context.Context, p who) error {
				return get(ctx, c, base+"/api/v1/patients/"+p.pid+"/slots?type=gp", p.cookie, "application/json", nil)
			}), nil
		}},
		{"book", func(ctx context.Context) ([]func(context.Context) error, error) {
			for _, typ := range []string{"gp", "nurse", "blood_test"} {
				var some []api.Slot
				if err := get(ctx, c, base+"/api/v1/patients/"+people[0].pid+"/slots?type="+typ, people[0].cookie, "application/json", &some); err != nil {
					return nil, err
				}
				// Clear of the earliest, which may be inside the cut-off.
				slots = append(slots, some[min(len(some), 2):]...)
			}
			if len(slots) < n {
				return nil, fmt.Errorf("%d free slots for %d bookings", len(slots), n)
			}
			var out []func(context.Context) error
			for i, p := range people {
				body, _ := json.Marshal(api.BookRequest{SlotID: slots[i].ID, Reason: "Capacity test"})
				out = append(out, func(ctx context.Context) error {
					return send(ctx, c, base+"/api/v1/patients/"+p.pid+"/appointments", p.cookie, body, http.StatusCreated)
				})
			}
			return out, nil
		}},
		{"order", func(ctx context.Context) ([]func(context.Context) error, error) { return castOrders(ctx, tr, c, base) }},
		{"record", func(ctx context.Context) ([]func(context.Context) error, error) {
			return each(people, func(ctx context.Context, p who) error {
				return get(ctx, c, base+"/api/v1/patients/"+p.pid+"/record", p.cookie, "application/json", nil)
			}), nil
		}},
	}
	var out []Cost
	for _, ph := range phases {
		reqs, err := ph.reqs(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
		cost, err := measure(ctx, srv.MetricsURL(0), ph.name, reqs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
		out = append(out, cost)
	}
	return out, nil
}

// measure sends reqs, four at a time, between two scrapes of the counters.
func measure(ctx context.Context, metricsURL, name string, reqs []func(context.Context) error) (Cost, error) {
	before, err := scrape(ctx, metricsURL)
	if err != nil {
		return Cost{}, err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(reqs); i = int(next.Add(1) - 1) {
				if err := reqs[i](ctx); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return Cost{}, firstErr
	}
	after, err := scrape(ctx, metricsURL)
	if err != nil {
		return Cost{}, err
	}
	k := float64(len(reqs))
	c := Cost{Type: name, Requests: len(reqs), PGStatements: (after.pg - before.pg) / k, CPUms: (after.cpu - before.cpu) * 1000 / k,
		ByCommand: map[string]float64{}}
	if after.cpu == before.cpu {
		c.CPUms, c.CPUBelow = 10/k, true
	}
	for cmd, v := range after.redis {
		if d := v - before.redis[cmd]; d > 0 {
			c.ByCommand[cmd] = d / k
			c.RedisCommands += d / k
		}
	}
	return c, nil
}

// each is one request per person.
func each[P any](people []P, f func(context.Context, P) error) []func(context.Context) error {
	out := make([]func(context.Context) error, len(people))
	for i, p := range people {
		out[i] = func(ctx context.Context) error { return f(ctx, p) }
	}
	return out
}

// get fetches u as the holder of cookie, failing unless 200, decoding JSON
// into v when v is not nil.
func get(ctx context.Context, c *http.Client, u, cookie, accept string, v any) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Accept", accept)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %.200s", u, res.StatusCode, body)
	}
	if v != nil {
		return json.Unmarshal(body, v)
	}
	return nil
}

// send posts JSON to u as the holder of cookie, with an Idempotency-Key,
// failing unless the status is want.
func send(ctx context.Context, c *http.Client, u, cookie string, body []byte, want int) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Content-Type", "application/json")
	pu, _ := url.Parse(u)
	req.Header.Set("Origin", pu.Scheme+"://"+pu.Host)
	req.Header.Set("Idempotency-Key", rand.Text())
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("POST %s: %d, want %d: %.200s", u, res.StatusCode, want, raw)
	}
	return nil
}

// castOrders signs in each member of the sandbox cast and returns one
// order for each repeat they can order now: synthetic patients have no
// repeat medicines.
func castOrders(ctx context.Context, tr http.RoundTripper, c *http.Client, base string) ([]func(context.Context) error, error) {
	var out []func(context.Context) error
	for _, num := range sandbox.Cast() {
		cookie, err := loadbook.SignIn(ctx, tr, base, num)
		if err != nil {
			continue // some of the cast cannot sign in (by design)
		}
		pid, err := loadbook.PatientID(ctx, tr, base, cookie)
		if err != nil {
			continue
		}
		var repeats []api.Repeat
		if err := get(ctx, c, base+"/api/v1/patients/"+pid+"/repeats", cookie, "application/json", &repeats); err != nil {
			continue // no prescriptions at their practice
		}
		for _, r := range repeats {
			if r.State != "orderable" {
				continue
			}
			body, _ := json.Marshal(api.OrderRequest{MedicationIDs: []string{r.ID}})
			out = append(out, func(ctx context.Context) error {
				return send(ctx, c, base+"/api/v1/patients/"+pid+"/prescription-requests", cookie, body, http.StatusCreated)
			})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no orderable repeats in the cast")
	}
	return out, nil
}
