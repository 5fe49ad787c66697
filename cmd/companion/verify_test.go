package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/pg"
	"github.com/nhs-companion/companion/server/pg/pgtest"
)

// TestAuditVerifyCommand: `companion audit-verify` reports an untouched
// trail intact and fails, naming the row, once one is edited.
func TestAuditVerifyCommand(t *testing.T) {
	bin := buildBinary(t)
	url := pgtest.MustDatabase(t)
	ctx := context.Background()
	db, err := pg.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := pg.NewAudit(db, 0, nil)
	for _, action := range []string{"sign_in", "view_record", "book"} {
		if err := a.Record(ctx, audit.Event{Action: action, Outcome: "success", Patient: "p1"}); err != nil {
			t.Fatal(err)
		}
	}
	verify := func() (string, error) {
		cmd := exec.Command(bin, "audit-verify")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "3 rows, chain intact") {
		t.Fatalf("untouched trail: %v\n%s", err, out)
	}
	owner, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	var id int64
	if err := owner.QueryRow(ctx, "UPDATE audit_events SET action = 'nothing_to_see' WHERE action = 'view_record' RETURNING id").Scan(&id); err != nil {
		t.Fatal(err)
	}
	out, err := verify()
	if err == nil || !strings.Contains(out, "BROKEN at row") {
		t.Errorf("edited trail: %v\n%s", err, out)
	}
}
