// Command benchauth measures signed-in GET /api/v1/me, the home page and
// the appointments page against a real redis-server, beside a floor
// measured in the same run: a bare net/http handler on the same machine
// doing one Redis GET. It prints requests per second and p50/p99 latency at
// each connection count, the ratios to the floor, and the Redis round trips
// and GP-system calls each request made.
//
// Usage: go run ./cmd/benchauth [-d 5s] [-conns 64,256] [-paths /api/v1/me,/,/appointments] [-redis-url redis://…] [-cpuprofile f]
// Without -redis-url it starts a private redis-server on a free port.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/internal/loadgen"
	"github.com/nhs-companion/companion/internal/roundtrip"
	"github.com/nhs-companion/companion/internal/wire"
)

func main() {
	d := flag.Duration("d", 5*time.Second, "duration of each measurement")
	connList := flag.String("conns", "64,256", "connection counts to measure")
	redisURL := flag.String("redis-url", "", "Redis to use (default: start a private redis-server)")
	web := flag.String("web", "web", "built WEB_DIR")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (server and load) here")
	pathList := flag.String("paths", "/api/v1/me,/,/appointments", "signed-in paths to measure")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchauth:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*d, *connList, *redisURL, *web, strings.Split(*pathList, ",")); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "benchauth:", err)
		os.Exit(1)
	}
}

func run(d time.Duration, connList, redisURL, web string, paths []string) error {
	ctx := context.Background()
	if redisURL == "" {
		addr, stop, err := startRedis()
		if err != nil {
			return err
		}
		defer stop()
		redisURL = "redis://" + addr + "/0"
	}
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return err
	}
	opt.PoolSize = 512
	rdb := redis.NewClient(opt)
	defer rdb.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	vars := map[string]string{"PUBLIC_URL": base, "WEB_DIR": web, "LOG_LEVEL": "error",
		"RATE_LIMIT_API": "100000000", "RATE_LIMIT_SIGNIN": "100000"}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		return err
	}
	srv, err := wire.Build(ctx, cfg, rdb, io.Discard)
	if err != nil {
		return err
	}
	go http.Serve(ln, srv.Handler())

	// The floor: the least a signed-in request can cost here, one Redis GET.
	if err := rdb.Set(ctx, "bench:floor", "x", 0).Err(); err != nil {
		return err
	}
	fl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(fl, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := rdb.Get(r.Context(), "bench:floor").Result()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(v))
	}))
	floorURL := "http://" + fl.Addr().String() + "/"

	// One signed-in session per connection, as many people would have.
	maxConns := 0
	var conns []int
	for _, s := range strings.Split(connList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad -conns %q", connList)
		}
		conns = append(conns, n)
		maxConns = max(maxConns, n)
	}
	cookies := make([]string, maxConns)
	for i := range cookies {
		if cookies[i], err = signIn(base); err != nil {
			return err
		}
	}
	var cost costs
	srv.Metrics.SetTrace(cost.add)

	fmt.Printf("Signed-in requests vs floor (bare handler, one Redis GET); %s each; redis-server; sandbox GP system; GOMAXPROCS=%s\n",
		d, os.Getenv("GOMAXPROCS"))
	fmt.Printf("%-6s %-14s %s\n", "conns", "target", "result")
	for _, n := range conns {
		floor := loadgen.Run(ctx, n, d, func(int) *http.Request { r, _ := http.NewRequest("GET", floorURL, nil); return r })
		fmt.Printf("%-6d %-14s %s\n", n, "floor", floor)
		if floor.Errors > 0 {
			return fmt.Errorf("errors during the floor's run: %d", floor.Errors)
		}
		for _, path := range paths {
			cost.reset()
			got := loadgen.Run(ctx, n, d, func(w int) *http.Request {
				r, _ := http.NewRequest("GET", base+path, nil)
				r.Header.Set("Cookie", "companion="+cookies[w])
				return r
			})
			redisPer, gpPer := cost.per()
			fmt.Printf("%-6d %-14s %s\n", n, path, got)
			fmt.Printf("%-6d %-14s throughput %.2f× floor, p50 %.2f×, p99 %.2f×; %.2f Redis round trips and %.2f GP-system calls per request\n", n, "  ratio",
				got.RPS()/floor.RPS(), float64(got.P50)/float64(floor.P50), float64(got.P99)/float64(floor.P99), redisPer, gpPer)
			if got.Errors > 0 {
				return fmt.Errorf("errors during the run of %s: %d", path, got.Errors)
			}
		}
	}
	return nil
}

// costs sums what the measured requests cost the stores.
type costs struct{ requests, redis, gp atomic.Int64 }

func (c *costs) add(_ string, rt *roundtrip.Counter) {
	c.requests.Add(1)
	c.redis.Add(int64(rt.Redis()))
	c.gp.Add(int64(rt.GP()))
}

func (c *costs) reset() { c.requests.Store(0); c.redis.Store(0); c.gp.Store(0) }

func (c *costs) per() (redis, gp float64) {
	n := float64(max(c.requests.Load(), 1))
	return float64(c.redis.Load()) / n, float64(c.gp.Load()) / n
}

// signIn signs in Amara through the sandbox NHS login and returns the
// session cookie's value.
func signIn(base string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := c.Get(base + "/auth/login?login_hint=9990000018")
	if err != nil {
		return "", err
	}
	res.Body.Close()
	req, _ := http.NewRequest("GET", base+"/", nil)
	for _, ck := range jar.Cookies(req.URL) {
		if ck.Name == "companion" {
			return ck.Value, nil
		}
	}
	return "", fmt.Errorf("sign-in gave no session (status %d)", res.StatusCode)
}

func startRedis() (string, func(), error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", nil, fmt.Errorf("redis-server not found: apt-get install redis-server")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, _ := os.MkdirTemp("", "benchredis")
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", filepath.Clean(dir))
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	for i := 0; i < 200; i++ {
		if c.Ping(context.Background()).Err() == nil {
			return addr, func() { cmd.Process.Kill(); cmd.Wait(); os.RemoveAll(dir) }, nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	cmd.Process.Kill()
	return "", nil, fmt.Errorf("redis-server did not start")
}
