package access

import (
	"context"

	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/identity"
	"github.com/nhs-companion/companion/server/safety"
)

// ErrIdentityMismatch: the patient's GP record does not match who the person
// (or their relationship) says the patient is.
var ErrIdentityMismatch = identity.ErrMismatch

// matches is the wrong-patient check of every authorisation: the record the
// GP system returned must be the requested patient's, a person's own record
// must have the date of birth NHS login gave, a proxy relationship's patient
// the one the relationship records, and a proxy not matched at sign-in must
// match their own record if they have one. A mismatch is refused and the
// practice is told.
func (g *Gate) matches(ctx context.Context, p *Patient, v *view) error {
	a := p.actor
	detail := ""
	switch birth, _ := gp.ParseDate(a.BirthDate); {
	case p.record.NHSNumber != p.nhs:
		detail = "record_number"
	case p.rel == nil:
		if _, err := identity.Match(identity.Claim{NHSNumber: a.NHSNumber, BirthDate: birth}, p.record); err != nil {
			detail = "self"
		}
	case !p.rel.Describes(p.record):
		detail = "proxy_patient"
	case !a.Matched:
		if !v.hasSelf {
			return nil // not registered here: the relationship is all there is
		}
		if _, err := identity.Match(identity.Claim{NHSNumber: a.NHSNumber, BirthDate: birth}, v.self); err != nil {
			detail = "proxy_actor"
		}
	}
	if detail == "" {
		return nil
	}
	g.Safety.Raise(ctx, safety.Event{Kind: safety.IdentityMismatch, Practice: p.record.PracticeODS, Patient: p.id, Detail: detail})
	return ErrIdentityMismatch
}
