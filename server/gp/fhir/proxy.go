package fhir

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Proxy access as the NHS Validated Relationships Service models it: the
// proxy is a RelatedPerson of the patient (identified by their own NHS
// number), and what they may do is a Consent of the patient's that permits
// that RelatedPerson the actions (Companion's permission codes) for a
// period. A Consent withdrawn (status inactive or rejected) or past its
// period stops access on the next request: nothing is remembered.
const (
	// PermissionSystem codes Companion's proxy permissions (nhs.Permission)
	// in Consent.provision.action.
	PermissionSystem = "https://companion.nhs.uk/fhir/CodeSystem/proxy-permission"
	// KindSystem codes how a proxy is related (gp.Relationship.Kind) in
	// RelatedPerson.relationship.
	KindSystem = "https://companion.nhs.uk/fhir/CodeSystem/proxy-kind"
	// ExtPatientBirthDate on a Consent is the patient's date of birth as
	// the practice verified it when access was granted.
	ExtPatientBirthDate = "https://companion.nhs.uk/fhir/StructureDefinition/patient-birth-date"
	// ExtRegranted on a Consent marks a parent's access re-granted past the
	// practice's child-access age.
	ExtRegranted = "https://companion.nhs.uk/fhir/StructureDefinition/regranted"
)

// Relationships lists the people actorNHS may act, or once could act, for.
func (s *System) Relationships(ctx context.Context, actorNHS string) ([]gp.Relationship, error) {
	if !nhs.ValidNumber(actorNHS) {
		return []gp.Relationship{}, nil
	}
	rps, err := searchAll[relatedPerson](ctx, s.c, "RelatedPerson", url.Values{"identifier": {NHSNumberSystem + "|" + actorNHS}})
	if err != nil {
		return nil, fmt.Errorf("relationships: %w", err)
	}
	out := []gp.Relationship{}
	for _, rp := range rps {
		if nhsOfIDs(rp.Identifier) != actorNHS {
			continue
		}
		var pat patient
		if _, err := s.c.read(ctx, "Patient", idOf(rp.Patient, "Patient"), &pat); err != nil {
			if errors.Is(err, gp.ErrNotFound) {
				continue
			}
			return nil, fmt.Errorf("relationships: %w", err)
		}
		rels, err := s.consented(ctx, rp, actorNHS, pat)
		if err != nil {
			return nil, fmt.Errorf("relationships: %w", err)
		}
		out = append(out, rels...)
	}
	sortRelationships(out)
	return out, nil
}

// ProxiesOf lists the people who may act, or once could act, for
// patientNHS.
func (s *System) ProxiesOf(ctx context.Context, patientNHS string) ([]gp.Relationship, error) {
	pat, pid, err := s.patientResource(ctx, patientNHS)
	if errors.Is(err, gp.ErrNotFound) {
		return []gp.Relationship{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("proxies: %w", err)
	}
	rps, err := searchAll[relatedPerson](ctx, s.c, "RelatedPerson", url.Values{"patient": {ref("Patient", pid)}})
	if err != nil {
		return nil, fmt.Errorf("proxies: %w", err)
	}
	out := []gp.Relationship{}
	for _, rp := range rps {
		actor := nhsOfIDs(rp.Identifier)
		if idOf(rp.Patient, "Patient") != pid || actor == "" {
			continue
		}
		rels, err := s.consented(ctx, rp, actor, pat)
		if err != nil {
			return nil, fmt.Errorf("proxies: %w", err)
		}
		out = append(out, rels...)
	}
	sortRelationships(out)
	return out, nil
}

// consented maps the patient's Consents that name rp to relationships.
func (s *System) consented(ctx context.Context, rp relatedPerson, actorNHS string, pat patient) ([]gp.Relationship, error) {
	consents, err := searchAll[consent](ctx, s.c, "Consent", url.Values{"actor": {ref("RelatedPerson", rp.ID)}})
	if err != nil {
		return nil, err
	}
	var out []gp.Relationship
	for _, c := range consents {
		if c.Patient == nil || idOf(*c.Patient, "Patient") != pat.ID || c.Provision == nil || c.Provision.Type != "permit" ||
			!slices.ContainsFunc(c.Provision.Actor, func(a consentActor) bool { return idOf(a.Reference, "RelatedPerson") == rp.ID }) {
			continue
		}
		r := gp.Relationship{ActorNHS: actorNHS, PatientNHS: nhsOf(pat),
			Revoked: c.Status != "active", Regranted: slices.ContainsFunc(c.Extension, func(e extension) bool { return e.URL == ExtRegranted && e.ValueBool })}
		for _, k := range rp.Relationship {
			r.Kind = cmp.Or(r.Kind, k.code(KindSystem), k.Text)
		}
		for _, a := range c.Provision.Action {
			if p := nhs.Permission(a.code(PermissionSystem)); nhs.KnownPermission(p) {
				r.Permissions = append(r.Permissions, p)
			}
		}
		if pd := c.Provision.Period; pd != nil {
			r.Start, _ = gp.ParseDate(dateOnly(pd.Start))
			r.End, _ = gp.ParseDate(dateOnly(pd.End))
		}
		r.PatientBirthDate, _ = gp.ParseDate(extValue(c.Extension, ExtPatientBirthDate))
		out = append(out, r)
	}
	return out, nil
}

// dateOnly is the date part of a FHIR date or dateTime.
func dateOnly(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

func nhsOfIDs(ids []identifier) string {
	for _, id := range ids {
		if id.System == NHSNumberSystem {
			return id.Value
		}
	}
	return ""
}

func sortRelationships(rs []gp.Relationship) {
	slices.SortFunc(rs, func(a, b gp.Relationship) int {
		return cmp.Or(cmp.Compare(a.ActorNHS, b.ActorNHS), cmp.Compare(a.PatientNHS, b.PatientNHS), cmp.Compare(a.Start.String(), b.Start.String()))
	})
}
