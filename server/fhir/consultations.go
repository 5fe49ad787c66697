package fhir

import (
	"strings"

	"github.com/nhs-companion/companion/server/gp"
)

// consultationReport is the SNOMED CT record artifact a consultation's
// note is filed as.
var consultationReport = gp.Coding{System: gp.SNOMED, Code: "371530004", Display: "Clinical consultation report"}

func (b *builder) consultations() error {
	for i, c := range b.rec.Consultations {
		key := itemID(c.ID, i)
		eid, err := b.id("Encounter", key)
		if err != nil {
			return err
		}
		did, err := b.id("DocumentReference/consultation", key)
		if err != nil {
			return err
		}
		enc := &encounter{ResourceType: "Encounter", ID: eid, Meta: labelled("Encounter", c.Sensitive), Status: "finished",
			Class: encounterClass(c.Location), Subject: b.patient, ServiceProvider: b.org}
		if !c.Date.IsZero() {
			enc.Period = &period{Start: c.Date.String()}
		}
		who := c.Clinician
		if c.Role != "" {
			who = strings.TrimPrefix(who+", "+c.Role, ", ")
		}
		if who != "" {
			enc.Participant = []participant{{
				Type:       []codeableConcept{*coded(participationType, "PPRF", "primary performer")},
				Individual: reference{Display: who},
			}}
		}
		if c.Location != "" {
			enc.Location = []encounterLocation{{Location: reference{Display: c.Location}}}
		}
		var note strings.Builder
		for _, e := range c.Entries {
			line := e.Text
			if e.Heading != "" {
				line = e.Heading + ": " + line
			}
			if e.Code != nil {
				if parts := nonEmpty([]string{e.Code.Display, e.Code.Code}); len(parts) > 0 {
					line += " (" + strings.Join(parts, ", ") + ")"
				}
				if cc := concept(*e.Code); cc != nil && e.Heading == "Problem" {
					if e.Text != "" {
						cc.Text = e.Text
					}
					enc.ReasonCode = append(enc.ReasonCode, *cc)
				}
			}
			note.WriteString(line + "\n")
		}
		encRef := b.add(eid, "Encounter", enc)
		doc := &documentReference{ResourceType: "DocumentReference", ID: did, Meta: labelled("DocumentReference", c.Sensitive),
			Status: "current", Type: concept(consultationReport), Subject: b.patient, Description: "Consultation",
			Content: []content{{Attachment: attachment{ContentType: "text/plain; charset=utf-8", Data: []byte(note.String()),
				Title: "Consultation", Creation: c.Date.String()}}},
			Context: &docContext{Encounter: []reference{encRef}}}
		if who != "" {
			doc.Author = []reference{{Display: who}}
		}
		if !c.Date.IsZero() {
			doc.Context.Period = &period{Start: c.Date.String()}
		}
		b.add(did, "DocumentReference", doc)
	}
	return nil
}

// encounterClass reads how a consultation happened from where the record
// says it happened; most are at the surgery.
func encounterClass(location string) coding {
	l := strings.ToLower(location)
	switch {
	case strings.Contains(l, "telephone"), strings.Contains(l, "phone"), strings.Contains(l, "video"), strings.Contains(l, "online"):
		return coding{System: actCode, Code: "VR", Display: "virtual"}
	case strings.Contains(l, "home"):
		return coding{System: actCode, Code: "HH", Display: "home health"}
	}
	return coding{System: actCode, Code: "AMB", Display: "ambulatory"}
}
