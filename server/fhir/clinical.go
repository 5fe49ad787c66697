package fhir

import (
	"encoding/json"
	"regexp"
	"strings"
)

func (b *builder) allergies() error {
	for i, a := range b.rec.Allergies {
		id, err := b.id("AllergyIntolerance", itemID(a.ID, i))
		if err != nil {
			return err
		}
		r := &allergyIntolerance{ResourceType: "AllergyIntolerance", ID: id, Meta: labelled("AllergyIntolerance", a.Sensitive),
			Code: concept(a.Substance), Patient: b.patient, OnsetDateTime: a.Onset.String(), RecordedDate: a.Recorded.String()}
		// ait-1 wants a clinical status beside a verification status; an
		// allergy the record gives none for is still on the record: active.
		status := a.Status
		if status != "inactive" && status != "resolved" {
			status = "active"
		}
		r.ClinicalStatus = coded(allergyClinical, status, titleCase(status))
		r.VerificationStatus = coded(allergyVerification, "confirmed", "Confirmed")
		if rx := (reaction{}); len(a.Reactions) > 0 {
			for _, m := range a.Reactions {
				if cc := concept(m); cc != nil {
					rx.Manifestation = append(rx.Manifestation, *cc)
				}
			}
			switch a.Severity {
			case "mild", "moderate", "severe":
				rx.Severity = a.Severity
			}
			if len(rx.Manifestation) > 0 {
				r.Reaction = []reaction{rx}
			}
		}
		b.add(id, "AllergyIntolerance", r)
	}
	return nil
}

// dispensed is a quantity Bundle can carry as a number: "56 tablets".
var dispensed = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.[0-9]+)?\s*([A-Za-z]+)?$`)

func (b *builder) medicines() error {
	for i, m := range b.rec.Medicines {
		key := itemID(m.ID, i)
		rid, err := b.id("MedicationRequest", key)
		if err != nil {
			return err
		}
		sid, err := b.id("MedicationStatement", key)
		if err != nil {
			return err
		}
		med := conceptOr(m.Drug, "Medication")
		if m.Name != "" {
			med.Text = m.Name
		}
		req := &medicationRequest{ResourceType: "MedicationRequest", ID: rid, Meta: labelled("MedicationRequest", m.Sensitive),
			Status: "unknown", Intent: "order", MedicationCodeableConcept: med, Subject: b.patient, AuthoredOn: m.Started.String()}
		stmt := &medicationStatement{ResourceType: "MedicationStatement", ID: sid, Meta: labelled("MedicationStatement", m.Sensitive),
			Status: "unknown", MedicationCodeableConcept: med, Subject: b.patient}
		switch m.Status {
		case "current":
			req.Status, stmt.Status = "active", "active"
		case "past":
			stmt.Status = "completed"
			req.Status = "completed"
			if m.Kind == "repeat" {
				req.Status = "stopped" // a repeat ends by being stopped
			}
		}
		switch m.Kind {
		case "repeat":
			req.CourseOfTherapyType = coded(courseOfTherapy, "continuous", "Continuous long term therapy")
		case "acute":
			req.CourseOfTherapyType = coded(courseOfTherapy, "acute", "Short course (acute) therapy")
		}
		if m.Dose != "" {
			req.DosageInstruction = []dosage{{Text: m.Dose}}
			stmt.Dosage = []dosage{{Text: m.Dose}}
		}
		if q := strings.TrimSpace(m.Quantity); q != "" {
			if g := dispensed.FindStringSubmatch(q); g != nil {
				req.DispenseRequest = &dispenseRequest{Quantity: &quantity{Value: json.Number(g[1] + g[2]), Unit: g[3]}}
			} else {
				req.Note = append(req.Note, annotation{Text: quantityNote + q})
			}
		}
		if !m.LastIssued.IsZero() {
			req.Note = append(req.Note, annotation{Text: issuedNote + m.LastIssued.String()})
		}
		if !m.Started.IsZero() || !m.Ended.IsZero() {
			stmt.EffectivePeriod = &period{Start: m.Started.String(), End: m.Ended.String()}
		}
		stmt.BasedOn = []reference{b.add(rid, "MedicationRequest", req)}
		b.add(sid, "MedicationStatement", stmt)
	}
	return nil
}

func (b *builder) problems() error {
	for i, p := range b.rec.Problems {
		id, err := b.id("Condition", itemID(p.ID, i))
		if err != nil {
			return err
		}
		c := &condition{ResourceType: "Condition", ID: id, Meta: labelled("Condition", p.Sensitive),
			VerificationStatus: coded(conditionVerify, "confirmed", "Confirmed"),
			Category:           []codeableConcept{*coded(conditionCategory, "problem-list-item", "Problem List Item")},
			Code:               concept(p.Code), Subject: b.patient, OnsetDateTime: p.Onset.String()}
		switch p.Status {
		case "active":
			c.ClinicalStatus = coded(conditionClinical, "active", "Active")
		case "past":
			c.ClinicalStatus = coded(conditionClinical, "resolved", "Resolved")
			c.AbatementDateTime = p.Ended.String() // only with an inactive status (con-4)
		}
		// UK Core carries significance in an extension; a note keeps this
		// export extension-free and still tells a reader.
		switch p.Significance {
		case "significant":
			c.Note = []annotation{{Text: "Significant problem"}}
		case "minor":
			c.Note = []annotation{{Text: "Minor problem"}}
		}
		b.add(id, "Condition", c)
	}
	return nil
}

func (b *builder) immunisations() error {
	for i, im := range b.rec.Immunisations {
		id, err := b.id("Immunization", itemID(im.ID, i))
		if err != nil {
			return err
		}
		r := &immunization{ResourceType: "Immunization", ID: id, Meta: labelled("Immunization", im.Sensitive), Status: "completed",
			VaccineCode: conceptOr(im.Vaccine, "Vaccine"), Patient: b.patient, OccurrenceDateTime: im.Date.String(), LotNumber: im.Batch}
		if im.Date.IsZero() {
			r.OccurrenceString = "Date not recorded" // occurrence[x] is mandatory
		}
		if im.Dose != "" {
			r.ProtocolApplied = []protocolApplied{{DoseNumberString: im.Dose}}
		}
		b.add(id, "Immunization", r)
	}
	return nil
}
