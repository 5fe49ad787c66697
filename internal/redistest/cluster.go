package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// clusterArgs start a redis-server as a cluster node. A node is thought
// failed after a second, so a failover takes a second or two.
// A master sends a new replica its data at once rather than waiting five
// seconds for others to join.
var clusterArgs = []string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
	"--cluster-node-timeout", "1000", "--cluster-require-full-coverage", "no", "--cluster-replica-validity-factor", "0",
	"--repl-diskless-sync-delay", "0"}

// Cluster is a private Redis Cluster: three masters, each with a replica,
// on free loopback ports.
type Cluster struct {
	Nodes   []*Server
	stopped bool
}

// MustStartCluster starts a private cluster for tb (one it may break:
// KillMaster), stopped when tb ends.
func MustStartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := startCluster()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	return c
}

// StartCluster starts a private cluster for a tool (cmd/capacity): Close
// it when done.
func StartCluster() (*Cluster, error) { return startCluster() }

// Close kills every node and removes their directories.
func (c *Cluster) Close() {
	c.stopAll()
	for _, n := range c.Nodes {
		os.RemoveAll(n.dir)
	}
}

// ok reports whether every live node sees a healthy cluster whose every
// slot is served by a live master, and every live replica is in step with
// its master (a replica still loading its first copy would, if its master
// died, take over with nothing).
func (c *Cluster) ok(ctx context.Context) bool {
	live := map[string]bool{}
	for _, n := range c.Nodes {
		if n.cmd != nil {
			live[n.Addr] = true
		}
	}
	for addr := range live {
		cl := redis.NewClient(&redis.Options{Addr: addr})
		info, err := cl.ClusterInfo(ctx).Result()
		var slots []redis.ClusterSlot
		if err == nil {
			slots, err = cl.ClusterSlots(ctx).Result()
		}
		var repl string
		if err == nil {
			repl, err = cl.Info(ctx, "replication").Result()
		}
		cl.Close()
		if err != nil || !strings.Contains(info, "cluster_state:ok") {
			return false
		}
		if strings.Contains(repl, "role:slave") && !strings.Contains(repl, "master_link_status:up") {
			return false
		}
		covered := 0
		for _, s := range slots {
			if len(s.Nodes) == 0 || !live[s.Nodes[0].Addr] {
				return false
			}
			covered += s.End - s.Start + 1
		}
		if covered != 16384 {
			return false
		}
	}
	return true
}

// ClusterOptions are the options of every cluster client the tests make,
// as Companion's own (cmd/companion): maintenance notifications off, since
// go-redis v9.23's fallback from them (which redis-server 7 does not know)
// rewrites options that a node's connections share, a data race under
// -race when one connection is taken apart (Client.Conn, as the sandbox
// GP system's replicated writes do).
func ClusterOptions(addrs []string) *redis.ClusterOptions {
	return &redis.ClusterOptions{Addrs: addrs,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}}
}

// Addrs are the nodes' addresses, for REDIS_CLUSTER_ADDRS.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr
	}
	return out
}

// Client is a cluster client, closed when tb ends.
func (c *Cluster) Client(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	cl := redis.NewClusterClient(ClusterOptions(c.Addrs()))
	tb.Cleanup(func() { cl.Close() })
	return cl
}

// KillMaster kills the master serving key, returning its address; its
// replica takes over once the cluster notices.
func (c *Cluster) KillMaster(tb testing.TB, key string) string {
	tb.Helper()
	cl := c.Client(tb)
	ctx := context.Background()
	slot, err := cl.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		tb.Fatal(err)
	}
	slots, err := cl.ClusterSlots(ctx).Result()
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range slots {
		if int64(s.Start) <= slot && slot <= int64(s.End) {
			addr := s.Nodes[0].Addr
			for _, n := range c.Nodes {
				if n.Addr == addr {
					n.stop()
					return addr
				}
			}
		}
	}
	tb.Fatalf("no master found for slot %d", slot)
	return ""
}

// WaitOK waits until the surviving nodes see a healthy cluster again.
func (c *Cluster) WaitOK(tb testing.TB, within time.Duration) {
	tb.Helper()
	for deadline := time.Now().Add(within); !c.ok(context.Background()); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatal(fmt.Sprintf("redis cluster not ok within %s", within))
		}
	}
}

// ClusterEnv, set to 1, makes MustStart give every test the test
// process's Redis Cluster (three masters, three replicas), emptied,
// instead of a server of its own: `make test` runs the suites that must
// work on a cluster once each way.
const ClusterEnv = "REDISTEST_CLUSTER"

var (
	shared     *Cluster
	sharedErr  error
	sharedOnce sync.Once
)

// sharedCluster is the test process's cluster, started on first use and
// emptied for each test (restarted if a test stopped it).
func sharedCluster(tb testing.TB) *Cluster {
	tb.Helper()
	sharedOnce.Do(func() { shared, sharedErr = startCluster() })
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	if shared.stopped {
		shared.restartAll(tb)
	}
	cl := redis.NewClusterClient(ClusterOptions(shared.Addrs()))
	defer cl.Close()
	ctx := context.Background()
	if err := cl.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return c.FlushAll(ctx).Err() }); err != nil {
		tb.Fatal(err)
	}
	return shared
}

// stopAll kills every node.
func (c *Cluster) stopAll() {
	for _, n := range c.Nodes {
		n.stop()
	}
	c.stopped = true
}

// restartAll starts every node again on its port, keeping the cluster's
// shape (nodes.conf) but no data, and waits until it is ok.
func (c *Cluster) restartAll(tb testing.TB) {
	tb.Helper()
	c.stopAll()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal(err)
	}
	for _, n := range c.Nodes {
		n.start(tb, bin)
	}
	c.stopped = false
	c.WaitOK(tb, 30*time.Second)
}

// startCluster starts six redis-server processes in cluster mode on free
// loopback ports, joins them with `redis-cli --cluster create` (three
// masters, one replica each) and waits until every node says the cluster
// is ok. Its servers die with the test process at the latest; the shared
// cluster leaves its six small directories (nodes.conf) in the temporary
// directory.
func startCluster() (*Cluster, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, err
	}
	c := &Cluster{}
	args := []string{"--cluster", "create"}
	for range 6 {
		dir, err := os.MkdirTemp("", "redistest-cluster-")
		if err != nil {
			return nil, err
		}
		var n *Server
		for attempt := 0; ; attempt++ {
			n = &Server{dir: dir, extra: clusterArgs, deathSignal: true}
			n.port = freePortOrZero()
			n.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(n.port))
			if err = n.tryStart(bin); err == nil {
				break
			}
			if attempt == 4 {
				return nil, err
			}
		}
		c.Nodes = append(c.Nodes, n)
		args = append(args, n.Addr)
	}
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for deadline := time.Now().Add(30 * time.Second); !c.ok(context.Background()); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("redis cluster not ok within 30s")
		}
	}
	return c, nil
}
