package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/internal/loadbook"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// Throughput is the mixed signed-in load at one process and at four on the
// same Redis Cluster, in the same run.
type Throughput struct {
	Clients int     `json:"clients"`
	Seconds float64 `json:"seconds"`
	One     Rate    `json:"one_process"`
	Four    Rate    `json:"four_processes"`
	// Ratio is Four.RPS over One.RPS.
	Ratio float64 `json:"ratio"`
}

// Rate is a load's completed requests per second and latency (ms).
type Rate struct {
	RPS float64 `json:"rps"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
}

// measureThroughput starts a private cluster and measures the mixed load
// at 1 process, then at 4.
func measureThroughput(ctx context.Context, bin, dbURL string, d time.Duration, clients int) (Throughput, error) {
	c, err := redistest.StartCluster()
	if err != nil {
		return Throughput{}, err
	}
	defer c.Close()
	cl := redis.NewClusterClient(redistest.ClusterOptions(c.Addrs()))
	defer cl.Close()
	numbers, err := sandbox.New(cl, "companion:", time.Now).AddPatients(ctx, sandbox.PilotPractice, clients)
	if err != nil {
		return Throughput{}, err
	}
	t := Throughput{Clients: clients, Seconds: d.Seconds()}
	for _, procs := range []int{1, 4} {
		r, err := mixedLoad(ctx, bin, dbURL, c.Addrs(), procs, numbers, d)
		if err != nil {
			return t, fmt.Errorf("%d processes: %w", procs, err)
		}
		if procs == 1 {
			t.One = r
		} else {
			t.Four = r
		}
	}
	t.Ratio = t.Four.RPS / t.One.RPS
	return t, nil
}

// mixedLoad starts procs processes on the cluster, signs in one client per
// number (spread over the processes), and for d has each client ask, in
// turn, for the home page, the slots and the record, as fast as answers
// come.
func mixedLoad(ctx context.Context, bin, dbURL string, addrs []string, procs int, numbers []string, d time.Duration) (Rate, error) {
	srv, err := loadbook.StartServers(ctx, bin, procs, loadbook.ServerOptions{ClusterAddrs: addrs, DatabaseURL: dbURL})
	if err != nil {
		return Rate{}, err
	}
	defer srv.Stop()
	tr := &http.Transport{MaxIdleConnsPerHost: len(numbers), DisableCompression: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: time.Minute}
	type client struct{ base, cookie, pid string }
	clients := make([]client, len(numbers))
	for i, num := range numbers {
		base := srv.Base(i % procs)
		cookie, err := loadbook.SignIn(ctx, tr, base, num)
		if err != nil {
			return Rate{}, err
		}
		pid, err := loadbook.PatientID(ctx, tr, base, cookie)
		if err != nil {
			return Rate{}, err
		}
		clients[i] = client{base, cookie, pid}
	}
	var (
		mu    sync.Mutex
		tooks []time.Duration
		fail  error
		wg    sync.WaitGroup
	)
	stop := time.Now().Add(d)
	start := time.Now()
	for _, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths := []string{"/", "/api/v1/patients/" + cl.pid + "/slots?type=gp", "/api/v1/patients/" + cl.pid + "/record"}
			var mine []time.Duration
			for i := 0; time.Now().Before(stop); i++ {
				accept := "application/json"
				if i%3 == 0 {
					accept = "text/html"
				}
				t0 := time.Now()
				if err := get(ctx, c, cl.base+paths[i%3], cl.cookie, accept, nil); err != nil {
					mu.Lock()
					fail = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			tooks = append(tooks, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if fail != nil {
		return Rate{}, fail
	}
	sort.Slice(tooks, func(i, j int) bool { return tooks[i] < tooks[j] })
	pct := func(p float64) float64 {
		return float64(tooks[int(p*float64(len(tooks)-1))]) / float64(time.Millisecond)
	}
	return Rate{RPS: float64(len(tooks)) / elapsed.Seconds(), P50: pct(0.5), P99: pct(0.99)}, nil
}
