package sandbox

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// replicaWait is how long a write on a Redis Cluster waits for a replica to
// have it before it is answered.
const replicaWait = 500 * time.Millisecond

// errNotReplicated: a write's master did not confirm that its replica has
// it, so a failover may yet lose it.
var errNotReplicated = errors.New("write not confirmed by a replica")

// onMaster runs fn, which writes keys in key's slot and reports whether it
// did, and answers once the write is safe. On a single node that is at once. On a Redis Cluster fn runs on one
// connection to the slot's master, which then waits (WAIT) for a replica to
// have what fn wrote, so that a booking, cancellation, order or request that
// was answered outlives its master failing: replication is otherwise
// asynchronous, and a replica promoted without the write would lose it. A
// write no replica took within replicaWait still stands (none may be up);
// only a master dying in that moment loses it, as it would lose one never
// answered. A slot that moved is looked up again and tried once more.
func (s *System) onMaster(ctx context.Context, key string, fn func(redis.Cmdable) (bool, error)) error {
	return s.replicated(ctx, key, false, fn)
}

// onMasterSure is onMaster for a write whose retry recognises it (a
// booking made with a key): unless a replica is known to have the write,
// or the master has none to lose it to, it answers an error, so the caller
// is told unavailable rather than done, and its retry learns the outcome.
// The master dying in the moment after the write (the WAIT fails) is then
// never answered as success.
func (s *System) onMasterSure(ctx context.Context, key string, fn func(redis.Cmdable) (bool, error)) error {
	return s.replicated(ctx, key, true, fn)
}

func (s *System) replicated(ctx context.Context, key string, sure bool, fn func(redis.Cmdable) (bool, error)) error {
	cl, ok := s.rdb.(*redis.ClusterClient)
	if !ok {
		_, err := fn(s.rdb)
		return err
	}
	for attempt := 0; ; attempt++ {
		m, err := cl.MasterForKey(ctx, key)
		if err != nil {
			return err
		}
		err = func() error {
			conn := m.Conn()
			defer conn.Close()
			wrote, err := fn(conn)
			if err != nil || !wrote {
				return err
			}
			n, err := conn.Wait(ctx, 1, replicaWait).Result()
			if !sure || n > 0 {
				return nil
			}
			if err == nil && !hasReplica(ctx, conn) {
				return nil
			}
			return errors.Join(errNotReplicated, err)
		}()
		if attempt == 0 && (redis.HasErrorPrefix(err, "MOVED") || redis.HasErrorPrefix(err, "ASK")) {
			cl.ReloadState(ctx)
			continue
		}
		return err
	}
}

// hasReplica reports whether the master on conn has a replica connected
// (ROLE lists them); when it cannot tell, it assumes one.
func hasReplica(ctx context.Context, conn *redis.Conn) bool {
	role, err := conn.Do(ctx, "ROLE").Slice()
	if err != nil || len(role) < 3 {
		return true
	}
	replicas, ok := role[2].([]any)
	return !ok || len(replicas) > 0
}
