package server_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nhs-companion/companion/server/gp"
)

// patientReads counts reads of people and relationships that reach the GP
// system.
type patientReads struct {
	gp.System
	patients, relationships, stamps atomic.Int64
}

func (c *patientReads) AccessStamp(ctx context.Context, nhs string) (string, error) {
	c.stamps.Add(1)
	return c.System.AccessStamp(ctx, nhs)
}

func (c *patientReads) Patient(ctx context.Context, nhs string) (gp.Patient, error) {
	c.patients.Add(1)
	return c.System.Patient(ctx, nhs)
}

func (c *patientReads) Relationships(ctx context.Context, nhs string) ([]gp.Relationship, error) {
	c.relationships.Add(1)
	return c.System.Relationships(ctx, nhs)
}

// TestHomePageAuthorisesOnce: the home page of a carer acting for someone
// (banner, features, prescription news, replies from the practice) asks
// the GP system once whether the carer's access has changed, and reads
// the people and the relationship list again only when it has.
func TestHomePageAuthorisesOnce(t *testing.T) {
	e := mustStartServer(t)
	priya := e.signIn(t, "9990000034")
	if res, _ := priya.post(t, "/profiles/"+e.srv.Access.IDs.For("9990000042")+"/switch", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("switch to George: %d", res.StatusCode)
	}
	sys := sandboxOf(t, e)
	counting := &patientReads{System: e.srv.Access.GP}
	e.srv.Access.GP = counting
	home := func(stamps, patients, rels int64) {
		t.Helper()
		counting.stamps.Store(0)
		counting.patients.Store(0)
		counting.relationships.Store(0)
		res, body := priya.get(t, "/")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "George Whitfield") {
			t.Fatalf("home: %d", res.StatusCode)
		}
		if s, p, r := counting.stamps.Load(), counting.patients.Load(), counting.relationships.Load(); s != stamps || p != patients || r != rels {
			t.Errorf("home page asked for %d access stamps, %d patients and %d relationship lists, want %d, %d and %d", s, p, r, stamps, patients, rels)
		}
	}
	home(1, 0, 0)
	// The practice records the relationship again: Priya and George are
	// read afresh, once.
	rels, err := sys.Relationships(context.Background(), "9990000034")
	if err != nil || len(rels) != 1 {
		t.Fatalf("relationships %v %v", rels, err)
	}
	if err := sys.SetRelationship(context.Background(), rels[0]); err != nil {
		t.Fatal(err)
	}
	home(1, 2, 1)
	home(1, 0, 0)
}
