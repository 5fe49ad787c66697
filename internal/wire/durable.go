package wire

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/keep"
	"github.com/nhs-companion/companion/server/monitoring"
	"github.com/nhs-companion/companion/server/pg"
	"github.com/nhs-companion/companion/server/prefs"
)

// durable is where the records that must outlive a restart are kept:
// PostgreSQL when DATABASE_URL is set, else Redis (the sandbox).
type durable struct {
	db    *pg.DB
	audit audit.Log
	flags flags.Rules
	prefs prefs.Preferences
	kept  keep.Store
	plans monitoring.Store
}

// retentionEvery is how often the audit trail's old months are dropped.
const retentionEvery = 24 * time.Hour

func openDurable(ctx context.Context, cfg config.Config, rdb redis.UniversalClient, log *slog.Logger) (durable, error) {
	if cfg.DatabaseURL == "" {
		return durable{audit: audit.NewStream(rdb, "companion:audit", cfg.AuditRetention, nil),
			flags: flags.RedisRules(rdb, "companion:"), prefs: prefs.NewStore(rdb, "companion:prefs:"),
			kept: keep.Redis(rdb, "companion:kept:"), plans: monitoring.RedisStore(rdb, "companion:")}, nil
	}
	db, err := pg.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return durable{}, err
	}
	trail := pg.NewAudit(db, cfg.AuditRetention, nil)
	// The pools close with the process: requests still finishing after
	// SIGTERM need them.
	go keepRetention(ctx, trail, log)
	return durable{db: db, audit: trail, flags: pg.NewFlags(db), prefs: pg.NewPrefs(db), kept: pg.NewKept(db),
		plans: pg.NewPlans(db)}, nil
}

// keepRetention drops the audit trail's months past the retention now and
// once a day (every process does; dropping is idempotent).
func keepRetention(ctx context.Context, a *pg.Audit, log *slog.Logger) {
	t := time.NewTicker(retentionEvery)
	defer t.Stop()
	for {
		if dropped, err := a.Retain(ctx); err != nil && ctx.Err() == nil {
			log.Error("audit retention", "err", err)
		} else if len(dropped) > 0 {
			log.Info("audit retention: months dropped", "partitions", dropped)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
