package gp

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// LOINC is the code system of LOINC codes.
const LOINC = "http://loinc.org"

// UCUM is the code system of units of measure.
const UCUM = "http://unitsofmeasure.org"

// Measure is how readings of one vital sign are coded: the one table both
// the FHIR adapter (server/gp/fhir) and the record export (server/fhir)
// write Observations from, and pages take units from.
type Measure struct {
	// Code is the sign's LOINC code (a panel's, for blood pressure).
	Code Coding
	// Also are further LOINC codes a reading carries beside Code
	// (oxygen saturation's 2708-6, which the vital-signs profile asks for).
	Also []Coding
	// Parts code the values of a panel, in Values order (systolic, then
	// diastolic); nil for a sign with one value.
	Parts []Coding
	// Unit is the UCUM code of every value, UnitName how FHIR's
	// Quantity.unit writes it.
	Unit, UnitName string
	// Category is the FHIR observation-category code: vital-signs for the
	// signs FHIR R4 lists as vital signs; exam for peak flow (a simple
	// instrument at home); laboratory for blood glucose (a point-of-care
	// test, as laboratory results are categorised).
	Category string
	// Profile is the base FHIR R4 vital-signs profile readings conform to
	// ("" for peak flow and blood glucose, which FHIR R4 does not list).
	Profile string
}

// Values is how many numbers a reading of the sign has.
func (m Measure) Values() int { return max(1, len(m.Parts)) }

func loinc(code, display string) Coding { return Coding{System: LOINC, Code: code, Display: display} }

// vitalsProfile is the base of FHIR R4's vital-signs profile URLs.
const vitalsProfile = "http://hl7.org/fhir/StructureDefinition/"

// measures is the table, by sign.
var measures = map[VitalSign]Measure{
	BloodPressure: {Code: loinc("85354-9", "Blood pressure panel with all children optional"),
		Parts: []Coding{loinc("8480-6", "Systolic blood pressure"), loinc("8462-4", "Diastolic blood pressure")},
		Unit:  "mm[Hg]", UnitName: "mmHg", Category: "vital-signs", Profile: vitalsProfile + "bp"},
	Pulse: {Code: loinc("8867-4", "Heart rate"), Unit: "/min", UnitName: "beats/minute",
		Category: "vital-signs", Profile: vitalsProfile + "heartrate"},
	OxygenSaturation: {Code: loinc("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
		Also: []Coding{loinc("2708-6", "Oxygen saturation in Arterial blood")},
		Unit: "%", UnitName: "%", Category: "vital-signs", Profile: vitalsProfile + "oxygensat"},
	Temperature: {Code: loinc("8310-5", "Body temperature"), Unit: "Cel", UnitName: "°C",
		Category: "vital-signs", Profile: vitalsProfile + "bodytemp"},
	RespiratoryRate: {Code: loinc("9279-1", "Respiratory rate"), Unit: "/min", UnitName: "breaths/minute",
		Category: "vital-signs", Profile: vitalsProfile + "resprate"},
	Weight: {Code: loinc("29463-7", "Body weight"), Unit: "kg", UnitName: "kg",
		Category: "vital-signs", Profile: vitalsProfile + "bodyweight"},
	PeakFlow: {Code: loinc("19935-6", "Maximum expiratory gas flow Respiratory system airway by Peak flow meter"),
		Unit: "L/min", UnitName: "L/min", Category: "exam"},
	BloodGlucose: {Code: loinc("15074-8", "Glucose [Moles/volume] in Blood"), Unit: "mmol/L", UnitName: "mmol/L",
		Category: "laboratory"},
}

// Measure is how readings of the sign are coded; false for a sign that is
// none of VitalSigns.
func (s VitalSign) Measure() (Measure, bool) {
	m, ok := measures[s]
	return m, ok
}

// Unit is the UCUM code of the sign's values ("" for an unknown sign).
func (s VitalSign) Unit() string { return measures[s].Unit }

// SignOf is the vital sign a LOINC code (a sign's Code or one of its
// Also) stands for.
func SignOf(system, code string) (VitalSign, bool) {
	if system != LOINC {
		return "", false
	}
	for _, s := range VitalSigns {
		m := measures[s]
		if m.Code.Code == code || slices.ContainsFunc(m.Also, func(c Coding) bool { return c.Code == code }) {
			return s, true
		}
	}
	return "", false
}

// ErrUnknownSign is wrapped by Check for a sign that is none of
// VitalSigns. Adapters answer it as ErrNotFound (no such sign), as they do
// a contact kind they do not offer.
var ErrUnknownSign = fmt.Errorf("%w: no such vital sign", ErrNotFound)

// Check reports whether r could be stored: a known sign (else an error
// wrapping ErrUnknownSign, and so ErrNotFound), as many finite values as
// the sign has, a time taken, and an attention with its direction ("high"
// or "low") or neither. The other faults are of no port kind: the server
// checks readings before sending them, so one reaching the GP system is a
// bug. Errors name no value.
func (r Reading) Check() error {
	m, ok := r.Sign.Measure()
	switch {
	case !ok:
		return ErrUnknownSign
	case len(r.Values) != m.Values():
		return fmt.Errorf("reading: %d values, want %d", len(r.Values), m.Values())
	case slices.ContainsFunc(r.Values, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }):
		return errors.New("reading: a value is not a number")
	case r.Taken.IsZero():
		return errors.New("reading: no time taken")
	case r.Attention == AttentionNone && r.Direction != "":
		return errors.New("reading: a direction with no attention")
	case r.Attention != AttentionNone && r.Attention != AttentionAmber && r.Attention != AttentionRed:
		return errors.New("reading: unknown attention")
	case r.Attention != AttentionNone && r.Direction != "high" && r.Direction != "low":
		return errors.New("reading: attention with no direction")
	}
	return nil
}
