package coalesce

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nhs-companion/companion/internal/redistest"
)

type slots struct {
	Practice string   `json:"practice"`
	IDs      []string `json:"ids"`
	Gen      int64    `json:"gen"`
}

// counter is a loader that counts its calls and returns the call number.
type counter struct {
	n     atomic.Int64
	delay time.Duration
}

func (c *counter) load(ctx context.Context) (slots, error) {
	n := c.n.Add(1)
	if c.delay > 0 {
		select {
		case <-time.After(c.delay):
		case <-ctx.Done():
			return slots{}, ctx.Err()
		}
	}
	return slots{Practice: "Z00001", IDs: []string{"s1", "s2"}, Gen: n}, nil
}

// getAll runs n concurrent Gets released together and returns their results.
func getAll(tb testing.TB, c *Cache[slots], n int, load func(context.Context) (slots, error)) []slots {
	tb.Helper()
	out := make([]slots, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			out[i], errs[i] = c.Get(context.Background(), "Z00001", "slots:2026-01-05", load)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			tb.Fatalf("Get %d: %v", i, err)
		}
	}
	return out
}

func TestGetCoalescesInProcess(t *testing.T) {
	srv := redistest.MustStart(t)
	c := New[slots](srv.Client(t), "test", time.Minute)
	var ld counter
	ld.delay = 50 * time.Millisecond

	got := getAll(t, c, 1000, ld.load)

	if n := ld.n.Load(); n != 1 {
		t.Fatalf("load called %d times, want 1", n)
	}
	want := slots{Practice: "Z00001", IDs: []string{"s1", "s2"}, Gen: 1}
	for i, g := range got {
		if diff := cmp.Diff(want, g); diff != "" {
			t.Fatalf("Get %d (-want +got):\n%s", i, diff)
		}
	}
	// And the next Get is a hit.
	if _, err := c.Get(t.Context(), "Z00001", "slots:2026-01-05", ld.load); err != nil || ld.n.Load() != 1 {
		t.Fatalf("second Get: err %v, loads %d; want a hit", err, ld.n.Load())
	}
}

func TestGetCoalescesAcrossProcesses(t *testing.T) {
	srv := redistest.MustStart(t)
	a := New[slots](srv.Client(t), "test", time.Minute)
	b := New[slots](srv.Client(t), "test", time.Minute)
	var ld counter
	ld.delay = 50 * time.Millisecond

	var wg sync.WaitGroup
	results := make([][]slots, 2)
	for i, c := range []*Cache[slots]{a, b} {
		wg.Go(func() { results[i] = getAll(t, c, 500, ld.load) })
	}
	wg.Wait()

	if n := ld.n.Load(); n != 1 {
		t.Fatalf("load called %d times across two processes, want 1", n)
	}
	for _, rs := range results {
		for _, r := range rs {
			if r.Gen != 1 {
				t.Fatalf("got generation %d, want 1", r.Gen)
			}
		}
	}
}

func TestTTLExpiryReloads(t *testing.T) {
	srv := redistest.MustStart(t)
	c := New[slots](srv.Client(t), "test", 100*time.Millisecond)
	var ld counter
	get := func() int64 {
		t.Helper()
		v, err := c.Get(t.Context(), "Z00001", "k", ld.load)
		if err != nil {
			t.Fatal(err)
		}
		return v.Gen
	}
	if g := get(); g != 1 {
		t.Fatalf("first Get: gen %d, want 1", g)
	}
	if g := get(); g != 1 {
		t.Fatalf("Get within ttl: gen %d, want 1 (cached)", g)
	}
	time.Sleep(150 * time.Millisecond)
	if g := get(); g != 2 {
		t.Fatalf("Get after ttl: gen %d, want 2 (reloaded)", g)
	}
}

func TestInvalidateAcrossProcesses(t *testing.T) {
	srv := redistest.MustStart(t)
	a := New[slots](srv.Client(t), "test", time.Minute)
	b := New[slots](srv.Client(t), "test", time.Minute)
	var ld counter
	get := func(c *Cache[slots], key string) int64 {
		t.Helper()
		v, err := c.Get(t.Context(), "Z00001", key, ld.load)
		if err != nil {
			t.Fatal(err)
		}
		return v.Gen
	}
	if g := get(a, "k1"); g != 1 {
		t.Fatalf("A: gen %d, want 1", g)
	}
	if g := get(b, "k1"); g != 1 {
		t.Fatalf("B before Invalidate: gen %d, want 1 (shared)", g)
	}
	if g := get(b, "k2"); g != 2 {
		t.Fatalf("B other key: gen %d, want 2", g)
	}
	if err := a.Invalidate(t.Context(), "Z00001"); err != nil {
		t.Fatal(err)
	}
	if g := get(b, "k1"); g != 3 {
		t.Fatalf("B after Invalidate from A: gen %d, want 3 (fresh)", g)
	}
	if g := get(a, "k1"); g != 3 {
		t.Fatalf("A after B reloaded: gen %d, want 3 (shared)", g)
	}
	if g := get(a, "k2"); g != 4 {
		t.Fatalf("A other key of the group: gen %d, want 4 (fresh)", g)
	}
	// Other groups are untouched.
	v, err := a.Get(t.Context(), "Z00002", "k1", ld.load)
	if err != nil || v.Gen != 5 {
		t.Fatalf("other group: %v, %v", v.Gen, err)
	}
	if err := a.Invalidate(t.Context(), "Z00001"); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Get(t.Context(), "Z00002", "k1", ld.load); v.Gen != 5 {
		t.Fatalf("other group after Invalidate: gen %d, want 5 (still cached)", v.Gen)
	}
}

func TestLoaderErrorNotCached(t *testing.T) {
	srv := redistest.MustStart(t)
	c := New[slots](srv.Client(t), "test", time.Minute)
	errGP := errors.New("gp system: timeout")
	var calls atomic.Int64
	failing := func(ctx context.Context) (slots, error) {
		calls.Add(1)
		time.Sleep(50 * time.Millisecond)
		return slots{}, errGP
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 100 {
		wg.Go(func() {
			<-start
			if _, err := c.Get(context.Background(), "Z00001", "k", failing); errors.Is(err, errGP) {
				failed.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("failing load called %d times, want 1", n)
	}
	if n := failed.Load(); n != 100 {
		t.Errorf("%d of 100 waiters got the loader's error, want all", n)
	}
	var ld counter
	v, err := c.Get(t.Context(), "Z00001", "k", ld.load)
	if err != nil || v.Gen != 1 {
		t.Fatalf("Get after a failed load: gen %d, err %v; want a fresh load", v.Gen, err)
	}
}

func TestStaleLoaderDoesNotStore(t *testing.T) {
	srv := redistest.MustStart(t)
	c := New[slots](srv.Client(t), "test", time.Minute)
	started, finish := make(chan struct{}), make(chan struct{})
	stale := func(ctx context.Context) (slots, error) {
		close(started)
		<-finish
		return slots{Gen: -1}, nil
	}
	done := make(chan slots)
	go func() {
		v, err := c.Get(context.Background(), "Z00001", "k", stale)
		if err != nil {
			t.Error(err)
		}
		done <- v
	}()
	<-started
	if err := c.Invalidate(t.Context(), "Z00001"); err != nil {
		t.Fatal(err)
	}
	close(finish)
	if v := <-done; v.Gen != -1 {
		t.Fatalf("the Get that started before Invalidate got gen %d, want its loader's -1", v.Gen)
	}
	var ld counter
	if v, err := c.Get(t.Context(), "Z00001", "k", ld.load); err != nil || v.Gen != 1 {
		t.Fatalf("Get after Invalidate: gen %d, err %v; want a reload (1), not the stale value", v.Gen, err)
	}
}

// A Get after Invalidate neither joins nor waits for a loader that started
// before it, in this process or another.
func TestGetAfterInvalidateDoesNotWaitForStaleLoader(t *testing.T) {
	srv := redistest.MustStart(t)
	a := New[slots](srv.Client(t), "test", time.Minute)
	b := New[slots](srv.Client(t), "test", time.Minute)
	started, finish := make(chan struct{}), make(chan struct{})
	stale := func(ctx context.Context) (slots, error) {
		close(started)
		<-finish
		return slots{Gen: -1}, nil
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = a.Get(context.Background(), "Z00001", "k", stale)
	}()
	<-started
	if err := a.Invalidate(t.Context(), "Z00001"); err != nil {
		t.Fatal(err)
	}
	var ld counter
	for _, c := range []*Cache[slots]{a, b} {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		v, err := c.Get(ctx, "Z00001", "k", ld.load)
		cancel()
		if err != nil || v.Gen != 1 {
			t.Fatalf("Get during a stale load: gen %d, err %v; want fresh 1", v.Gen, err)
		}
	}
	close(finish)
	<-done
	if v, err := b.Get(t.Context(), "Z00001", "k", ld.load); err != nil || v.Gen != 1 {
		t.Fatalf("after the stale loader finished: gen %d, err %v; want the fresh value still", v.Gen, err)
	}
	if n := ld.n.Load(); n != 1 {
		t.Fatalf("fresh load called %d times, want 1", n)
	}
}

func TestWaiterLoadsItselfAfterMaxWait(t *testing.T) {
	srv := redistest.MustStart(t)
	rdb := srv.Client(t)
	c := New[slots](rdb, "test", time.Minute)
	c.MaxWait = 100 * time.Millisecond
	// A process that took the lock and died.
	if err := rdb.Set(t.Context(), c.lockKey("Z00001", "k"), "0:dead", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	var ld counter
	begin := time.Now()
	v, err := c.Get(t.Context(), "Z00001", "k", ld.load)
	if err != nil || v.Gen != 1 {
		t.Fatalf("Get: gen %d, err %v", v.Gen, err)
	}
	if d := time.Since(begin); d < c.MaxWait || d > time.Second {
		t.Errorf("Get took %v, want about MaxWait (%v)", d, c.MaxWait)
	}
	if v, _ := c.Get(t.Context(), "Z00001", "k", ld.load); v.Gen != 1 {
		t.Errorf("the self-loaded value was not stored: gen %d", v.Gen)
	}
}

func TestRedisDownFallsBackToLoad(t *testing.T) {
	srv := redistest.MustStart(t)
	c := New[slots](srv.Client(t), "test", time.Minute)
	c.bypassFor = 300 * time.Millisecond
	var ld counter
	ld.delay = 100 * time.Millisecond
	if _, err := c.Get(t.Context(), "Z00001", "k", ld.load); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	begin := time.Now()
	got := getAll(t, c, 100, ld.load)
	for _, g := range got {
		if g.Gen < 2 {
			t.Fatalf("with Redis down got gen %d, want a fresh load", g.Gen)
		}
	}
	t.Logf("Redis down: 100 concurrent Gets in %v, %d loads", time.Since(begin), ld.n.Load()-1)
	if err := c.Invalidate(t.Context(), "Z00001"); err == nil {
		t.Error("Invalidate with Redis down: want an error")
	}

	// While Redis stays down, Gets skip it rather than wait on the dialler.
	begin = time.Now()
	if _, err := c.Get(t.Context(), "Z00001", "k", ld.load); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > 250*time.Millisecond {
		t.Errorf("Get during an outage took %v, want about the load time (100ms)", d)
	}

	// When Redis is back the cache is used again.
	srv.Restart(t)
	time.Sleep(c.bypassFor)
	first, err := c.Get(t.Context(), "Z00001", "k", ld.load)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Get(t.Context(), "Z00001", "k", ld.load)
	if err != nil || again.Gen != first.Gen {
		t.Fatalf("after Redis came back: gen %d then %d (err %v), want a cache hit", first.Gen, again.Gen, err)
	}
}

func TestCancelledCallerLeavesFlightForOthers(t *testing.T) {
	srv := redistest.MustStart(t)
	c := New[slots](srv.Client(t), "test", time.Minute)
	var ld counter
	ld.delay = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error)
	go func() {
		_, err := c.Get(ctx, "Z00001", "k", ld.load)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	other := make(chan slots)
	go func() {
		v, _ := c.Get(context.Background(), "Z00001", "k", ld.load)
		other <- v
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Get: %v, want context.Canceled", err)
	}
	if v := <-other; v.Gen != 1 {
		t.Fatalf("other caller got gen %d, want 1 from the shared flight", v.Gen)
	}
}

func TestLoaderPanicIsAnError(t *testing.T) {
	srv := redistest.MustStart(t)
	c := New[slots](srv.Client(t), "test", time.Minute)
	_, err := c.Get(t.Context(), "Z00001", "k", func(context.Context) (slots, error) { panic("boom") })
	if err == nil {
		t.Fatal("want an error from a panicking loader")
	}
	var ld counter
	if v, err := c.Get(t.Context(), "Z00001", "k", ld.load); err != nil || v.Gen != 1 {
		t.Fatalf("after a panic: gen %d, err %v; want a load (the lock was released)", v.Gen, err)
	}
}

func BenchmarkGetHit(b *testing.B) {
	srv := redistest.MustStart(b)
	c := New[slots](srv.Client(b), "bench", time.Hour)
	load := func(context.Context) (slots, error) {
		return slots{Practice: "Z00001", IDs: []string{"s1", "s2", "s3", "s4"}}, nil
	}
	ctx := context.Background()
	if _, err := c.Get(ctx, "Z00001", "k", load); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(ctx, "Z00001", "k", load); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedisGET is the floor for BenchmarkGetHit: one plain GET of a
// value of the same size.
func BenchmarkRedisGET(b *testing.B) {
	srv := redistest.MustStart(b)
	rdb := srv.Client(b)
	ctx := context.Background()
	val := fmt.Sprintf("1:%s", `{"practice":"Z00001","ids":["s1","s2","s3","s4"],"gen":0}`)
	if err := rdb.Set(ctx, "bench:k", val, 0).Err(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := rdb.Get(ctx, "bench:k").Err(); err != nil {
			b.Fatal(err)
		}
	}
}
