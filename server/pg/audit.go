package pg

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nhs-companion/companion/server/audit"
)

// Audit is the audit trail in PostgreSQL: append-only (the application's
// role may not UPDATE or DELETE), one partition per month (UTC), each
// row's hash chaining it to the row before it in its partition.
//
// Rows of a partition are written one at a time (a transaction-scoped
// advisory lock per partition), so the chain has one order: by id.
type Audit struct {
	db        *DB
	retention time.Duration
	now       func() time.Time

	mu    sync.Mutex
	parts map[string]bool // partitions known to exist
}

// NewAudit returns the audit trail in db, keeping events for retention.
func NewAudit(db *DB, retention time.Duration, now func() time.Time) *Audit {
	if now == nil {
		now = time.Now
	}
	return &Audit{db: db, retention: retention, now: now, parts: map[string]bool{}}
}

var _ audit.Log = (*Audit)(nil)

// partition names the month t falls in, and its bounds.
func partition(t time.Time) (name string, from, to time.Time) {
	t = t.UTC()
	from = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf("audit_events_%04d_%02d", t.Year(), t.Month()), from, from.AddDate(0, 1, 0)
}

var partitionName = regexp.MustCompile(`^audit_events_([0-9]{4})_([0-9]{2})$`)

// genesis is the hash a partition's first row chains from.
func genesis(part string) []byte {
	h := sha256.Sum256([]byte("companion audit chain " + part))
	return h[:]
}

// rowHash is SHA-256 of the previous row's hash and this row's fields,
// each length-prefixed.
func rowHash(prev []byte, e audit.Event) []byte {
	h := sha256.New()
	h.Write(prev)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(e.Time.UnixMicro()))
	h.Write(n[:])
	for _, f := range []string{e.Action, e.Outcome, e.Actor, e.ActorPatient, e.Patient, e.Object, e.Reason, e.RequestID, e.Session} {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return h.Sum(nil)
}

// lockKey is the advisory lock serialising a partition's writers.
func lockKey(part string) int64 {
	f := fnv.New64a()
	f.Write([]byte("companion:" + part))
	return int64(f.Sum64())
}

// Record appends e to its month's chain. An error means it was not
// written.
func (a *Audit) Record(ctx context.Context, e audit.Event) error {
	if e.Time.IsZero() {
		e.Time = a.now()
	}
	// PostgreSQL keeps microseconds: hash what is stored.
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	part, from, to := partition(e.Time)
	if err := a.ensure(ctx, e.Time); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	err := pgx.BeginFunc(ctx, a.db.App, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey(part)); err != nil {
			return err
		}
		prev := genesis(part)
		err := tx.QueryRow(ctx, `SELECT hash FROM audit_events WHERE time >= $1 AND time < $2 ORDER BY id DESC LIMIT 1`, from, to).Scan(&prev)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_events (time, action, outcome, actor, actor_patient, patient, object, reason, request_id, session, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			e.Time, e.Action, e.Outcome, e.Actor, e.ActorPatient, e.Patient, e.Object, e.Reason, e.RequestID, e.Session, prev, rowHash(prev, e))
		return err
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// ensure makes the partition for t's month if it is not known to exist.
func (a *Audit) ensure(ctx context.Context, t time.Time) error {
	part, from, to := partition(t)
	a.mu.Lock()
	known := a.parts[part]
	a.mu.Unlock()
	if known {
		return nil
	}
	err := pgx.BeginFunc(ctx, a.db.owner, func(tx pgx.Tx) error {
		// Two processes making the same partition at once would collide.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey("partitions")); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF audit_events FOR VALUES FROM ('%s') TO ('%s')`,
			part, from.Format(time.RFC3339), to.Format(time.RFC3339)))
		return err
	})
	if err != nil {
		return fmt.Errorf("audit partition %s: %w", part, err)
	}
	a.mu.Lock()
	a.parts[part] = true
	a.mu.Unlock()
	return nil
}

// ForPatient returns up to n events about a patient, newest first, older
// than the event with ID before when it is set, none past the retention.
// IDs are "<unix micro>.<row id>".
func (a *Audit) ForPatient(ctx context.Context, patient, before string, n int64) ([]audit.Event, error) {
	since := a.now().Add(-a.retention)
	q := `SELECT id, time, action, outcome, actor, actor_patient, patient, object, reason, request_id, session
		FROM audit_events WHERE patient = $1 AND time >= $2`
	args := []any{patient, since, n}
	if before != "" {
		us, id, ok := cursor(before)
		if !ok {
			return nil, errors.New("read audit: bad cursor")
		}
		q += ` AND (time, id) < ($4, $5)`
		args = append(args, time.UnixMicro(us).UTC(), id)
	}
	q += ` ORDER BY time DESC, id DESC LIMIT $3`
	rows, err := a.db.App.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	out := []audit.Event{}
	for rows.Next() {
		var e audit.Event
		var id int64
		if err := rows.Scan(&id, &e.Time, &e.Action, &e.Outcome, &e.Actor, &e.ActorPatient, &e.Patient, &e.Object, &e.Reason, &e.RequestID, &e.Session); err != nil {
			return nil, fmt.Errorf("read audit: %w", err)
		}
		e.ID = strconv.FormatInt(e.Time.UnixMicro(), 10) + "." + strconv.FormatInt(id, 10)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	return out, nil
}

func cursor(s string) (us, id int64, ok bool) {
	a, b, found := strings.Cut(s, ".")
	us, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	return us, id, found && err1 == nil && err2 == nil
}

// partitions lists the audit partitions, oldest first.
func (a *Audit) partitions(ctx context.Context) ([]string, error) {
	rows, err := a.db.owner.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'audit_events'::regclass`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	names = slices.DeleteFunc(names, func(n string) bool { return !partitionName.MatchString(n) })
	slices.Sort(names)
	return names, nil
}

// Retain drops every month wholly older than the retention, returning the
// partitions dropped.
func (a *Audit) Retain(ctx context.Context) ([]string, error) {
	names, err := a.partitions(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit retention: %w", err)
	}
	cut := a.now().Add(-a.retention)
	var dropped []string
	for _, n := range names {
		m := partitionName.FindStringSubmatch(n)
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if end := time.Date(y, time.Month(mo)+1, 1, 0, 0, 0, 0, time.UTC); end.After(cut) {
			continue
		}
		if _, err := a.db.owner.Exec(ctx, "DROP TABLE IF EXISTS "+n); err != nil {
			return dropped, fmt.Errorf("audit retention: drop %s: %w", n, err)
		}
		a.mu.Lock()
		delete(a.parts, n)
		a.mu.Unlock()
		dropped = append(dropped, n)
	}
	return dropped, nil
}

// Chain is what verifying one partition found.
type Chain struct {
	Partition string
	Rows      int64
	// Broken is the id of the first row whose hash does not follow (0:
	// the chain is intact).
	Broken int64
}

// Verify walks every partition's chain in id order, recomputing each hash.
func (a *Audit) Verify(ctx context.Context) ([]Chain, error) {
	names, err := a.partitions(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify audit: %w", err)
	}
	var out []Chain
	for _, n := range names {
		c := Chain{Partition: n}
		rows, err := a.db.owner.Query(ctx, `SELECT id, time, action, outcome, actor, actor_patient, patient, object, reason, request_id, session, prev_hash, hash
			FROM `+n+` ORDER BY id`)
		if err != nil {
			return nil, fmt.Errorf("verify audit: %w", err)
		}
		prev := genesis(n)
		for rows.Next() {
			var e audit.Event
			var id int64
			var p, h []byte
			if err := rows.Scan(&id, &e.Time, &e.Action, &e.Outcome, &e.Actor, &e.ActorPatient, &e.Patient, &e.Object, &e.Reason, &e.RequestID, &e.Session, &p, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("verify audit: %w", err)
			}
			c.Rows++
			if c.Broken == 0 && (!slices.Equal(p, prev) || !slices.Equal(h, rowHash(prev, e))) {
				c.Broken = id
			}
			prev = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("verify audit: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}
