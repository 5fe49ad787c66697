package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/pg"
)

// AuditCeiling is how fast the audit trail takes rows when many requests
// write at once: every row of a month's partition extends one hash chain,
// so writes to it are serialised.
type AuditCeiling struct {
	Writers    int     `json:"writers"`
	RowsPerSec float64 `json:"rows_per_sec"`
	// OneWriter is the rate of a single writer, for the ratio.
	OneWriter float64 `json:"one_writer_rows_per_sec"`
}

// measureAudit appends rows for d with 1 writer, then with writers.
func measureAudit(ctx context.Context, dbURL string, writers int, d time.Duration) (AuditCeiling, error) {
	db, err := pg.Open(ctx, dbURL)
	if err != nil {
		return AuditCeiling{}, err
	}
	defer db.Close()
	trail := pg.NewAudit(db, 0, nil)
	rate := func(n int) (float64, error) {
		var rows atomic.Int64
		var wg sync.WaitGroup
		var mu sync.Mutex
		var fail error
		stop := time.Now().Add(d)
		start := time.Now()
		for w := 0; w < n; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(stop) {
					err := trail.Record(ctx, audit.Event{Action: "view_record", Outcome: "success", Actor: "capacity", Patient: "capacity"})
					if err != nil {
						mu.Lock()
						fail = err
						mu.Unlock()
						return
					}
					rows.Add(1)
				}
			}()
		}
		wg.Wait()
		return float64(rows.Load()) / time.Since(start).Seconds(), fail
	}
	c := AuditCeiling{Writers: writers}
	if c.OneWriter, err = rate(1); err != nil {
		return c, err
	}
	c.RowsPerSec, err = rate(writers)
	return c, err
}
