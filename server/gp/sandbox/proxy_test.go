package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

func TestSetRelationshipRefusesNonsense(t *testing.T) {
	s, _ := newSeeded(t, time.Now())
	ok := gp.Relationship{ActorNHS: "9990000034", PatientNHS: "9990000018", Kind: "carer", Start: gp.Date{Year: 2020, Month: 1, Day: 1}}
	for name, mod := range map[string]func(*gp.Relationship){
		"self":           func(r *gp.Relationship) { r.PatientNHS = r.ActorNHS },
		"bad number":     func(r *gp.Relationship) { r.ActorNHS = "9990000019" },
		"no kind":        func(r *gp.Relationship) { r.Kind = "" },
		"no start":       func(r *gp.Relationship) { r.Start = gp.Date{} },
		"odd permission": func(r *gp.Relationship) { r.Permissions = []nhs.Permission{"everything"} },
	} {
		r := ok
		mod(&r)
		if err := s.SetRelationship(context.Background(), r); !errors.Is(err, gp.ErrInvalidRelationship) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := s.SetRelationship(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
	rels, _ := s.ProxiesOf(context.Background(), "9990000018")
	if len(rels) != 1 || rels[0].ActorNHS != "9990000034" {
		t.Errorf("ProxiesOf after set: %+v", rels)
	}
}

// TestAccessStampMovesWithEveryWriter: the access stamp, on which the
// server caches people and relationships, moves when a relationship is
// recorded or changed (for the person acting, not for others), when the
// record of someone they act for is rewritten, and on a reseed; it stays
// put otherwise.
func TestAccessStampMovesWithEveryWriter(t *testing.T) {
	s, _ := newSeeded(t, time.Now())
	ctx := context.Background()
	stamp := func(nhsNumber string) string {
		t.Helper()
		v, err := s.AccessStamp(ctx, nhsNumber)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	priya, amara := stamp("9990000034"), stamp("9990000018")
	if again := stamp("9990000034"); again != priya {
		t.Fatalf("the stamp moved by itself: %s then %s", priya, again)
	}
	rels, err := s.Relationships(ctx, "9990000034")
	if err != nil || len(rels) != 1 {
		t.Fatalf("relationships: %+v %v", rels, err)
	}
	rels[0].Revoked = true
	if err := s.SetRelationship(ctx, rels[0]); err != nil {
		t.Fatal(err)
	}
	if now := stamp("9990000034"); now == priya {
		t.Errorf("revoking Priya's relationship left her stamp at %s", now)
	}
	if now := stamp("9990000018"); now != amara {
		t.Errorf("Priya's relationship moved Amara's stamp")
	}
	// A synthetic patient someone acts for is rewritten (moved practice).
	numbers, err := s.AddPatients(ctx, PilotPractice, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRelationship(ctx, gp.Relationship{ActorNHS: "9990000018", PatientNHS: numbers[0], Kind: "carer",
		Start: gp.Date{Year: 2020, Month: 1, Day: 1}}); err != nil {
		t.Fatal(err)
	}
	amara = stamp("9990000018")
	if _, err := s.AddPatients(ctx, NonPilotPractice, 1); err != nil {
		t.Fatal(err)
	}
	if now := stamp("9990000018"); now == amara {
		t.Errorf("moving the patient Amara acts for left her stamp at %s", now)
	}
	priya = stamp("9990000034")
	if err := s.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	if now := stamp("9990000034"); now == priya {
		t.Errorf("a reseed (which rewrites the cast) left Priya's stamp at %s", now)
	}
}
