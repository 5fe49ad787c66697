package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/nhs-companion/companion/server/pg/pgtest"
)

// TestPatientReadsFailClosedWithoutAudit: with the audit trail in
// PostgreSQL, every read of a record is there; when an event cannot be
// written the read is refused (503 audit_unavailable, a page that says
// so), never shown unaudited; it comes back by itself.
func TestPatientReadsFailClosedWithoutAudit(t *testing.T) {
	url := pgtest.MustDatabase(t)
	e := mustStartServer(t, "DATABASE_URL", url)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	ctx := context.Background()
	if st, code := amara.call(t, "GET", "/api/v1/patients/"+pid+"/record", nil, nil); st != 200 {
		t.Fatalf("record: %d %s", st, code)
	}
	owner, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	var n int
	if err := owner.QueryRow(ctx, "SELECT count(*) FROM audit_events WHERE patient = $1 AND action = 'view_record'", pid).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d view_record events in PostgreSQL (%v), want 1", n, err)
	}
	if _, page := amara.get(t, "/record/allergies"); !strings.Contains(page, "Penicillin") {
		t.Fatal("Amara's allergies page does not show her penicillin allergy")
	}
	if res, body := e.get(t, "/readyz"); res.StatusCode != 200 || !strings.Contains(body, `"database":"ok"`) {
		t.Errorf("/readyz: %d %s", res.StatusCode, body)
	}

	// The trail stops taking events.
	if _, err := owner.Exec(ctx, "REVOKE INSERT ON audit_events FROM companion_app"); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/record", "/appointments", "/repeats", "/record.fhir"} {
		if st, code := amara.call(t, "GET", "/api/v1/patients/"+pid+path, nil, nil); st != http.StatusServiceUnavailable || code != "audit_unavailable" {
			t.Errorf("%s unaudited: %d %s, want 503 audit_unavailable", path, st, code)
		}
	}
	res, page := amara.get(t, "/record/allergies")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page, "could not record that it was looked at") || strings.Contains(page, "Penicillin") {
		t.Errorf("record page unaudited: %d", res.StatusCode)
	}
	if _, err := owner.Exec(ctx, "GRANT INSERT ON audit_events TO companion_app"); err != nil {
		t.Fatal(err)
	}
	if st, code := amara.call(t, "GET", "/api/v1/patients/"+pid+"/record", nil, nil); st != 200 {
		t.Errorf("record once the trail is back: %d %s", st, code)
	}
}
