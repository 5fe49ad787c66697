package redistest

import (
	"context"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// ResetStats zeroes the command counts of the server, or of every node of
// its cluster.
func (s *Server) ResetStats(tb testing.TB) {
	tb.Helper()
	err := s.eachNode(func(ctx context.Context, c *redis.Client) error { return c.ConfigResetStat(ctx).Err() })
	if err != nil {
		tb.Fatal(err)
	}
}

// CommandCalls counts the commands the server (every node of its cluster,
// replicas included) has run since it started or ResetStats, by lower-case
// name.
func (s *Server) CommandCalls(tb testing.TB) map[string]int64 {
	tb.Helper()
	var mu sync.Mutex
	out := map[string]int64{}
	err := s.eachNode(func(ctx context.Context, c *redis.Client) error {
		info, err := c.Info(ctx, "commandstats").Result()
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for name, n := range ParseCommandStats(info) {
			out[name] += n
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// ParseCommandStats reads INFO commandstats: calls by lower-case command
// name.
func ParseCommandStats(info string) map[string]int64 {
	out := map[string]int64{}
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(rest, "calls="), ",")
		n, err := strconv.ParseInt(calls, 10, 64)
		if err != nil {
			continue
		}
		out[strings.TrimPrefix(name, "cmdstat_")] = n
	}
	return out
}

// Keys lists the keys matching pattern on the server, or on every master of
// its cluster (KEYS through a cluster client asks one node only).
func (s *Server) Keys(tb testing.TB, pattern string) []string {
	tb.Helper()
	var mu sync.Mutex
	var out []string
	ctx := context.Background()
	each := func(ctx context.Context, c *redis.Client) error {
		keys, err := c.Keys(ctx, pattern).Result()
		mu.Lock()
		defer mu.Unlock()
		out = append(out, keys...)
		return err
	}
	var err error
	if s.cluster == nil {
		c := redis.NewClient(&redis.Options{Addr: s.Addr})
		defer c.Close()
		err = each(ctx, c)
	} else {
		cl := redis.NewClusterClient(ClusterOptions(s.cluster.Addrs()))
		defer cl.Close()
		err = cl.ForEachMaster(ctx, each)
	}
	if err != nil {
		tb.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func (s *Server) eachNode(fn func(context.Context, *redis.Client) error) error {
	ctx := context.Background()
	if s.cluster == nil {
		c := redis.NewClient(&redis.Options{Addr: s.Addr})
		defer c.Close()
		return fn(ctx, c)
	}
	cl := redis.NewClusterClient(ClusterOptions(s.cluster.Addrs()))
	defer cl.Close()
	return cl.ForEachShard(ctx, fn)
}

// MustStartDurableNode starts a private single redis-server that keeps
// what it had across Stop and Restart (append-only file, written at once),
// for a test of Redis going away and coming back with its data, as a
// master that restarts does.
func MustStartDurableNode(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not found: install it (Debian: apt-get install redis-server), or run `make test`, which does")
	}
	return mustStart(tb, bin, []string{"--appendonly", "yes", "--appendfsync", "always"})
}
