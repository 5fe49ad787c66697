package sandbox

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// replicaWait is how long a write on a Redis Cluster waits for a replica to
// have it before it is answered.
const replicaWait = 500 * time.Millisecond

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
			conn.Wait(ctx, 1, replicaWait)
			return nil
		}()
		if attempt == 0 && (redis.HasErrorPrefix(err, "MOVED") || redis.HasErrorPrefix(err, "ASK")) {
			cl.ReloadState(ctx)
			continue
		}
		return err
	}
}
