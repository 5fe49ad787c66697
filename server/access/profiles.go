package access

import (
	"context"
	"slices"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/safety"
)

// Profile is someone the actor can act for (or could, before access ended).
type Profile struct {
	ID          string
	Self        bool
	GivenName   string
	FamilyName  string
	BirthDate   gp.Date
	Kind        string
	Permissions []nhs.Permission
	Status      Status
	End         gp.Date
}

// Profiles lists the actor themselves, then everyone they have a
// relationship with (not-yet-started ones left out, and ones whose patient
// does not match the relationship, which the practice is told of), with
// each one's status. An actor whose own record does not match them is
// refused with ErrIdentityMismatch.
func (g *Gate) Profiles(ctx context.Context, a Actor) ([]Profile, error) {
	v, err := g.view(ctx, a.NHSNumber)
	if err != nil {
		return nil, err
	}
	self := v.self
	if v.hasSelf {
		if err := g.matches(ctx, &Patient{actor: a, id: g.IDs.For(a.NHSNumber), nhs: a.NHSNumber, record: self}, v); err != nil {
			return nil, err
		}
	}
	out := []Profile{{
		ID: g.IDs.For(a.NHSNumber), Self: true, GivenName: self.GivenName, FamilyName: self.FamilyName,
		BirthDate: self.BirthDate, Permissions: slices.Clone(nhs.Permissions), Status: Active,
	}}
	rels := v.rels
	birth, _ := gp.ParseDate(a.BirthDate)
	today := g.today()
	for _, r := range rels {
		pat, ok := v.linked[r.PatientNHS]
		if !ok {
			continue
		}
		practice, err := g.Practice(ctx, pat.PracticeODS)
		if err != nil {
			return nil, unavailable(err)
		}
		st := StatusOf(r, birth, pat, practice, today)
		if st == Unmatched {
			// Nothing of the person the record belongs to is shown; the
			// practice is told, and a request for them is refused.
			g.Safety.Raise(ctx, safety.Event{Kind: safety.IdentityMismatch, Practice: pat.PracticeODS, Patient: g.IDs.For(r.PatientNHS), Detail: "proxy_patient"})
			continue
		}
		if st == NotStarted {
			continue
		}
		if st == Active && !g.Flags.Enabled(ctx, flags.LinkedProfiles, flags.Subject{PatientID: g.IDs.For(r.PatientNHS), ODS: practice.ODS, ICB: practice.ICB}) {
			continue
		}
		out = append(out, Profile{
			ID: g.IDs.For(r.PatientNHS), GivenName: pat.GivenName, FamilyName: pat.FamilyName, BirthDate: pat.BirthDate,
			Kind: r.Kind, Permissions: slices.Clone(r.Permissions), Status: st, End: r.End,
		})
	}
	return out, nil
}
