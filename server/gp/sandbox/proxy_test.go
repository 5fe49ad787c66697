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
