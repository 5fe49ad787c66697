package sandbox

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp"
)

// killAfterScript kills, once, the master a script ran on, the moment its
// answer came and before the master could confirm a replica has it.
type killAfterScript struct {
	once sync.Once
	kill func()
}

func (k *killAfterScript) DialHook(next redis.DialHook) redis.DialHook { return next }

func (k *killAfterScript) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if (cmd.Name() == "evalsha" || cmd.Name() == "eval") && err == nil {
			k.once.Do(k.kill)
		}
		return err
	}
}

func (k *killAfterScript) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestBookingWhoseMasterDiesIsNeverAnsweredWrong: on a Redis Cluster the
// master holding the diary dies the moment after a booking was written.
// Whether or not its replica had the booking when it took over, the
// patient is never told booked for a booking that may be lost: the attempt
// is answered unavailable, and its retry (the same request, the same key)
// is answered with the appointment, made once, never slot taken.
func TestBookingWhoseMasterDiesIsNeverAnsweredWrong(t *testing.T) {
	ctx := context.Background()
	c := redistest.MustStartCluster(t)
	// As Companion's own client: the cluster's shape read every second,
	// so the replica that took over is found.
	opt := redistest.ClusterOptions(c.Addrs())
	opt.ClusterStateReloadInterval = time.Second
	cl := redis.NewClusterClient(opt)
	t.Cleanup(func() { cl.Close() })
	s := New(cl, "test:", time.Now)
	if err := s.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	// The diary is on the replicas before the test begins: only the
	// booking may be lost with the master, not the slots it books.
	if err := cl.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
		if got, err := n.Do(ctx, "WAIT", 1, 10000).Int(); err != nil || got < 1 {
			return errors.Join(err, errors.New("the seeded diary did not reach a replica"))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	sl := freeSlots(t, s, now, gp.SlotGP)[0]
	amara := "9990000018"
	b := gp.Booking{PatientNHS: amara, PracticeODS: PilotPractice, SlotID: sl.ID, Actor: "amara", Key: "idem-1", NotBefore: now}

	killed := &killAfterScript{kill: func() { c.KillMaster(t, s.freeKey(PilotPractice)) }}
	if err := cl.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error { n.AddHook(killed); return nil }); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Book(ctx, b); !errors.Is(err, gp.ErrUnavailable) {
		t.Fatalf("booking whose master died before a replica confirmed it: %+v, %v; want ErrUnavailable", a, err)
	}

	c.WaitOK(t, 30*time.Second)
	var a gp.Appointment
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if a, err = s.Book(ctx, b); !errors.Is(err, gp.ErrUnavailable) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil || a.Slot.ID != sl.ID || a.Status != gp.StatusBooked {
		t.Fatalf("retried booking after the failover: %+v, %v; want the slot booked", a, err)
	}
	list, err := s.Appointments(ctx, amara)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range list {
		if x.Slot.ID == sl.ID && x.Status == gp.StatusBooked {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d booked appointments on the slot after the retry, want 1", n)
	}
}
