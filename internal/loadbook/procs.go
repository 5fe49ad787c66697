package loadbook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/nhs-companion/companion/server/web"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// ServerPackage is the import path of Companion's server binary.
const ServerPackage = "github.com/nhs-companion/companion/cmd/companion"

// BuildServer compiles Companion's server into dir and returns the binary's
// path. It builds with -trimpath, as `make build` does, so a warm build cache
// leaves only the link to do.
func BuildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "companion")
	out, err := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, ServerPackage).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", ServerPackage, err, out)
	}
	return bin, nil
}

// Redis is a private redis-server this package started.
type Redis struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
}

// StartRedis starts a redis-server on a free loopback port, keeping nothing
// on disk, and waits until it answers. Stop it with Stop.
func StartRedis(ctx context.Context) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, errors.New("redis-server not found: install it (Debian: apt-get install redis-server)")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "loadbook-redis")
	if err != nil {
		return nil, err
	}
	r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir}
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--loglevel", "warning",
		"--maxclients", "20000")
	if err := r.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) || ctx.Err() != nil {
			r.Stop()
			return nil, fmt.Errorf("redis-server on %s did not answer within 10s", r.Addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r, nil
}

// URL is the server's redis:// URL.
func (r *Redis) URL() string { return "redis://" + r.Addr + "/0" }

// Stop kills the server and removes its directory.
func (r *Redis) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
	os.RemoveAll(r.dir)
}

// process is one Companion server process this package started.
type process struct {
	base    string
	metrics string // its /metrics URL, when it has a listener
	cmd     *exec.Cmd
	log     *tailBuffer
}

// ServerOptions are what server processes share: the stores and the
// admission limit.
type ServerOptions struct {
	// RedisURL is one Redis node; ClusterAddrs, when set, a Redis Cluster
	// instead.
	RedisURL     string
	ClusterAddrs []string
	// DatabaseURL, when set, keeps the durable records in PostgreSQL.
	DatabaseURL string
	// Admission is BOOKING_CONCURRENCY.
	Admission int
	// Metrics gives each process a metrics listener (Servers.MetricsURL).
	Metrics bool
}

// serverEnv is what every server process runs with: sandbox mode on the
// shared stores, and limits that measure Companion rather than its per-IP
// rate limits (every synthetic patient comes from 127.0.0.1).
func serverEnv(port int, o ServerOptions, metricsAddr, webDir string) []string {
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	return []string{
		"COMPANION_ENV=sandbox", "ADDR=127.0.0.1", "PORT=" + strconv.Itoa(port), "PUBLIC_URL=" + base,
		"REDIS_URL=" + o.RedisURL, "REDIS_CLUSTER_ADDRS=" + strings.Join(o.ClusterAddrs, ","), "DATABASE_URL=" + o.DatabaseURL,
		"METRICS_ADDR=" + metricsAddr, "LOG_LEVEL=warn", "WEB_DIR=" + webDir,
		"RATE_LIMIT_SIGNIN=100000000", "RATE_LIMIT_API=100000000",
		"BOOKING_CONCURRENCY=" + strconv.Itoa(o.Admission),
	}
}

// startProcesses starts n server processes on the same stores and waits
// until each is ready.
func startProcesses(ctx context.Context, bin string, n int, o ServerOptions, webDir string) ([]*process, error) {
	var procs []*process
	stopAll := func() {
		for _, p := range procs {
			p.stop()
		}
	}
	for i := 0; i < n; i++ {
		port, err := freePort()
		if err != nil {
			stopAll()
			return nil, err
		}
		p := &process{base: "http://127.0.0.1:" + strconv.Itoa(port), log: &tailBuffer{max: 8 << 10}}
		metricsAddr := ""
		if o.Metrics {
			mport, err := freePort()
			if err != nil {
				stopAll()
				return nil, err
			}
			metricsAddr = "127.0.0.1:" + strconv.Itoa(mport)
			p.metrics = "http://" + metricsAddr + "/metrics"
		}
		p.cmd = exec.Command(bin)
		// Only what serverEnv sets: nothing from the caller's environment
		// (a stray COMPANION_ENV, say) changes the run.
		p.cmd.Env = serverEnv(port, o, metricsAddr, webDir)
		p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
		if err := p.cmd.Start(); err != nil {
			stopAll()
			return nil, fmt.Errorf("start %s: %w", bin, err)
		}
		procs = append(procs, p)
	}
	for i, p := range procs {
		if err := p.waitReady(ctx, 30*time.Second); err != nil {
			stopAll()
			return nil, fmt.Errorf("server process %d: %w\n%s", i+1, err, p.log.String())
		}
	}
	return procs, nil
}

func (p *process) waitReady(ctx context.Context, within time.Duration) error {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(within)
	for {
		res, err := c.Get(p.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("not ready at %s within %s", p.base, within)
		}
		if p.cmd.ProcessState != nil {
			return errors.New("exited")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *process) stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		p.cmd = nil
	}
}

// stubWeb writes a WEB_DIR holding small stand-ins for the files the server
// needs to start: the race uses only /auth and /api, never a page's assets.
func stubWeb(dir string) error { return web.WriteStubs(dir) }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last max bytes written to it (a process's log, shown
// when it fails to start).
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(t.buf.String())
}
