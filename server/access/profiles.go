package access

import (
	"context"
	"errors"
	"slices"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
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
// relationship with (not-yet-started ones left out), with each one's status.
func (g *Gate) Profiles(ctx context.Context, a Actor) ([]Profile, error) {
	self, err := g.GP.Patient(ctx, a.NHSNumber)
	if err != nil && !errors.Is(err, gp.ErrNotFound) {
		return nil, unavailable(err)
	}
	out := []Profile{{
		ID: g.IDs.For(a.NHSNumber), Self: true, GivenName: self.GivenName, FamilyName: self.FamilyName,
		BirthDate: self.BirthDate, Permissions: slices.Clone(nhs.Permissions), Status: Active,
	}}
	rels, err := g.GP.Relationships(ctx, a.NHSNumber)
	if err != nil {
		return nil, unavailable(err)
	}
	birth, _ := gp.ParseDate(a.BirthDate)
	today := g.today()
	for _, r := range rels {
		pat, err := g.GP.Patient(ctx, r.PatientNHS)
		if errors.Is(err, gp.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, unavailable(err)
		}
		practice, err := g.Practice(ctx, pat.PracticeODS)
		if err != nil {
			return nil, unavailable(err)
		}
		st := StatusOf(r, birth, pat, practice, today)
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
