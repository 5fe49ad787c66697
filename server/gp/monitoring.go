package gp

import (
	"context"
	"time"
)

// VitalSign is a kind of reading a patient takes at home for remote
// monitoring.
type VitalSign string

// The vital signs and measurements a monitoring plan may ask for.
const (
	BloodPressure    VitalSign = "blood_pressure"
	Pulse            VitalSign = "pulse"
	OxygenSaturation VitalSign = "oxygen_saturation"
	Temperature      VitalSign = "temperature"
	Weight           VitalSign = "weight"
	PeakFlow         VitalSign = "peak_flow"
	BloodGlucose     VitalSign = "blood_glucose"
	RespiratoryRate  VitalSign = "respiratory_rate"
)

// VitalSigns lists every vital sign, in the order pages show them.
var VitalSigns = []VitalSign{BloodPressure, Pulse, OxygenSaturation, Temperature, RespiratoryRate, Weight, PeakFlow, BloodGlucose}

// Attention is what a reading needs of the practice, judged against the
// patient's plan when it was taken.
type Attention string

// Attention levels, least first.
const (
	// AttentionNone: within the plan's thresholds.
	AttentionNone Attention = ""
	// AttentionAmber: past an amber threshold; the practice reviews it.
	AttentionAmber Attention = "amber"
	// AttentionRed: past a red threshold; the patient was told to get
	// urgent help and the practice sees it first.
	AttentionRed Attention = "red"
)

// Reading is one vital-sign observation a patient (or someone acting for
// them) took at home. In FHIR it is a vital-signs Observation: LOINC code
// and UCUM unit by Sign (Sign.Measure, the one table of them), a blood
// pressure as a panel with systolic and diastolic components.
type Reading struct {
	ID          string
	PatientNHS  string
	PracticeODS string
	Sign        VitalSign
	// Values are the measurement in the sign's UCUM unit: systolic then
	// diastolic for a blood pressure, one value otherwise.
	Values []float64
	// Taken is when the reading was taken, Submitted when it was sent;
	// adapters keep both to the millisecond at least.
	Taken     time.Time
	Submitted time.Time
	// Note is the patient's own words about it ("" for none).
	Note string
	// SubmittedBy is the opaque id of who sent it (the patient or a proxy).
	SubmittedBy string
	// Attention is how the reading stood against the plan, and Direction
	// which way it was out ("high" or "low"; "" within the thresholds).
	Attention Attention
	Direction string
}

// Monitoring is the remote-monitoring part of the port: readings patients
// send are stored in their GP record as observations.
type Monitoring interface {
	// RecordReading stores a reading and returns it with its ID (any ID
	// in r is ignored; a zero Submitted becomes now): ErrNotFound unless
	// the patient is registered at r.PracticeODS and r.Sign is one of
	// VitalSigns. A reading that fails r.Check otherwise is refused with
	// an error of no port kind.
	RecordReading(ctx context.Context, r Reading) (Reading, error)
	// Readings lists the patient's readings taken at or after since (all
	// of them when since is zero), newest taken first: ErrNotFound for a
	// patient the system does not know, an empty list for one with none.
	// They are the readings patients sent, never measurements the
	// practice took itself.
	Readings(ctx context.Context, patientNHS string, since time.Time) ([]Reading, error)
}
