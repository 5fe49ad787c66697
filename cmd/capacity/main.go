// Command capacity measures what each kind of request costs, for the
// capacity model in docs/capacity.md. In one run it:
//
//  1. starts one Companion process (sandbox GP system) on a private
//     redis-server and a PostgreSQL database, with its metrics listener, and
//     for each request type (sign-in, home, slots, book, order, record)
//     sends a batch and reads, from the process's own counters, the Redis
//     commands, PostgreSQL statements and CPU time each request cost;
//  2. starts a private Redis Cluster (three masters, three replicas) and
//     drives the same mixed signed-in load at one process, then at four on
//     the one cluster, and reports the throughput of four against one;
//  3. appends audit rows with one writer and with many, for the audit
//     trail's write ceiling.
//
// Usage: go run ./cmd/capacity [-n 200] [-d 5s] [-conns 64] [-bin bin/companion]
// [-database-url postgres://…] [-json]
//
// Without -database-url it creates a database on the machine's PostgreSQL
// (postgres://postgres@127.0.0.1:5432/postgres) and drops it at the end.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/nhs-companion/companion/internal/loadbook"
)

// Report is one run's figures.
type Report struct {
	GOMAXPROCS int `json:"gomaxprocs"`
	// Costs are per request, by type, in the order measured.
	Costs []Cost `json:"costs"`
	// Throughput is the mixed load at 1 and 4 processes on one cluster.
	Throughput Throughput `json:"throughput"`
	// Audit is the audit trail's write ceiling.
	Audit AuditCeiling `json:"audit"`
}

func main() {
	n := flag.Int("n", 200, "requests of each type measured")
	d := flag.Duration("d", 5*time.Second, "duration of each throughput measurement")
	conns := flag.Int("conns", 64, "clients in flight during the throughput measurement")
	bin := flag.String("bin", "", "Companion server binary (default: build one)")
	dbURL := flag.String("database-url", "", "PostgreSQL database to use (default: create one on the machine's server)")
	asJSON := flag.Bool("json", false, "print the figures as JSON")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := run(ctx, *n, *d, *conns, *bin, *dbURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "capacity:", err)
		os.Exit(1)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return
	}
	print(os.Stdout, rep)
}

func run(ctx context.Context, n int, d time.Duration, conns int, bin, dbURL string) (*Report, error) {
	if n <= 0 || conns <= 0 || d <= 0 {
		return nil, fmt.Errorf("-n, -d and -conns must be positive")
	}
	tmp, err := os.MkdirTemp("", "capacity")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if bin == "" {
		fmt.Fprintln(os.Stderr, "building the server…")
		if bin, err = loadbook.BuildServer(ctx, tmp); err != nil {
			return nil, err
		}
	}
	if dbURL == "" {
		url, drop, err := createDatabase(ctx)
		if err != nil {
			return nil, err
		}
		defer drop()
		dbURL = url
	}
	rep := &Report{GOMAXPROCS: runtime.GOMAXPROCS(0)}
	fmt.Fprintln(os.Stderr, "measuring each request type on one process…")
	if rep.Costs, err = measureCosts(ctx, bin, dbURL, n); err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "measuring throughput at 1 and 4 processes on one Redis Cluster…")
	if rep.Throughput, err = measureThroughput(ctx, bin, dbURL, d, conns); err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "measuring the audit trail's write rate…")
	if rep.Audit, err = measureAudit(ctx, dbURL, conns, d); err != nil {
		return nil, err
	}
	return rep, nil
}

func print(w io.Writer, r *Report) {
	fmt.Fprintf(w, "capacity: one process, sandbox GP system, one redis-server, PostgreSQL; GOMAXPROCS %d\n", r.GOMAXPROCS)
	fmt.Fprintf(w, "%-8s %6s %14s %14s %12s  %s\n", "request", "n", "redis cmds/req", "pg stmts/req", "cpu ms/req", "top Redis commands")
	for _, c := range r.Costs {
		cpu := fmt.Sprintf("%.2f", c.CPUms)
		if c.CPUBelow {
			cpu = "<" + cpu
		}
		fmt.Fprintf(w, "%-8s %6d %14.1f %14.1f %12s  %s\n", c.Type, c.Requests, c.RedisCommands, c.PGStatements, cpu, top(c.ByCommand, 4))
	}
	t := r.Throughput
	fmt.Fprintf(w, "throughput (mixed home/slots/record, %d clients, %.0f s each, one Redis Cluster of 3 masters + 3 replicas):\n", t.Clients, t.Seconds)
	fmt.Fprintf(w, "  1 process   %8.0f req/s  p50 %6.1f ms  p99 %6.1f ms\n", t.One.RPS, t.One.P50, t.One.P99)
	fmt.Fprintf(w, "  4 processes %8.0f req/s  p50 %6.1f ms  p99 %6.1f ms\n", t.Four.RPS, t.Four.P50, t.Four.P99)
	fmt.Fprintf(w, "  ratio       %.2f× (4 processes over 1, same run, same machine)\n", t.Ratio)
	a := r.Audit
	fmt.Fprintf(w, "audit trail: %6.0f rows/s with 1 writer, %6.0f rows/s with %d (%.2f×): one hash chain per month, written one row at a time\n",
		a.OneWriter, a.RowsPerSec, a.Writers, a.RowsPerSec/a.OneWriter)
}

// top lists a tally's k largest entries.
func top(m map[string]float64, k int) string {
	type kv struct {
		k string
		v float64
	}
	var all []kv
	for name, v := range m {
		all = append(all, kv{name, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || (all[i].v == all[j].v && all[i].k < all[j].k) })
	var parts []string
	for i := 0; i < len(all) && i < k; i++ {
		parts = append(parts, fmt.Sprintf("%s %.1f", all[i].k, all[i].v))
	}
	return strings.Join(parts, ", ")
}
