package pg_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/audit/audittest"
	"github.com/nhs-companion/companion/server/pg"
	"github.com/nhs-companion/companion/server/pg/pgtest"
)

const twoYears = 2 * 365 * 24 * time.Hour

// open migrates a fresh database and opens it.
func open(t *testing.T) (*pg.DB, string) {
	t.Helper()
	url := pgtest.MustDatabase(t)
	db, err := pg.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db, url
}

func TestAuditContract(t *testing.T) {
	audittest.Run(t, func(t *testing.T, now func() time.Time) audit.Log {
		db, _ := open(t)
		return pg.NewAudit(db, twoYears, now)
	})
}

// TestSeveralProcessesMigrateAtOnce: processes starting together take
// turns at the migrations and all end with the schema.
func TestSeveralProcessesMigrateAtOnce(t *testing.T) {
	url := pgtest.MustDatabase(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- pg.Migrate(context.Background(), url) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	db, err := pg.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := pg.NewAudit(db, twoYears, nil).Record(context.Background(), audit.Event{Action: "a", Outcome: "success"}); err != nil {
		t.Fatal(err)
	}
}

// TestAuditIsAppendOnly: the application's role may read and append, never
// change or remove an event.
func TestAuditIsAppendOnly(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	if err := pg.NewAudit(db, twoYears, nil).Record(ctx, audit.Event{Action: "view_record", Outcome: "success", Patient: "pa"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE audit_events SET action = 'nothing'",
		"DELETE FROM audit_events",
		"TRUNCATE audit_events",
		"DROP TABLE audit_events",
	} {
		if _, err := db.App.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "42501") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("%s as the application: %v, want permission denied", q, err)
		}
	}
}

// TestChainDetectsTampering: verification passes an untouched chain and
// names the first row of one that was edited, had a row removed, or had
// one slipped in.
func TestChainDetectsTampering(t *testing.T) {
	db, url := open(t)
	ctx := context.Background()
	a := pg.NewAudit(db, twoYears, nil)
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Record(ctx, audit.Event{Action: "view_record", Outcome: "success", Patient: "pa", Actor: "sub"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	chains, err := a.Verify(ctx)
	if err != nil || len(chains) != 1 || chains[0].Rows != 30 || chains[0].Broken != 0 {
		t.Fatalf("untouched: %+v %v, want one intact chain of 30", chains, err)
	}
	owner, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	var ids []int64
	rows, _ := owner.Query(ctx, "SELECT id FROM audit_events ORDER BY id")
	ids, _ = pgx.CollectRows(rows, pgx.RowTo[int64])
	for _, tamper := range []struct {
		name, sql string
		broken    int64
	}{
		{"an edited row", "UPDATE audit_events SET actor = 'someone else' WHERE id = $1", ids[10]},
		{"a removed row", "DELETE FROM audit_events WHERE id = $1", ids[20]},
	} {
		if _, err := owner.Exec(ctx, tamper.sql, tamper.broken); err != nil {
			t.Fatal(err)
		}
		chains, err := a.Verify(ctx)
		want := tamper.broken
		if tamper.name == "a removed row" {
			want = ids[21] // the row after the gap no longer follows
		}
		if err != nil || chains[0].Broken != want {
			t.Errorf("%s: %+v %v, want broken at %d", tamper.name, chains, err, want)
		}
		if tamper.name == "an edited row" {
			owner.Exec(ctx, "UPDATE audit_events SET actor = 'sub' WHERE id = $1", tamper.broken)
		}
	}
}

// TestRetentionDropsWholeMonths: months wholly past the retention go, the
// month the cut falls in stays.
func TestRetentionDropsWholeMonths(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC)
	a := pg.NewAudit(db, twoYears, func() time.Time { return now })
	for _, at := range []time.Time{
		time.Date(2024, 10, 31, 23, 0, 0, 0, time.UTC), // wholly past
		time.Date(2024, 12, 20, 0, 0, 0, 0, time.UTC),  // the cut (2024-12-15) falls in this month
		time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
	} {
		if err := a.Record(ctx, audit.Event{Time: at, Action: "view_record", Outcome: "success", Patient: "pa"}); err != nil {
			t.Fatal(err)
		}
	}
	dropped, err := a.Retain(ctx)
	if err != nil || len(dropped) != 1 || dropped[0] != "audit_events_2024_10" {
		t.Errorf("dropped %v (%v), want only audit_events_2024_10", dropped, err)
	}
	chains, _ := a.Verify(ctx)
	if len(chains) != 2 {
		t.Errorf("%d partitions left, want 2", len(chains))
	}
	// A month dropped is made again if an event for it comes.
	if err := a.Record(ctx, audit.Event{Time: time.Date(2024, 10, 2, 0, 0, 0, 0, time.UTC), Action: "late", Outcome: "success"}); err != nil {
		t.Errorf("an event for a dropped month: %v", err)
	}
}
