// Package pg keeps Companion's durable records in PostgreSQL: the audit
// trail, feature flag rules and their history, preferences, and the small
// records features keep by key (keep.Store). Open runs
// the schema migrations (goose, embedded, under an advisory lock so several
// processes can start at once) and returns two pools: the application's,
// whose connections act as the companion_app role (it may append audit
// events, never change or remove one), and a small one as the connecting
// owner for partition upkeep.
//
// It is server-only.
package pg

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/prometheus/client_golang/prometheus"
)

//go:embed migrations/*.sql
var migrations embed.FS

// AppRole is the role the application's queries run as.
const AppRole = "companion_app"

// DB is Companion's database.
type DB struct {
	// App runs the application's queries, as AppRole.
	App *pgxpool.Pool
	// owner runs partition upkeep as the connecting user.
	owner *pgxpool.Pool
	// Statements counts what App sends (register it with the metrics).
	Statements prometheus.Counter
}

// Open migrates the database at url to the current schema and connects.
func Open(ctx context.Context, url string) (*DB, error) {
	if err := Migrate(ctx, url); err != nil {
		return nil, err
	}
	appCfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	count := newCounter()
	appCfg.ConnConfig.Tracer = count
	appCfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SET ROLE "+AppRole)
		return err
	}
	app, err := pgxpool.NewWithConfig(ctx, appCfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	ownerCfg, _ := pgxpool.ParseConfig(url)
	ownerCfg.MaxConns = 2
	owner, err := pgxpool.NewWithConfig(ctx, ownerCfg)
	if err != nil {
		app.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	return &DB{App: app, owner: owner, Statements: count.statements}, nil
}

// Close closes both pools.
func (db *DB) Close() {
	db.App.Close()
	db.owner.Close()
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.App.Ping(ctx) }

// Migrate brings the schema up to date. Processes starting together take
// turns: goose holds a PostgreSQL advisory lock while it migrates.
func Migrate(ctx context.Context, url string) error {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer sqlDB.Close()
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, dir, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}
