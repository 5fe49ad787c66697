// Package redistest starts private redis-server processes for tests: one per
// call, on a free loopback port, removed when the test ends. It never touches
// a shared Redis.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a running private redis-server.
type Server struct {
	Addr  string
	cmd   *exec.Cmd
	dir   string
	port  int
	extra []string // more redis-server arguments (cluster mode)
	// deathSignal kills the server when the test process exits.
	deathSignal bool
	// cluster, with REDISTEST_CLUSTER=1, is the shared cluster this stands
	// for: its client is a cluster client, Stop and Restart act on every
	// node.
	cluster *Cluster
}

// MustStart starts a redis-server on a free loopback port and stops it when tb
// ends. It fails the test, saying what to install, when redis-server is
// missing.
func MustStart(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not found: install it (Debian: apt-get install redis-server), or run `make test`, which does")
	}
	if os.Getenv(ClusterEnv) == "1" {
		c := sharedCluster(tb)
		// Addr is a node's, for tests that dial it themselves (to see
		// Redis go away); the Client is the cluster's.
		return &Server{cluster: c, Addr: c.Nodes[0].Addr}
	}
	return mustStart(tb, bin, nil)
}

// MustStartNode starts a private single redis-server whatever
// REDISTEST_CLUSTER says, for a test that needs a Redis apart from the one
// MustStart gives (a GP system's own, which goes down alone).
func MustStartNode(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not found: install it (Debian: apt-get install redis-server), or run `make test`, which does")
	}
	return mustStart(tb, bin, nil)
}

func mustStart(tb testing.TB, bin string, extra []string) *Server {
	tb.Helper()
	s := &Server{dir: tb.TempDir(), extra: extra}
	tb.Cleanup(func() { s.stop() })
	// Another process may take the free port before our server binds it:
	// then try another.
	for attempt := 0; ; attempt++ {
		s.port = freePort(tb)
		s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
		err := s.tryStart(bin)
		if err == nil {
			return s
		}
		if attempt == 4 {
			tb.Fatal(err)
		}
	}
}

func (s *Server) start(tb testing.TB, bin string) {
	tb.Helper()
	if err := s.tryStart(bin); err != nil {
		tb.Fatal(err)
	}
}

// tryStart starts redis-server on s.port and waits until it answers. The
// server answering must be ours: another process's test may have taken the
// port between freePort and our start (or while we were stopped for a
// restart), and using its Redis would mix two tests' data.
func (s *Server) tryStart(bin string) error {
	s.cmd = exec.Command(bin, append([]string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
		"--daemonize", "no", "--loglevel", "warning"}, s.extra...)...)
	if s.deathSignal {
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer c.Close()
	for {
		if err := c.Ping(context.Background()).Err(); err == nil {
			if pid := serverPID(c); pid != s.cmd.Process.Pid {
				s.stop()
				return fmt.Errorf("port %d is held by another redis-server (pid %d), not ours", s.port, pid)
			}
			return nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return fmt.Errorf("redis-server on %s did not answer within 10s", s.Addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serverPID is the process ID the server at c reports.
func serverPID(c *redis.Client) int {
	info, err := c.Info(context.Background(), "server").Result()
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			pid, _ := strconv.Atoi(v)
			return pid
		}
	}
	return 0
}

func (s *Server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

// Stop kills the server now, to test what happens when Redis goes away:
// every node of a cluster.
func (s *Server) Stop() {
	if s.cluster != nil {
		s.cluster.stopAll()
		return
	}
	s.stop()
}

// Restart starts the server again on the same port (empty: it keeps nothing).
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	if s.cluster != nil {
		s.cluster.restartAll(tb)
		return
	}
	s.stop()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal(err)
	}
	s.start(tb, bin)
}

// Client returns a go-redis client for the server, closed when tb ends.
func (s *Server) Client(tb testing.TB) redis.UniversalClient {
	tb.Helper()
	if s.cluster != nil {
		cl := redis.NewClusterClient(ClusterOptions(s.cluster.Addrs()))
		tb.Cleanup(func() { cl.Close() })
		return cl
	}
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	tb.Cleanup(func() { c.Close() })
	return c
}

// URL is the server's redis:// URL.
func (s *Server) URL() string { return fmt.Sprintf("redis://%s/0", s.Addr) }

func freePort(tb testing.TB) int {
	tb.Helper()
	p := freePortOrZero()
	if p == 0 {
		tb.Fatal("find a free port: none")
	}
	return p
}

// freePortOrZero is a free loopback port, or 0 when none can be found (the
// start then fails and is retried).
func freePortOrZero() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
