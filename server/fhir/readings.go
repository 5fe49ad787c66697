package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// Remote-monitoring readings. A reading is a vital-signs Observation in the
// shape FHIR R4's vital-signs profiles give (coded and measured by
// gp.VitalSign.Measure, the one table of LOINC codes and UCUM units): status
// final, the sign's category, code and profile, the patient as subject,
// effectiveDateTime when it was taken, issued when it was sent, a blood
// pressure as a panel of systolic and diastolic components and every other
// sign as one valueQuantity, interpretation how it stood against the plan
// (v3-ObservationInterpretation: N, H and L for amber, HH and LL for red),
// note the patient's words, and who sent it as an extension. A meta.tag
// marks it a home reading, so a reader tells the readings patients sent
// from measurements the practice took with the same codes. Bundle writes
// Options.Readings so, and the FHIR GP adapter writes and reads readings
// with ReadingObservation and ReadReading, so the GP system and the export
// hold one shape.
const (
	// ObservationSourceSystem codes, in meta.tag, where an Observation
	// came from.
	ObservationSourceSystem = "https://companion.nhs.uk/fhir/CodeSystem/observation-source"
	// HomeReading is the tag of a reading a patient sent from home.
	HomeReading = "home-reading"
	// ExtSubmittedBy gives who sent a reading (an opaque id), as it gives
	// who sent an online request in the FHIR GP adapter.
	ExtSubmittedBy = "https://companion.nhs.uk/fhir/StructureDefinition/submitted-by"
)

// millis is how a reading's times are written: to the millisecond, always
// with the fraction, in UTC.
const millis = "2006-01-02T15:04:05.000Z07:00"

type extension struct {
	URL         string `json:"url"`
	ValueString string `json:"valueString"`
}

type component struct {
	Code          *codeableConcept `json:"code"`
	ValueQuantity *quantity        `json:"valueQuantity"`
}

// readingObservation is a reading as an Observation: its own shape, for
// the elements test results' Observations do not have.
type readingObservation struct {
	ResourceType      string            `json:"resourceType"`
	ID                string            `json:"id,omitempty"`
	Meta              *meta             `json:"meta"`
	Extension         []extension       `json:"extension,omitempty"`
	Status            string            `json:"status"`
	Category          []codeableConcept `json:"category"`
	Code              *codeableConcept  `json:"code"`
	Subject           reference         `json:"subject"`
	EffectiveDateTime string            `json:"effectiveDateTime"`
	Issued            string            `json:"issued,omitempty"`
	ValueQuantity     *quantity         `json:"valueQuantity,omitempty"`
	Interpretation    []codeableConcept `json:"interpretation,omitempty"`
	Note              []annotation      `json:"note,omitempty"`
	Component         []component       `json:"component,omitempty"`
}

// categoryNames are the displays of the observation-category codes the
// table uses.
var categoryNames = map[string]string{"vital-signs": "Vital Signs", "exam": "Exam", "laboratory": "Laboratory"}

// interpretations code a reading's attention and direction.
var interpretations = []struct {
	attention     gp.Attention
	direction     string
	code, display string
}{
	{gp.AttentionNone, "", "N", "Normal"},
	{gp.AttentionAmber, "high", "H", "High"},
	{gp.AttentionAmber, "low", "L", "Low"},
	{gp.AttentionRed, "high", "HH", "Critical high"},
	{gp.AttentionRed, "low", "LL", "Critical low"},
}

func (b *builder) readings() error {
	for i, r := range b.opt.Readings {
		id, err := b.id("Observation/reading", itemID(r.ID, i))
		if err != nil {
			return err
		}
		o, err := newReading(r, id, b.patient)
		if err != nil {
			return err
		}
		b.add(id, "Observation", o)
	}
	return nil
}

// ReadingObservation is the reading r as Bundle writes it, without an id,
// about the patient subject refers to ("Patient/123"): for the FHIR GP
// adapter, which writes readings to the GP system in the export's shape.
// It fails for a reading that fails r.Check.
func ReadingObservation(r gp.Reading, subject string) (json.RawMessage, error) {
	o, err := newReading(r, "", reference{Reference: subject, Type: "Patient"})
	if err != nil {
		return nil, err
	}
	return json.Marshal(o)
}

func newReading(r gp.Reading, id string, subject reference) (*readingObservation, error) {
	if err := r.Check(); err != nil {
		return nil, fmt.Errorf("fhir: %w", err)
	}
	m, _ := r.Sign.Measure()
	// The most specific profile the reading meets: FHIR's vital-signs
	// profile of its sign, or UK Core's Observation for the signs FHIR R4
	// does not list as vital signs.
	profile := m.Profile
	if profile == "" {
		profile = ukCore + "Observation"
	}
	code := &codeableConcept{Coding: []coding{loincCoding(m.Code)}, Text: m.Code.Display}
	for _, c := range m.Also {
		code.Coding = append(code.Coding, loincCoding(c))
	}
	o := &readingObservation{
		ResourceType: "Observation", ID: id,
		Meta:   &meta{Profile: []string{profile}, Tag: []coding{{System: ObservationSourceSystem, Code: HomeReading, Display: "Home reading"}}},
		Status: "final", Category: []codeableConcept{*coded(observationCategory, m.Category, categoryNames[m.Category])},
		Code: code, Subject: subject, EffectiveDateTime: r.Taken.UTC().Format(millis),
	}
	if !r.Submitted.IsZero() {
		o.Issued = r.Submitted.UTC().Format(millis)
	}
	if r.SubmittedBy != "" {
		o.Extension = []extension{{URL: ExtSubmittedBy, ValueString: r.SubmittedBy}}
	}
	value := func(v float64) *quantity {
		return &quantity{Value: json.Number(strconv.FormatFloat(v, 'f', -1, 64)), Unit: m.UnitName, System: UCUM, Code: m.Unit}
	}
	if len(m.Parts) == 0 {
		o.ValueQuantity = value(r.Values[0])
	}
	for i, p := range m.Parts {
		o.Component = append(o.Component, component{Code: &codeableConcept{Coding: []coding{loincCoding(p)}, Text: p.Display},
			ValueQuantity: value(r.Values[i])})
	}
	for _, in := range interpretations {
		if in.attention == r.Attention && in.direction == r.Direction {
			o.Interpretation = []codeableConcept{*coded(interpretation, in.code, in.display)}
		}
	}
	if r.Note != "" {
		o.Note = []annotation{{Text: r.Note}}
	}
	return o, nil
}

func loincCoding(c gp.Coding) coding {
	return coding{System: c.System, Code: c.Code, Display: c.Display}
}

// ReadReading maps an Observation that Bundle or ReadingObservation wrote
// back to the reading: its ID the resource's, its times in UTC, its
// patient and practice left for the caller. ok is false for an
// Observation that is no home reading (not tagged as one, or of no vital
// sign). A home reading whose values are missing or in another unit is an
// error: read as the sign's unit, it would be wrong.
func ReadReading(raw json.RawMessage) (r gp.Reading, ok bool, err error) {
	var o readingObservation
	if err := json.Unmarshal(raw, &o); err != nil {
		return gp.Reading{}, false, fmt.Errorf("fhir: read reading: %w", err)
	}
	if o.ResourceType != "Observation" || o.Meta == nil || !hasTag(o.Meta.Tag) || o.Code == nil {
		return gp.Reading{}, false, nil
	}
	for _, c := range o.Code.Coding {
		if s, found := gp.SignOf(c.System, c.Code); found {
			r.Sign = s
			break
		}
	}
	m, known := r.Sign.Measure()
	if !known {
		return gp.Reading{}, false, nil
	}
	fail := func(what string) (gp.Reading, bool, error) {
		return gp.Reading{}, false, fmt.Errorf("fhir: read reading %s: %s", o.ID, what)
	}
	if len(m.Parts) == 0 {
		v, err := valueIn(o.ValueQuantity, m.Unit)
		if err != nil {
			return fail(err.Error())
		}
		r.Values = []float64{v}
	}
	for _, p := range m.Parts {
		found := false
		for _, c := range o.Component {
			if c.Code != nil && code(c.Code, gp.LOINC) == p.Code {
				v, err := valueIn(c.ValueQuantity, m.Unit)
				if err != nil {
					return fail(err.Error())
				}
				r.Values, found = append(r.Values, v), true
				break
			}
		}
		if !found {
			return fail("a component is missing")
		}
	}
	if r.Taken, err = time.Parse(time.RFC3339Nano, o.EffectiveDateTime); err != nil {
		return fail("no time taken")
	}
	r.Taken = r.Taken.UTC()
	if o.Issued != "" {
		if r.Submitted, err = time.Parse(time.RFC3339Nano, o.Issued); err != nil {
			return fail("issued is no instant")
		}
		r.Submitted = r.Submitted.UTC()
	}
	if len(o.Interpretation) > 0 {
		c := code(&o.Interpretation[0], interpretation)
		for _, in := range interpretations {
			if in.code == c {
				r.Attention, r.Direction = in.attention, in.direction
			}
		}
	}
	if len(o.Note) > 0 {
		r.Note = o.Note[0].Text
	}
	for _, e := range o.Extension {
		if e.URL == ExtSubmittedBy {
			r.SubmittedBy = e.ValueString
		}
	}
	r.ID = o.ID
	return r, true, nil
}

func hasTag(tags []coding) bool {
	for _, t := range tags {
		if t.System == ObservationSourceSystem && t.Code == HomeReading {
			return true
		}
	}
	return false
}

// valueIn is a quantity's value, which must be in the UCUM unit.
func valueIn(q *quantity, unit string) (float64, error) {
	if q == nil {
		return 0, errors.New("no value")
	}
	if q.System != UCUM || q.Code != unit {
		return 0, errors.New("a value in another unit")
	}
	v, err := strconv.ParseFloat(string(q.Value), 64)
	if err != nil {
		return 0, errors.New("a value that is no number")
	}
	return v, nil
}
