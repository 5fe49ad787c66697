package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/loadbook"
	"github.com/nhs-companion/companion/server/pg/pgtest"
)

// TestCapacityMeasuresEveryRequestType runs the tool small: every request
// type is measured from the process's own counters (an audited request
// shows its audit statements), both throughput runs complete, and the audit
// trail takes rows.
func TestCapacityMeasuresEveryRequestType(t *testing.T) {
	ctx := context.Background()
	bin := os.Getenv("COMPANION_BIN")
	if bin == "" {
		var err error
		if bin, err = loadbook.BuildServer(ctx, t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := run(ctx, 6, 500*time.Millisecond, 4, bin, pgtest.MustDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]Cost{}
	for _, c := range rep.Costs {
		byType[c.Type] = c
	}
	for _, typ := range []string{"sign-in", "home", "slots", "book", "order", "record"} {
		c, ok := byType[typ]
		if !ok || c.Requests == 0 || c.RedisCommands <= 0 || c.CPUms <= 0 {
			t.Errorf("%s: %+v", typ, c)
		}
	}
	for _, typ := range []string{"sign-in", "book", "order", "record"} {
		if byType[typ].PGStatements < 1 {
			t.Errorf("%s is audited, but %.1f PostgreSQL statements were counted", typ, byType[typ].PGStatements)
		}
	}
	if byType["home"].PGStatements != 0 {
		t.Errorf("the home page made %.1f PostgreSQL statements, want none", byType["home"].PGStatements)
	}
	if rep.Throughput.One.RPS <= 0 || rep.Throughput.Four.RPS <= 0 || rep.Throughput.Ratio <= 0 {
		t.Errorf("throughput: %+v", rep.Throughput)
	}
	if rep.Audit.OneWriter <= 0 || rep.Audit.RowsPerSec <= 0 {
		t.Errorf("audit: %+v", rep.Audit)
	}
}
