// Command loadbook is the 8am booking rush as a benchmark: N synthetic
// patients sign in through the sandbox NHS login, then at one instant all try
// to book M slots at one practice, spread over several Companion server
// processes sharing one real Redis. It prints the bookings made, double
// bookings (which must be 0), every final answer by stable error code, and
// the latency and rate of the burst beside a baseline measured in the same
// run: the same burst at a bare handler doing one Redis GET.
//
// Usage: go run ./cmd/loadbook [-patients 5000] [-slots 300] [-processes 2]
// [-practice Z00001] [-admission 256] [-inflight 512] [-bin bin/companion]
// [-redis-url redis://…] [-json]
//
// Without -redis-url it starts a private redis-server on a free port; without
// -bin it builds the server into a temporary directory. It exits 1 when a
// slot is double booked or the bookings do not add up to min(M, N).
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

	"github.com/nhs-companion/companion/internal/loadbook"
)

func main() {
	cfg := loadbook.DefaultConfig()
	flag.IntVar(&cfg.Patients, "patients", cfg.Patients, "synthetic patients (N) who sign in and race")
	flag.IntVar(&cfg.Slots, "slots", cfg.Slots, "free slots (M) they race for")
	flag.IntVar(&cfg.Processes, "processes", cfg.Processes, "Companion server processes sharing the Redis")
	flag.StringVar(&cfg.Practice, "practice", cfg.Practice, "ODS code of the practice to book at")
	flag.IntVar(&cfg.Admission, "admission", cfg.Admission, "BOOKING_CONCURRENCY: bookings in flight per practice across processes")
	flag.IntVar(&cfg.InFlight, "inflight", cfg.InFlight, "client requests in the air at once")
	flag.IntVar(&cfg.SignInConcurrency, "signin-conc", cfg.SignInConcurrency, "sign-ins at once before the race")
	flag.IntVar(&cfg.HoldEvery, "hold-every", cfg.HoldEvery, "every n-th patient holds their time first (0: nobody)")
	flag.IntVar(&cfg.Waiters, "waiters", cfg.Waiters, "extra patients on the waitlist with a late appointment")
	flag.IntVar(&cfg.WaitlistCancels, "waitlist-cancels", cfg.WaitlistCancels, "winners who cancel after the race, freeing times for the waitlist")
	flag.DurationVar(&cfg.RaceTimeout, "timeout", cfg.RaceTimeout, "how long a queued patient keeps retrying")
	flag.StringVar(&cfg.ServerBin, "bin", "", "Companion server binary (default: build one)")
	flag.StringVar(&cfg.RedisURL, "redis-url", "", "Redis to share (default: start a private redis-server)")
	flag.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write the first server process's CPU profile of the race here")
	flag.IntVar(&cfg.ProfileSeconds, "profile-seconds", 5, "how much of the race the CPU profile covers")
	asJSON := flag.Bool("json", false, "print the figures as JSON")
	flag.Parse()
	cfg.Progress = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := loadbook.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadbook:", err)
		os.Exit(1)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		printReport(os.Stdout, rep)
	}
	if err := rep.Check(); err != nil {
		fmt.Fprintln(os.Stderr, "loadbook: FAILED:", err)
		os.Exit(1)
	}
}

func printReport(w io.Writer, r *loadbook.Report) {
	fmt.Fprintf(w, "loadbook: %d patients, %d slots at %s, %d server processes, redis-server %s, GOMAXPROCS %d\n",
		r.Patients, r.Slots, r.Practice, r.Processes, r.RedisVersion, runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "          admission %d bookings per practice at once, client %d requests in flight\n", r.Admission, r.InFlight)
	fmt.Fprintf(w, "sign-in   %d patients in %.1f s (%.0f/s) through the sandbox NHS login, %d failed\n",
		r.Patients, r.SignInMS/1000, float64(r.Patients)/(r.SignInMS/1000), r.SignInErrors)
	fmt.Fprintf(w, "slots     %s\n", counts(r.SlotTypes))
	fmt.Fprintf(w, "race      all %d released at once; every patient had a final answer after %.2f s (%d requests)\n",
		r.Patients, r.RaceMS/1000, r.Requests)
	fmt.Fprintf(w, "  bookings made      %d (201 answers; the GP system holds %d on %d distinct slots; want %d)\n",
		r.Bookings, r.BookedInGP, r.DistinctSlotsBooked, r.WantBookings)
	fmt.Fprintf(w, "  double bookings    %d\n", r.DoubleBookings)
	fmt.Fprintf(w, "  final answers      %s\n", counts(r.Outcomes))
	fmt.Fprintf(w, "  queued (429)       %d, each retried after Retry-After with its ticket\n", r.Queued)
	fmt.Fprintf(w, "  holds              %d made, %d refused (time taken), before booking\n", r.Holds, r.HoldsRefused)
	fmt.Fprintf(w, "waitlist  %d on the list; %d winners cancelled; %d earlier times offered, %d to more than one at once\n",
		r.Waiters, r.WaitlistCancels, r.WaitlistOffers, r.WaitlistOfferedTwice)
	fmt.Fprintf(w, "  first answers      %s\n", line(r.First, "req/s"))
	fmt.Fprintf(w, "  time to outcome    %s\n", line(r.Outcome, "done/s"))
	fmt.Fprintf(w, "    winners          %s\n", line(r.Winners, "done/s"))
	fmt.Fprintf(w, "    losers           %s\n", line(r.Losers, "done/s"))
	fmt.Fprintf(w, "baseline  %d GETs released at once to a bare handler doing one Redis GET\n", r.Baseline.Requests)
	fmt.Fprintf(w, "                     %s\n", line(r.Baseline, "req/s"))
	fmt.Fprintf(w, "ratio     first answers vs baseline: rate %.2f×, p50 %.2f×, p95 %.2f×, p99 %.2f×\n",
		r.Ratio.RPS, r.Ratio.P50, r.Ratio.P95, r.Ratio.P99)
}

// line prints a rate (in unit) and latency percentiles.
func line(l loadbook.Latency, unit string) string {
	return fmt.Sprintf("%8.0f %-6s  p50 %8.1f ms  p95 %8.1f ms  p99 %8.1f ms", l.RPS, unit, l.P50, l.P95, l.P99)
}

// counts prints a tally largest first.
func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || (m[keys[i]] == m[keys[j]] && keys[i] < keys[j]) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
