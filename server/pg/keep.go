package pg

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nhs-companion/companion/server/keep"
)

// Kept keeps features' small records (kept_records) by key.
type Kept struct{ db *DB }

// NewKept returns the kept records in db.
func NewKept(db *DB) *Kept { return &Kept{db: db} }

var _ keep.Store = (*Kept)(nil)

// Get is the value at key, unless it has none or it expired.
func (k *Kept) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var v []byte
	err := k.db.App.QueryRow(ctx, `SELECT value FROM kept_records WHERE key = $1 AND (until IS NULL OR until > now())`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// Put sets the value at key for ttl (for ever when zero), by the
// database's clock.
func (k *Kept) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	var us any
	if ttl != 0 {
		us = ttl.Microseconds()
	}
	_, err := k.db.App.Exec(ctx, `INSERT INTO kept_records (key, value, until) VALUES ($1, $2, now() + $3 * interval '1 microsecond')
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, until = EXCLUDED.until`, key, value, us)
	return err
}

// Delete removes the value at key.
func (k *Kept) Delete(ctx context.Context, key string) error {
	_, err := k.db.App.Exec(ctx, `DELETE FROM kept_records WHERE key = $1`, key)
	return err
}
