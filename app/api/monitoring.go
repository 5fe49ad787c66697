package api

// Reading is one vital-sign reading sent for a monitoring plan.
type Reading struct {
	ID string `json:"id"`
	// Sign is "blood_pressure", "pulse", "oxygen_saturation",
	// "temperature", "respiratory_rate", "weight", "peak_flow" or
	// "blood_glucose".
	Sign string `json:"sign"`
	// Values are in Unit (UCUM): systolic then diastolic for a blood
	// pressure, one value otherwise.
	Values []float64 `json:"values"`
	Unit   string    `json:"unit"`
	// Taken and Submitted are Unix milliseconds.
	Taken     int64  `json:"taken"`
	Submitted int64  `json:"submitted"`
	Note      string `json:"note,omitempty"`
	// Attention is "red", "amber" or "" as judged against the plan when it
	// was sent; Direction "high", "low" or "".
	Attention string `json:"attention,omitempty"`
	Direction string `json:"direction,omitempty"`
	// ByProxy: sent by someone acting for the patient.
	ByProxy bool `json:"by_proxy,omitempty"`
	// Reviewed: the practice has reviewed it (staff views only).
	Reviewed bool `json:"reviewed,omitempty"`
}

// Limits are a measurement's thresholds: at or below a low one, at or
// above a high one (nil: none).
type Limits struct {
	RedLow    *float64 `json:"red_low,omitempty"`
	AmberLow  *float64 `json:"amber_low,omitempty"`
	AmberHigh *float64 `json:"amber_high,omitempty"`
	RedHigh   *float64 `json:"red_high,omitempty"`
}

// SignPart is one measurement of a sign: its name ("systolic",
// "diastolic" or "" when the sign has one), the range of values accepted,
// the decimals it takes, and the plan's thresholds for it.
type SignPart struct {
	Name     string  `json:"name,omitempty"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Decimals int     `json:"decimals,omitempty"`
	Limits   Limits  `json:"limits"`
}

// PlanSign is one reading a plan asks for, and where it stands.
type PlanSign struct {
	Sign       string     `json:"sign"`
	Unit       string     `json:"unit"`
	EveryHours int        `json:"every_hours"`
	Parts      []SignPart `json:"parts"`
	// Last is the latest reading of this sign (nil: none yet); Due is when
	// the next is due (Unix ms), and Missed is set once that has passed.
	Last   *Reading `json:"last,omitempty"`
	Due    int64    `json:"due"`
	Missed bool     `json:"missed,omitempty"`
}

// MonitoringPlan is a patient's plan as they and their practice see it.
type MonitoringPlan struct {
	Practice string     `json:"practice"`
	Signs    []PlanSign `json:"signs"`
	// Start and End are Unix ms; Active is false once the plan has ended.
	Start  int64 `json:"start"`
	End    int64 `json:"end"`
	Active bool  `json:"active"`
}

// Monitoring is the patient's monitoring pages' data: the plan, the
// readings sent (newest first), and on a reading's page its form.
type Monitoring struct {
	Patient  string          `json:"patient"`
	Plan     *MonitoringPlan `json:"plan,omitempty"`
	Readings []Reading       `json:"readings"`
	// Form is the page for sending one reading, Sent the reading just
	// sent (its page says what happens next).
	Form   *ReadingForm `json:"form,omitempty"`
	Sent   *Reading     `json:"sent,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

// ReadingForm is what was typed on a reading's page, kept when it is
// refused.
type ReadingForm struct {
	Sign   string   `json:"sign"`
	Values []string `json:"values"`
	// When is "now" or "earlier"; Time is HH:MM today when earlier.
	When string `json:"when,omitempty"`
	Time string `json:"time,omitempty"`
	Note string `json:"note,omitempty"`
	// Key is the idempotency key made when the form was shown.
	Key string `json:"key,omitempty"`
}

// NewReading is POST /api/v1/patients/{pid}/monitoring/readings.
type NewReading struct {
	Sign   string    `json:"sign"`
	Values []float64 `json:"values"`
	// Taken is Unix ms (0: now).
	Taken int64  `json:"taken,omitempty"`
	Note  string `json:"note,omitempty"`
}

// MonitoredPatient is one patient on a practice's plans, for its staff.
type MonitoredPatient struct {
	// Patient is the patient's opaque ID.
	Patient   string `json:"patient"`
	Name      string `json:"name"`
	BirthDate string `json:"birthdate"`
	// Attention is the worst reading the practice has not reviewed: "red",
	// "amber", or "" (then Missed says whether a reading is overdue).
	Attention string          `json:"attention,omitempty"`
	Missed    []string        `json:"missed,omitempty"`
	Plan      *MonitoringPlan `json:"plan"`
	// Readings are the patient's readings, newest first (the board gives
	// only the unreviewed ones needing attention).
	Readings []Reading `json:"readings"`
	// Moved: no longer registered at this practice (or not found): the
	// plan asks for nothing and the readings are not shown here.
	Moved bool `json:"moved,omitempty"`
	// Reviewed is when the practice last reviewed the readings (Unix ms).
	Reviewed   int64  `json:"reviewed,omitempty"`
	ReviewedBy string `json:"reviewed_by,omitempty"`
}

// MonitoringBoard is a practice's patients on plans, those who need
// attention first: red, amber, overdue, then the rest.
type MonitoringBoard struct {
	Practice     string             `json:"practice"`
	PracticeName string             `json:"practice_name"`
	Patients     []MonitoredPatient `json:"patients"`
	// Open is one patient's page (the board's other fields still set).
	Open *MonitoredPatient `json:"open,omitempty"`
	// Form is the plan being set, with the check of who it is for.
	Form   *PlanForm    `json:"form,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
	// Saved names what was just saved ("plan", "review").
	Saved string `json:"saved,omitempty"`
}

// PlanForm is a plan as staff set it: the patient, the readings with how
// often and thresholds, and how many days it runs.
type PlanForm struct {
	NHSNumber string `json:"nhs_number"`
	// Name and BirthDate are the patient's from the GP record, shown
	// before a plan is saved so a mistyped NHS number is seen.
	Name      string         `json:"name,omitempty"`
	BirthDate string         `json:"birthdate,omitempty"`
	Signs     []PlanFormSign `json:"signs"`
	Days      string         `json:"days"`
}

// PlanFormSign is one reading on the plan form, as typed.
type PlanFormSign struct {
	Sign       string `json:"sign"`
	Unit       string `json:"unit"`
	Chosen     bool   `json:"chosen"`
	EveryHours string `json:"every_hours"`
	// Limits are per part: red low, amber low, amber high, red high.
	Limits [][4]string `json:"limits"`
	Parts  []string    `json:"parts"`
}
