package api

// Repeat is a repeat medicine as the patient sees it, with whether it can
// be ordered now.
type Repeat struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Dose     string `json:"dose"`
	Quantity string `json:"quantity"`
	// LastIssued, Due and ReviewDate are YYYY-MM-DD ("" when not known).
	LastIssued string `json:"last_issued,omitempty"`
	Due        string `json:"due,omitempty"`
	ReviewDate string `json:"review_date,omitempty"`
	// State is "orderable", "early" (orderable with a reason),
	// "requested" (a request is on its way) or "review_due" (the practice
	// must review it first).
	State string `json:"state"`
}

// Orderable reports whether the medicine can be ordered now (early ones
// with a reason).
func (r Repeat) Orderable() bool { return r.State == "orderable" || r.State == "early" }

// Pharmacy is a community pharmacy.
type Pharmacy struct {
	ODS      string   `json:"ods"`
	Name     string   `json:"name"`
	Address  []string `json:"address"`
	Postcode string   `json:"postcode"`
	Phone    string   `json:"phone,omitempty"`
}

// StatusChange is one step in a prescription request's history.
type StatusChange struct {
	// Status is "requested", "approved", "rejected", "sent_to_pharmacy",
	// "ready_to_collect" or "dispensed".
	Status string `json:"status"`
	At     int64  `json:"at"` // Unix ms
	// Reason is why the practice rejected the request.
	Reason string `json:"reason,omitempty"`
}

// PrescriptionRequest is one medicine ordered, and where it has got to.
type PrescriptionRequest struct {
	ID       string   `json:"id"`
	OrderID  string   `json:"order_id"`
	RepeatID string   `json:"medication_id"`
	Name     string   `json:"name"`
	Dose     string   `json:"dose"`
	Quantity string   `json:"quantity"`
	Note     string   `json:"note,omitempty"`
	Pharmacy Pharmacy `json:"pharmacy"`
	// Status is the latest entry of History.
	Status  string         `json:"status"`
	History []StatusChange `json:"history"`
	// Pending is set while the request is on its way (not yet ready,
	// dispensed or rejected).
	Pending bool `json:"pending,omitempty"`
}

// OrderRequest is POST /api/v1/patients/{pid}/prescription-requests.
type OrderRequest struct {
	MedicationIDs []string `json:"medication_ids"`
	Note          string   `json:"note"`
	// PharmacyODS is where to send the prescription; the nominated
	// pharmacy when empty.
	PharmacyODS string `json:"pharmacy_ods"`
}

// OrderResult is the answer to an order: one request per medicine.
type OrderResult struct {
	OrderID  string                `json:"order_id"`
	Requests []PrescriptionRequest `json:"requests"`
}

// NominationRequest is PUT /api/v1/patients/{pid}/pharmacy.
type NominationRequest struct {
	PharmacyODS string `json:"pharmacy_ods"`
}

// Nomination is the patient's nominated pharmacy (nil for none).
type Nomination struct {
	Pharmacy *Pharmacy `json:"pharmacy"`
}

// Prescriptions is the prescriptions page.
type Prescriptions struct {
	// Patient names who the medicines are for.
	Patient string   `json:"patient"`
	Repeats []Repeat `json:"repeats"`
	// Requests are the patient's requests, newest first.
	Requests []PrescriptionRequest `json:"requests"`
	// Pharmacy is the nominated pharmacy (nil for none).
	Pharmacy *Pharmacy `json:"pharmacy,omitempty"`
	// Ordered lists what was just ordered, for the confirmation.
	Ordered []PrescriptionRequest `json:"ordered,omitempty"`
	// Notice is a one-off message after an action: "pharmacy_changed".
	Notice    string `json:"notice,omitempty"`
	Practice  string `json:"practice"`
	Phone     string `json:"phone"`
	EarlyDays int    `json:"early_days"`
}

// OrderStep is a page of ordering repeat prescriptions.
type OrderStep string

// The ordering steps, in order.
const (
	OrderMedicines OrderStep = "medicines"
	OrderNote      OrderStep = "note"
	OrderPharmacy  OrderStep = "pharmacy"
	OrderCheck     OrderStep = "check"
)

// OrderSteps are the ordering steps, in order.
var OrderSteps = []OrderStep{OrderMedicines, OrderNote, OrderPharmacy, OrderCheck}

// OrderURL is the address of an ordering step.
func OrderURL(step OrderStep) string {
	if step == OrderMedicines {
		return "/prescriptions/order"
	}
	return "/prescriptions/order?step=" + string(step)
}

// OrderForm is the state of the ordering pages: which step, what has been
// chosen so far, and the choices for the step.
type OrderForm struct {
	Step    OrderStep `json:"step"`
	Patient string    `json:"patient"`
	// Repeats are every repeat medicine (the choices on the first step,
	// and the names of the chosen ones later).
	Repeats  []Repeat `json:"repeats"`
	Selected []string `json:"selected,omitempty"`
	Note     string   `json:"note,omitempty"`
	NoteMax  int      `json:"note_max"`
	// Early names the chosen medicines ordered early: the note must say
	// why.
	Early []string `json:"early,omitempty"`
	// Pharmacy is where this order goes; Nominated is the patient's
	// nominated pharmacy.
	Pharmacy  *Pharmacy `json:"pharmacy,omitempty"`
	Nominated *Pharmacy `json:"nominated,omitempty"`
	// Query and Results are the pharmacy search.
	Query          string       `json:"query,omitempty"`
	Results        []Pharmacy   `json:"results,omitempty"`
	Searched       bool         `json:"searched,omitempty"`
	IdempotencyKey string       `json:"idempotency_key,omitempty"`
	Errors         []FieldError `json:"errors,omitempty"`
}

// PharmacyChoice is the change-pharmacy page.
type PharmacyChoice struct {
	Patient  string       `json:"patient"`
	Current  *Pharmacy    `json:"current,omitempty"`
	Query    string       `json:"query,omitempty"`
	Results  []Pharmacy   `json:"results,omitempty"`
	Searched bool         `json:"searched,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
}

// Notification is a change the patient has not read yet, shown on the home
// page until they mark it read.
type Notification struct {
	ID string `json:"id"`
	// Kind is "prescription".
	Kind string `json:"kind"`
	// Status is the prescription's new status.
	Status    string   `json:"status"`
	Medicines []string `json:"medicines"`
	Pharmacy  string   `json:"pharmacy,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	At        int64    `json:"at"` // Unix ms
}
