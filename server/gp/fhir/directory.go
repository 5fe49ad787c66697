package fhir

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Ping reports whether the FHIR server answers a search.
func (s *System) Ping(ctx context.Context) error {
	var b bundle
	_, err := s.c.do(ctx, "GET", s.c.base+"/Organization?_count=1", nil, nil, &b)
	if err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// organisations finds the Organizations with an ODS role, optionally one
// ODS code.
func (s *System) organisations(ctx context.Context, role, ods string) ([]organization, error) {
	q := url.Values{"type": {ODSRoleSystem + "|" + role}}
	if ods != "" {
		q.Set("identifier", ODSSystem+"|"+ods)
	}
	orgs, err := searchAll[organization](ctx, s.c, "Organization", q)
	if err != nil {
		return nil, err
	}
	// A server that ignores a search parameter answers with everything:
	// keep only what was asked for.
	return slices.DeleteFunc(orgs, func(o organization) bool {
		return !hasRole(o, role) || (ods != "" && odsOf(o) != ods)
	}), nil
}

func hasRole(o organization, role string) bool {
	return slices.ContainsFunc(o.Type, func(c codeableConcept) bool { return c.code(ODSRoleSystem) == role })
}

func odsOf(o organization) string {
	for _, id := range o.Identifier {
		if id.System == ODSSystem {
			return id.Value
		}
	}
	return ""
}

func phoneOf(o organization) string {
	for _, t := range o.Telecom {
		if t.System == "phone" {
			return t.Value
		}
	}
	return ""
}

// Practice returns the practice with this ODS code.
func (s *System) Practice(ctx context.Context, ods string) (gp.Practice, error) {
	ctx = withPractice(ctx, ods)
	info, err := s.practice(ctx, ods)
	if err != nil {
		return gp.Practice{}, err
	}
	return info.Practice, nil
}

// PracticeCodes lists the ODS codes of the GP practices on the server.
func (s *System) PracticeCodes(ctx context.Context) ([]string, error) {
	orgs, err := s.organisations(ctx, RolePractice, "")
	if err != nil {
		return nil, fmt.Errorf("practice codes: %w", err)
	}
	out := make([]string, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, odsOf(o))
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// practiceOf maps an Organization to a practice. Booking and prescribing
// rules are Companion's own (FHIR has no place for them): the defaults.
func practiceOf(o organization) gp.Practice {
	p := gp.Practice{
		ODS: odsOf(o), Name: o.Name, TimeZone: "Europe/London", Phone: phoneOf(o),
		Booking: gp.DefaultBookingRules, Prescribing: gp.DefaultPrescriptionRules,
	}
	if o.PartOf != nil && o.PartOf.Identifier != nil {
		p.ICB = o.PartOf.Identifier.Value
	}
	if len(o.Address) > 0 {
		a := o.Address[0]
		p.Address = append(slices.Clone(a.Line), a.City)
		p.Postcode, p.Country = a.PostalCode, a.Country
	}
	return p
}

// Pharmacies lists pharmacies whose name or postcode matches query.
func (s *System) Pharmacies(ctx context.Context, query string) ([]gp.Pharmacy, error) {
	orgs, err := s.organisations(ctx, RolePharmacy, "")
	if err != nil {
		return nil, fmt.Errorf("pharmacies: %w", err)
	}
	q := strings.ToLower(strings.TrimSpace(query))
	compact := strings.ReplaceAll(q, " ", "")
	out := []gp.Pharmacy{}
	for _, o := range orgs {
		p := pharmacyOf(o)
		if q == "" || strings.Contains(strings.ToLower(p.Name), q) ||
			(compact != "" && strings.Contains(strings.ToLower(strings.ReplaceAll(p.Postcode, " ", "")), compact)) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b gp.Pharmacy) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ODS, b.ODS)) })
	return out, nil
}

// Pharmacy returns one pharmacy by ODS code.
func (s *System) Pharmacy(ctx context.Context, ods string) (gp.Pharmacy, error) {
	if ods == "" {
		return gp.Pharmacy{}, fmt.Errorf("pharmacy: %w", gp.ErrNotFound)
	}
	orgs, err := s.organisations(ctx, RolePharmacy, ods)
	if err != nil {
		return gp.Pharmacy{}, fmt.Errorf("pharmacy: %w", err)
	}
	if len(orgs) == 0 {
		return gp.Pharmacy{}, fmt.Errorf("pharmacy: %w", gp.ErrNotFound)
	}
	return pharmacyOf(orgs[0]), nil
}

func pharmacyOf(o organization) gp.Pharmacy {
	p := gp.Pharmacy{ODS: odsOf(o), Name: o.Name, Phone: phoneOf(o)}
	if len(o.Address) > 0 {
		a := o.Address[0]
		p.Address = append(slices.Clone(a.Line), a.City)
		p.Postcode = a.PostalCode
	}
	return p
}

// Patient returns the patient with this NHS number.
func (s *System) Patient(ctx context.Context, nhsNumber string) (gp.Patient, error) {
	p, _, err := s.patient(ctx, nhsNumber)
	return p, err
}

// patient finds the Patient with this NHS number, returning its id too.
func (s *System) patient(ctx context.Context, nhsNumber string) (gp.Patient, string, error) {
	p, _, err := s.patientResource(ctx, nhsNumber)
	if err != nil {
		return gp.Patient{}, "", fmt.Errorf("patient: %w", err)
	}
	birth, err := gp.ParseDate(p.BirthDate)
	if err != nil {
		return gp.Patient{}, "", fmt.Errorf("patient: %w: birth date: %w", gp.ErrUnavailable, err)
	}
	out := gp.Patient{NHSNumber: nhsNumber, BirthDate: birth}
	if n := officialName(p.Name); n != nil {
		out.FamilyName = n.Family
		out.GivenName = strings.Join(n.Given, " ")
	}
	if out.PracticeODS, err = s.registeredAt(ctx, p); err != nil {
		return gp.Patient{}, "", fmt.Errorf("patient: %w", err)
	}
	return out, p.ID, nil
}

// patientResource finds the one Patient with this NHS number.
func (s *System) patientResource(ctx context.Context, nhsNumber string) (patient, string, error) {
	if !nhs.ValidNumber(nhsNumber) {
		return patient{}, "", gp.ErrNotFound
	}
	var found []patient
	err := s.c.search(ctx, "Patient", url.Values{"identifier": {NHSNumberSystem + "|" + nhsNumber}}, func(raw json.RawMessage) error {
		var p patient
		if err := decode(raw, &p); err != nil {
			return fmt.Errorf("%w: %w", gp.ErrUnavailable, err)
		}
		p.raw = raw
		found = append(found, p)
		return nil
	}, nil)
	if err != nil {
		return patient{}, "", err
	}
	found = slices.DeleteFunc(found, func(p patient) bool { return nhsOf(p) != nhsNumber })
	switch len(found) {
	case 0:
		return patient{}, "", gp.ErrNotFound
	case 1:
		return found[0], found[0].ID, nil
	}
	// Two records for one NHS number is a wrong-patient risk: show neither.
	return patient{}, "", fmt.Errorf("%w: %d records share the NHS number", gp.ErrUnavailable, len(found))
}

func nhsOf(p patient) string { return nhsOfIDs(p.Identifier) }

// officialName picks the official name, else the first.
func officialName(names []humanName) *humanName {
	for i := range names {
		if names[i].Use == "official" {
			return &names[i]
		}
	}
	if len(names) > 0 {
		return &names[0]
	}
	return nil
}

// registeredAt is the ODS code of the patient's GP practice: from the
// reference's identifier, or by reading the Organization it names.
func (s *System) registeredAt(ctx context.Context, p patient) (string, error) {
	for _, r := range p.GeneralPractitioner {
		if r.Identifier != nil && r.Identifier.System == ODSSystem {
			return r.Identifier.Value, nil
		}
		if id := idOf(r, "Organization"); id != "" {
			var o organization
			if _, err := s.c.read(ctx, "Organization", id, &o); err != nil {
				return "", fmt.Errorf("registered practice: %w", err)
			}
			if hasRole(o, RolePractice) {
				return odsOf(o), nil
			}
		}
	}
	return "", nil
}
