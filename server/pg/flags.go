package pg

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/nhs-companion/companion/server/flags"
)

// Flags keeps feature flag rules (flag_rules) and every change to them
// (flag_changes).
type Flags struct{ db *DB }

// NewFlags returns the flag rules in db.
func NewFlags(db *DB) *Flags { return &Flags{db: db} }

var _ flags.Rules = (*Flags)(nil)

// All is every stored rule.
func (f *Flags) All(ctx context.Context) (map[flags.Name]flags.Rule, error) {
	rows, err := f.db.App.Query(ctx, "SELECT name, rule FROM flag_rules")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[flags.Name]flags.Rule{}
	for rows.Next() {
		var name string
		var raw []byte
		if err := rows.Scan(&name, &raw); err != nil {
			return nil, err
		}
		var r flags.Rule
		if json.Unmarshal(raw, &r) == nil {
			out[flags.Name(name)] = r
		}
	}
	return out, rows.Err()
}

// Change reads the flag's rule under a row lock, applies the change and
// records it, in one transaction.
func (f *Flags) Change(ctx context.Context, name flags.Name, apply func(flags.Rule) (flags.Change, error)) (flags.Change, error) {
	var change flags.Change
	err := pgx.BeginFunc(ctx, f.db.App, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO flag_rules (name, rule) VALUES ($1, '{}') ON CONFLICT DO NOTHING`, string(name)); err != nil {
			return err
		}
		var raw []byte
		if err := tx.QueryRow(ctx, `SELECT rule FROM flag_rules WHERE name = $1 FOR UPDATE`, string(name)).Scan(&raw); err != nil {
			return err
		}
		var before flags.Rule
		if err := json.Unmarshal(raw, &before); err != nil {
			return err
		}
		var err error
		if change, err = apply(before); err != nil {
			return err
		}
		after, _ := json.Marshal(change.After)
		b, _ := json.Marshal(change.Before)
		if _, err := tx.Exec(ctx, `UPDATE flag_rules SET rule = $2 WHERE name = $1`, string(name), after); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO flag_changes (time, flag, actor, reason, before, after) VALUES ($1, $2, $3, $4, $5, $6)`,
			change.Time, string(change.Flag), change.Actor, change.Reason, b, after)
		return err
	})
	if err != nil {
		return flags.Change{}, err
	}
	return change, nil
}

// History is the n most recent changes, newest first.
func (f *Flags) History(ctx context.Context, n int64) ([]flags.Change, error) {
	rows, err := f.db.App.Query(ctx, `SELECT time, flag, actor, reason, before, after FROM flag_changes ORDER BY id DESC LIMIT $1`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []flags.Change{}
	for rows.Next() {
		var c flags.Change
		var name string
		var before, after []byte
		if err := rows.Scan(&c.Time, &name, &c.Actor, &c.Reason, &before, &after); err != nil {
			return nil, err
		}
		c.Flag = flags.Name(name)
		if errors.Join(json.Unmarshal(before, &c.Before), json.Unmarshal(after, &c.After)) == nil {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// Seed stores rules for flags that have none.
func (f *Flags) Seed(ctx context.Context, defaults map[flags.Name]flags.Rule) error {
	b := &pgx.Batch{}
	for n, r := range defaults {
		raw, _ := json.Marshal(r)
		b.Queue(`INSERT INTO flag_rules (name, rule) VALUES ($1, $2) ON CONFLICT DO NOTHING`, string(n), raw)
	}
	return f.db.App.SendBatch(ctx, b).Close()
}
