package fhir

func (b *builder) organization(id string) *organization {
	d, p := b.rec.Demographics, b.opt.Practice
	org := &organization{ResourceType: "Organization", ID: id, Meta: profile("Organization"),
		Identifier: []identifier{{System: ODSSystem, Value: d.PracticeODS}}}
	if p.ODS == d.PracticeODS {
		org.Name = p.Name
		if p.Phone != "" {
			org.Telecom = []contactPoint{{System: "phone", Value: p.Phone, Use: "work"}}
		}
		if len(nonEmpty(p.Address)) > 0 || p.Postcode != "" {
			org.Address = []address{{Use: "work", Line: nonEmpty(p.Address), PostalCode: p.Postcode}}
		}
	}
	return org
}

func (b *builder) patientResource(id string) *patient {
	d := b.rec.Demographics
	p := &patient{ResourceType: "Patient", ID: id, Meta: profile("Patient"), BirthDate: d.BirthDate.String()}
	if d.NHSNumber != "" {
		p.Identifier = []identifier{{System: NHSNumberSystem, Value: d.NHSNumber}}
	}
	if d.GivenName != "" || d.FamilyName != "" {
		n := humanName{Use: "official", Family: d.FamilyName}
		if d.GivenName != "" {
			n.Given = []string{d.GivenName}
		}
		p.Name = []humanName{n}
	}
	switch d.Gender {
	case "male", "female", "other", "unknown":
		p.Gender = d.Gender
	}
	if d.Phone != "" {
		p.Telecom = []contactPoint{{System: "phone", Value: d.Phone}}
	}
	if len(nonEmpty(d.Address)) > 0 || d.Postcode != "" {
		p.Address = []address{{Use: "home", Line: nonEmpty(d.Address), PostalCode: d.Postcode}}
	}
	if b.org != nil {
		p.GeneralPractitioner = []reference{*b.org}
	}
	return p
}
