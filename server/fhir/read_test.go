package fhir

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// entries splits a Bundle into its resources.
func entries(tb testing.TB, raw []byte) []json.RawMessage {
	tb.Helper()
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		tb.Fatal(err)
	}
	out := make([]json.RawMessage, len(b.Entry))
	for i, e := range b.Entry {
		out[i] = e.Resource
	}
	return out
}

// withoutIDs blanks every item ID: Read gives resource ids, Bundle derives
// them from the record's.
func withoutIDs(rec gp.Record) gp.Record {
	for i := range rec.Allergies {
		rec.Allergies[i].ID = ""
	}
	for i := range rec.Medicines {
		rec.Medicines[i].ID = ""
	}
	for i := range rec.Problems {
		rec.Problems[i].ID = ""
	}
	for i := range rec.Immunisations {
		rec.Immunisations[i].ID = ""
	}
	for i := range rec.TestResults {
		rec.TestResults[i].ID = ""
	}
	for i := range rec.Consultations {
		rec.Consultations[i].ID = ""
	}
	for i := range rec.Documents {
		rec.Documents[i].ID = ""
	}
	return rec
}

// TestReadInvertsBundle: every sandbox cast member's whole record
// (sensitive items included) comes back from its own Bundle as it went
// in, but for item IDs. Bundle normalises what it cannot carry as given
// (blank address lines, empty codings, words in a result's value, which
// it writes as words), so for the records built to test that, reading
// settles at once: a second round trip changes nothing.
func TestReadInvertsBundle(t *testing.T) {
	for name, rec := range map[string]gp.Record{"rich": richRecord(), "sparse": sparseRecord()} {
		t.Run(name, func(t *testing.T) {
			once, err := Read(entries(t, mustBundle(t, rec, Options{Now: time.Now()})))
			if err != nil {
				t.Fatal(err)
			}
			twice, err := Read(entries(t, mustBundle(t, once, Options{Now: time.Now()})))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(withoutIDs(once), withoutIDs(twice), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("second round trip (-once +twice):\n%s", diff)
			}
		})
	}
	recs := map[string]gp.Record{"summary": summaryRecord()}
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	defer rdb.Close()
	src := sandbox.New(rdb, "t:", time.Now)
	if err := src.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, n := range sandbox.Cast() {
		rec, err := src.Record(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		recs["cast "+n[7:]] = rec
	}
	for name, rec := range recs {
		t.Run(name, func(t *testing.T) {
			got, err := Read(entries(t, mustBundle(t, rec, Options{Now: time.Now()})))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(withoutIDs(rec), withoutIDs(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Read(Bundle(rec)) (-rec +read):\n%s", diff)
			}
		})
	}
}
