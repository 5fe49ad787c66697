package redistest_test

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
)

// TestClusterFailsOver: the cluster serves, and when the master holding a
// key dies its replica takes over with the key.
func TestClusterFailsOver(t *testing.T) {
	c := redistest.MustStartCluster(t)
	cl := c.Client(t)
	ctx := context.Background()
	if err := cl.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	// The replica must have the key before its master goes (replication
	// is asynchronous: WAIT on the key's master).
	m, err := cl.MasterForKey(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := m.Wait(ctx, 1, 5*time.Second).Result(); err != nil || n != 1 {
		t.Fatalf("WAIT: %d replicas, %v", n, err)
	}
	c.KillMaster(t, "k")
	c.WaitOK(t, 30*time.Second)
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got, err = cl.Get(ctx, "k").Result(); err == nil {
			break
		}
		cl.ReloadState(ctx) // learn the new master
	}
	if got != "v" {
		t.Errorf("after failover: %q %v", got, err)
	}
}
