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
	patients, relationships atomic.Int64
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
// (banner, features, prescription news, replies from the practice) reads
// that person and the carer's relationships from the GP system once each.
func TestHomePageAuthorisesOnce(t *testing.T) {
	e := mustStartServer(t)
	priya := e.signIn(t, "9990000034")
	if res, _ := priya.post(t, "/profiles/"+e.srv.Access.IDs.For("9990000042")+"/switch", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("switch to George: %d", res.StatusCode)
	}
	counting := &patientReads{System: e.srv.Access.GP}
	e.srv.Access.GP = counting
	res, body := priya.get(t, "/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "George Whitfield") {
		t.Fatalf("home: %d", res.StatusCode)
	}
	if p, r := counting.patients.Load(), counting.relationships.Load(); p != 1 || r != 1 {
		t.Errorf("home page read %d patients and %d relationship lists, want 1 and 1", p, r)
	}
}
