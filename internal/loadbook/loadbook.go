// Package loadbook is the booking race behind cmd/loadbook: N synthetic
// patients, signed in through the sandbox NHS login across several Companion
// server processes that share one real Redis, all try at one instant to book
// M slots at one practice. It counts what they got, checks the GP system's
// own records for double bookings, and measures a baseline (a bare handler
// doing one Redis GET) with the same burst in the same run, so the figures
// read as ratios rather than as this machine's numbers.
//
// It is a tool: it runs the real server binary as separate processes and
// talks to them over HTTP only. Nothing under app/, auth/ or server/ may
// import it.
package loadbook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// Config is one race.
type Config struct {
	// Patients is N, the synthetic patients who sign in and race.
	Patients int
	// Slots is M, the free slots they race for.
	Slots int
	// Processes is how many Companion server processes share the Redis;
	// patients are spread over them round-robin.
	Processes int
	// Practice is the ODS code of the practice everyone books at.
	Practice string
	// Admission is BOOKING_CONCURRENCY: bookings in flight at once at the
	// practice, across every process; the rest queue.
	Admission int
	// InFlight caps the client's requests in the air at once (a burst of
	// thousands is released at one instant, then waits for places here,
	// as a loopback client cannot hold thousands of connections usefully).
	InFlight int
	// SignInConcurrency is how many sign-ins run at once before the race.
	SignInConcurrency int
	// ServerBin is Companion's server binary; empty builds one.
	ServerBin string
	// RedisURL is the Redis to share; empty starts a private redis-server.
	RedisURL string
	// RedisClusterAddrs, when set, are a Redis Cluster's nodes to share
	// instead (REDIS_CLUSTER_ADDRS); RedisURL is then ignored.
	RedisClusterAddrs []string
	// Midway, when set, is called once during the race, as soon as
	// MidwayAfter bookings (default a third of the slots) have been answered
	// 201 (the failover test kills a Redis master there). The patient whose
	// booking it was waits for it; everyone else races on.
	Midway      func()
	MidwayAfter int
	// HoldEvery makes every HoldEvery-th patient hold their time first
	// (POST …/slot-holds, as the booking pages do) and book with the hold;
	// 0: nobody holds.
	HoldEvery int
	// Waiters are extra patients who, before the race, each book a late
	// time and join the waitlist; after it, WaitlistCancels winners cancel,
	// and the offers the waiters are made are counted.
	Waiters, WaitlistCancels int
	// CPUProfile, when set, is where the first server process's CPU profile
	// of the race is written (the race's first ProfileSeconds).
	CPUProfile     string
	ProfileSeconds int
	// RaceTimeout bounds how long a patient keeps retrying while queued.
	RaceTimeout time.Duration
	// Progress, when set, receives a line as each phase starts.
	Progress io.Writer
}

// DefaultConfig is cmd/loadbook's default race: 5,000 patients for 300
// slots at the pilot practice across 2 processes.
func DefaultConfig() Config {
	return Config{
		Patients: 5000, Slots: 300, Processes: 2, Practice: sandbox.PilotPractice,
		Admission: 256, InFlight: 512, SignInConcurrency: 64, RaceTimeout: 3 * time.Minute,
		HoldEvery: 10, Waiters: 100, WaitlistCancels: 30,
	}
}

// Report is what a race found. Durations are in milliseconds.
type Report struct {
	Patients     int    `json:"patients"`
	Slots        int    `json:"slots"`
	Processes    int    `json:"processes"`
	Practice     string `json:"practice"`
	Waiters      int    `json:"waiters"`
	Admission    int    `json:"admission"`
	InFlight     int    `json:"in_flight"`
	RedisVersion string `json:"redis_version"`

	SignInMS     float64 `json:"sign_in_ms"`
	SignInErrors int     `json:"sign_in_errors"`
	// SlotTypes counts the raced slots by type.
	SlotTypes map[string]int `json:"slot_types"`

	// Bookings is how many booking requests were answered 201 Created.
	Bookings int `json:"bookings"`
	// WantBookings is min(M, N): every raced slot booked once, or every
	// patient booked once.
	WantBookings int `json:"want_bookings"`
	// BookedInGP is how many booked appointments the GP system holds on the
	// raced slots, across every synthetic patient.
	BookedInGP int `json:"booked_in_gp"`
	// DistinctSlotsBooked is how many raced slots hold a booked appointment.
	DistinctSlotsBooked int `json:"distinct_slots_booked"`
	// DoubleBookings is how many slots hold more than one booked
	// appointment. It must be 0.
	DoubleBookings int `json:"double_bookings"`
	// Mismatches are 201 answers whose appointment is not for the slot asked
	// for. It must be 0.
	Mismatches int `json:"mismatches"`
	// Outcomes counts each patient's final answer by stable error code
	// ("booked" for 201 Created; "transport" when no answer came).
	Outcomes map[string]int `json:"outcomes"`
	// Queued counts 429 queued answers, each retried after Retry-After with
	// its queue ticket.
	Queued int `json:"queued"`
	// Unavailable counts 503 answers (a store or the GP system not
	// answering, as in a failover), each retried after Retry-After.
	Unavailable int `json:"unavailable"`
	// InProgress counts 409 in_progress answers (an earlier attempt with
	// the same key not yet settled), each retried after Retry-After.
	InProgress int `json:"in_progress"`
	// Statuses counts every answer of the race by HTTP status.
	Statuses map[int]int `json:"statuses"`
	// WithoutRetryAfter counts 429 and 503 answers that did not say when to
	// try again. It must be 0.
	WithoutRetryAfter int `json:"without_retry_after"`
	// Requests is every booking request sent, retries included.
	Requests int `json:"requests"`
	// RaceMS is from the release until every patient had a final answer.
	RaceMS float64 `json:"race_ms"`
	// Holds counts the times held before booking (201 from slot-holds), and
	// HoldsRefused the holds refused because the time was taken.
	Holds        int `json:"holds"`
	HoldsRefused int `json:"holds_refused"`
	// WaitlistCancels is how many winners cancelled after the race,
	// WaitlistOffers how many earlier times the waiters were then offered,
	// and WaitlistOfferedTwice how many times were offered to more than one
	// at once. It must be 0.
	WaitlistCancels      int `json:"waitlist_cancels"`
	WaitlistOffers       int `json:"waitlist_offers"`
	WaitlistOfferedTwice int `json:"waitlist_offered_twice"`

	// First is the answer to each patient's first booking request, all N
	// released at one instant: what the baseline measures.
	First Latency `json:"first_answers"`
	// Outcome is from the release to each patient's final answer, queue
	// waits included.
	Outcome Latency `json:"time_to_outcome"`
	// Winners and Losers split Outcome: those who booked, and everyone
	// else.
	Winners Latency `json:"time_to_outcome_winners"`
	Losers  Latency `json:"time_to_outcome_losers"`
	// Baseline is N GETs released at one instant to a bare handler doing one
	// Redis GET, through the same client.
	Baseline Latency `json:"baseline"`
	// Ratio is First over Baseline: rate and each percentile.
	Ratio Ratio `json:"ratio"`
}

// Latency is a burst's rate and latency percentiles.
type Latency struct {
	Requests int `json:"requests"`
	// RPS is Requests over the time from release to the last answer.
	RPS float64 `json:"rps"`
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

// Ratio compares Companion's first answers with the baseline: RPS below 1
// and percentiles above 1 are what Companion costs over one Redis GET.
type Ratio struct {
	RPS float64 `json:"rps"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// Check reports what makes the race a failure: a double booking, a
// mismatch, or bookings that do not add up to min(M, N).
func (r *Report) Check() error {
	var errs []error
	if r.DoubleBookings != 0 {
		errs = append(errs, fmt.Errorf("%d slots double booked", r.DoubleBookings))
	}
	if r.Mismatches != 0 {
		errs = append(errs, fmt.Errorf("%d bookings for a slot not asked for", r.Mismatches))
	}
	if r.Bookings != r.WantBookings || r.BookedInGP != r.WantBookings || r.DistinctSlotsBooked != r.WantBookings {
		errs = append(errs, fmt.Errorf("bookings: %d answered 201, %d in the GP system on %d distinct slots; want %d",
			r.Bookings, r.BookedInGP, r.DistinctSlotsBooked, r.WantBookings))
	}
	if r.SignInErrors != 0 {
		errs = append(errs, fmt.Errorf("%d sign-ins failed", r.SignInErrors))
	}
	for status, n := range r.Statuses {
		switch status {
		case http.StatusCreated, http.StatusConflict, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		default:
			errs = append(errs, fmt.Errorf("%d answers %d %s", n, status, http.StatusText(status)))
		}
	}
	if r.WaitlistOfferedTwice != 0 {
		errs = append(errs, fmt.Errorf("%d times offered from the waitlist to more than one person", r.WaitlistOfferedTwice))
	}
	if want := min(r.WaitlistCancels, r.Waiters); r.WaitlistOffers != want {
		errs = append(errs, fmt.Errorf("%d waitlist offers after %d cancellations, want %d", r.WaitlistOffers, r.WaitlistCancels, want))
	}
	if r.WithoutRetryAfter != 0 {
		errs = append(errs, fmt.Errorf("%d answers 429 or 503 without Retry-After", r.WithoutRetryAfter))
	}
	for code, n := range r.Outcomes {
		if code != "booked" && code != "slot_taken" {
			errs = append(errs, fmt.Errorf("%d patients' final answer %s, want booked or slot_taken", n, code))
		}
	}
	return errors.Join(errs...)
}

// Run runs one race and reports it. The servers, and a Redis it started,
// are stopped before it returns.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Patients <= 0 || cfg.Slots <= 0 || cfg.Processes <= 0 || cfg.Admission <= 0 || cfg.InFlight <= 0 || cfg.SignInConcurrency <= 0 {
		return nil, errors.New("patients, slots, processes, admission, in-flight and sign-in concurrency must be positive")
	}
	if cfg.RaceTimeout <= 0 {
		cfg.RaceTimeout = DefaultConfig().RaceTimeout
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	tmp, err := os.MkdirTemp("", "loadbook")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	rdb, redisURL, stopRedis, err := openRedis(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer stopRedis()

	bin := cfg.ServerBin
	if bin == "" {
		fmt.Fprintln(progress, "building the server…")
		if bin, err = BuildServer(ctx, tmp); err != nil {
			return nil, err
		}
	}
	web := filepath.Join(tmp, "web")
	if err := stubWeb(web); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "starting %d server processes…\n", cfg.Processes)
	procs, err := startProcesses(ctx, bin, cfg.Processes, ServerOptions{RedisURL: redisURL, ClusterAddrs: cfg.RedisClusterAddrs, Admission: cfg.Admission,
		Metrics: cfg.CPUProfile != ""}, web)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()

	rep := &Report{
		Patients: cfg.Patients, Slots: cfg.Slots, Processes: cfg.Processes, Practice: cfg.Practice,
		Admission: cfg.Admission, InFlight: cfg.InFlight, WantBookings: min(cfg.Patients, cfg.Slots),
		RedisVersion: redisVersion(ctx, rdb),
	}
	gpSys := sandbox.New(rdb, "companion:", time.Now)
	all, err := gpSys.AddPatients(ctx, cfg.Practice, cfg.Patients+cfg.Waiters)
	if err != nil {
		return nil, fmt.Errorf("practice %s: %w", cfg.Practice, err)
	}
	numbers := all[:cfg.Patients]
	rep.Waiters = cfg.Waiters

	fmt.Fprintf(progress, "signing in %d patients…\n", len(all))
	started := time.Now()
	everyone, failed, err := signInAll(ctx, procs, all, cfg.SignInConcurrency)
	rep.SignInMS, rep.SignInErrors = ms(time.Since(started)), failed
	if err != nil {
		return rep, err
	}
	patients, waiters := everyone[:cfg.Patients], everyone[cfg.Patients:]

	slots, types, err := pickSlots(ctx, patients[0], cfg.Slots)
	if err != nil {
		return rep, err
	}
	rep.SlotTypes = types
	if err := joinWaitlists(ctx, waiters, slots); err != nil {
		return rep, err
	}

	fmt.Fprintf(progress, "racing %d patients for %d slots…\n", cfg.Patients, cfg.Slots)
	profiled := profile(ctx, procs[0], cfg)
	results, release := race(ctx, patients, slots, cfg)
	if err := <-profiled; err != nil {
		return rep, fmt.Errorf("cpu profile: %w", err)
	}
	summarise(rep, results, release)
	if err := verify(ctx, rep, gpSys, numbers, slots); err != nil {
		return rep, err
	}
	if err := cancelForWaitlist(ctx, rep, patients, waiters, results, slots, cfg.WaitlistCancels); err != nil {
		return rep, err
	}

	fmt.Fprintln(progress, "measuring the baseline…")
	if rep.Baseline, err = baseline(ctx, rdb, cfg.Patients, cfg.InFlight); err != nil {
		return rep, err
	}
	rep.Ratio = Ratio{
		RPS: rep.First.RPS / rep.Baseline.RPS,
		P50: rep.First.P50 / rep.Baseline.P50, P95: rep.First.P95 / rep.Baseline.P95, P99: rep.First.P99 / rep.Baseline.P99,
	}
	return rep, nil
}

// openRedis connects to the Redis the race shares: cfg's cluster, cfg's
// URL, or a private redis-server it starts (stopped by the func it
// returns). redisURL is empty for a cluster.
func openRedis(ctx context.Context, cfg Config) (rdb redis.UniversalClient, redisURL string, stop func(), err error) {
	if len(cfg.RedisClusterAddrs) > 0 {
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: cfg.RedisClusterAddrs, PoolSize: 256, ClusterStateReloadInterval: time.Second,
			MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
		return c, "", func() { c.Close() }, nil
	}
	stopServer := func() {}
	redisURL = cfg.RedisURL
	if redisURL == "" {
		rs, err := StartRedis(ctx)
		if err != nil {
			return nil, "", nil, err
		}
		stopServer, redisURL = rs.Stop, rs.URL()
	}
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		stopServer()
		return nil, "", nil, err
	}
	opt.PoolSize = 256
	c := redis.NewClient(opt)
	return c, redisURL, func() { c.Close(); stopServer() }, nil
}

func redisVersion(ctx context.Context, rdb redis.UniversalClient) string {
	info, err := rdb.Info(ctx, "server").Result()
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
			return v
		}
	}
	return ""
}

// client is the one client setup both Companion and the baseline are driven
// through: one transport, as many idle connections as requests in flight,
// requests in the air capped at inFlight.
type client struct {
	http  *http.Client
	slots chan struct{}
}

func newClient(inFlight int) *client {
	tr := &http.Transport{
		MaxIdleConns: inFlight, MaxIdleConnsPerHost: inFlight, IdleConnTimeout: time.Minute,
		DisableCompression: true,
	}
	return &client{
		http:  &http.Client{Transport: tr, Timeout: time.Minute},
		slots: make(chan struct{}, inFlight),
	}
}

func (c *client) close() { c.http.CloseIdleConnections() }

// answer is one response, read in full.
type answer struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
	at     time.Time // when it arrived
}

// do sends req once it has a place in flight, and reads the whole answer.
// took is measured from sending, not from waiting for the place.
func (c *client) do(req *http.Request) (answer, error) {
	c.slots <- struct{}{}
	defer func() { <-c.slots }()
	t0 := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return answer{took: time.Since(t0), at: time.Now()}, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	now := time.Now()
	return answer{status: res.StatusCode, header: res.Header, body: body, took: now.Sub(t0), at: now}, err
}

// burst starts n workers, waits until every one is parked, then releases
// them at one instant and waits for them all. It returns the release time.
func burst(n int, work func(i int)) time.Time {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			work(i)
		}()
	}
	ready.Wait()
	release := time.Now()
	close(start)
	done.Wait()
	return release
}

// latency summarises a burst released at release whose answers took tooks
// and arrived by last.
func latency(tooks []time.Duration, release, last time.Time) Latency {
	s := append([]time.Duration(nil), tooks...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	l := Latency{Requests: len(s)}
	if len(s) == 0 {
		return l
	}
	if d := last.Sub(release); d > 0 {
		l.RPS = float64(len(s)) / d.Seconds()
	}
	l.P50, l.P95, l.P99 = ms(percentile(s, 0.50)), ms(percentile(s, 0.95)), ms(percentile(s, 0.99))
	return l
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func randomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
