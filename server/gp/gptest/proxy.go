package gptest

import (
	"context"
	"testing"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// ProxyFixture names a relationship the system under test holds.
type ProxyFixture struct {
	// Actor may act for Patient, with at least Permission.
	Actor, Patient string
	Permission     string
	// Stranger is a registered patient with no relationships at all.
	Stranger string
	// System, if set, gives the part a system of its own: Run calls it
	// with the part's subtest instead of using its own system.
	System func(t *testing.T) gp.System
	// Unsupported, if set, declares that the adapter does not offer this
	// part, and why; Run then skips it with that reason, and the other
	// fields must be left empty.
	Unsupported string
}

// runProxies checks the proxy part of the port.
func runProxies(t *testing.T, sys gp.System, fx ProxyFixture) {
	ctx := context.Background()
	t.Run("RelationshipsOfActor", func(t *testing.T) {
		rels, err := sys.Relationships(ctx, fx.Actor)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rels {
			if r.ActorNHS != fx.Actor {
				t.Errorf("relationship of someone else listed: %+v", r)
			}
			if r.PatientNHS == fx.Patient {
				found = true
				if r.Kind == "" || r.Start.IsZero() || !r.Has(gpPermission(fx.Permission)) {
					t.Errorf("incomplete relationship %+v", r)
				}
			}
		}
		if !found {
			t.Errorf("Relationships(actor) lacks the fixture's patient")
		}
	})
	t.Run("ProxiesOfPatient", func(t *testing.T) {
		rels, err := sys.ProxiesOf(ctx, fx.Patient)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rels {
			if r.PatientNHS != fx.Patient {
				t.Errorf("relationship about someone else listed: %+v", r)
			}
			found = found || r.ActorNHS == fx.Actor
		}
		if !found {
			t.Errorf("ProxiesOf(patient) lacks the fixture's actor")
		}
	})
	t.Run("PatientBirthDateAgreesWithRecord", func(t *testing.T) {
		// Identity matching compares the two: for a healthy relationship
		// they must agree, or the patient could never be reached.
		rels, err := sys.Relationships(ctx, fx.Actor)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rels {
			if r.PatientBirthDate.IsZero() {
				continue
			}
			rec, err := sys.Patient(ctx, r.PatientNHS)
			if err != nil {
				t.Fatalf("Patient of a relationship: %v", err)
			}
			if rec.BirthDate != r.PatientBirthDate {
				t.Errorf("relationship records the patient born %s, their record %s", r.PatientBirthDate, rec.BirthDate)
			}
		}
	})
	t.Run("NoRelationships", func(t *testing.T) {
		for _, f := range []func(context.Context, string) ([]gp.Relationship, error){sys.Relationships, sys.ProxiesOf} {
			rels, err := f(ctx, fx.Stranger)
			if err != nil || len(rels) != 0 {
				t.Errorf("stranger: %+v, %v", rels, err)
			}
		}
	})
}

func gpPermission(p string) nhs.Permission { return nhs.Permission(p) }
