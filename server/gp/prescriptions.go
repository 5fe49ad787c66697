package gp

import (
	"context"
	"errors"
	"time"
)

// ErrAlreadyRequested is returned when ordering a medicine that already has
// a request on its way: the patient should wait for it, not order twice.
var ErrAlreadyRequested = errors.New("gp: already requested")

// ErrReviewDue is returned when ordering a medicine past its review date:
// the practice must review it before it can be issued again.
var ErrReviewDue = errors.New("gp: review due")

// ErrTooEarly is returned when ordering a medicine long before it is due
// without saying why it is needed early.
var ErrTooEarly = errors.New("gp: too early")

// Pharmacy is a community pharmacy prescriptions can be sent to.
type Pharmacy struct {
	ODS      string // ODS code, e.g. "FA123"
	Name     string
	Address  []string
	Postcode string
	Phone    string
}

// Repeat is a repeat prescription template: a medicine the practice has
// agreed the patient may order again without seeing a clinician.
type Repeat struct {
	ID       string // stable and opaque; unique to the patient
	Drug     Coding // dm+d concept (in SNOMED CT)
	Name     string // medicine and strength, e.g. "Metformin 500mg tablets"
	Dose     string // instructions, e.g. "One tablet twice a day with meals"
	Quantity string // one issue, e.g. "112 tablets"
	// SupplyDays is how long one issue lasts.
	SupplyDays int
	// LastIssued is when it was last issued (zero if never).
	LastIssued Date
	// ReviewDate is when a clinician must next review it; after it, the
	// medicine cannot be ordered online.
	ReviewDate Date
}

// Due is the date the current supply runs out: the date the next issue is
// due. A medicine never issued is due at once (the zero date).
func (r Repeat) Due() Date {
	if r.LastIssued.IsZero() || r.SupplyDays <= 0 {
		return Date{}
	}
	t := time.Date(r.LastIssued.Year, r.LastIssued.Month, r.LastIssued.Day, 0, 0, 0, 0, time.UTC)
	return DateOf(t.AddDate(0, 0, r.SupplyDays))
}

// ReviewDue reports whether the medicine is past its review date on today.
func (r Repeat) ReviewDue(today Date) bool {
	return !r.ReviewDate.IsZero() && r.ReviewDate.Before(today)
}

// Early reports whether ordering on today is more than earlyDays before the
// medicine is due, so the order needs a reason.
func (r Repeat) Early(today Date, earlyDays int) bool {
	due := r.Due()
	if due.IsZero() {
		return false
	}
	t := time.Date(today.Year, today.Month, today.Day, 0, 0, 0, 0, time.UTC)
	return today.Before(due) && DateOf(t.AddDate(0, 0, earlyDays)).Before(due)
}

// RequestStatus is where a prescription request stands.
type RequestStatus string

// The statuses a request moves through: requested, then approved or
// rejected; an approved request is sent to the pharmacy, then is ready to
// collect, then dispensed.
const (
	RxRequested RequestStatus = "requested"
	RxApproved  RequestStatus = "approved"
	RxRejected  RequestStatus = "rejected"
	RxSent      RequestStatus = "sent_to_pharmacy"
	RxReady     RequestStatus = "ready_to_collect"
	RxDispensed RequestStatus = "dispensed"
)

// StatusChange is one step in a request's history.
type StatusChange struct {
	Status RequestStatus
	At     time.Time
	// Reason is why a request was rejected (empty otherwise).
	Reason string
}

// Request is one medicine ordered from one repeat template. Medicines
// ordered together share an OrderID, and each moves on its own (the
// practice may approve one and reject another).
type Request struct {
	ID         string
	OrderID    string
	PatientNHS string
	RepeatID   string
	// Name, Dose and Quantity are copied from the template when ordered.
	Name, Dose, Quantity string
	// Note is the patient's note to the practice (their reason, when
	// ordering early).
	Note     string
	Pharmacy Pharmacy
	// History is every status so far, oldest first; never empty.
	History []StatusChange
	// RequestedBy is the opaque id of who ordered (the patient or a proxy).
	RequestedBy string
}

// Status is the request's current status.
func (r Request) Status() RequestStatus {
	if len(r.History) == 0 {
		return ""
	}
	return r.History[len(r.History)-1].Status
}

// Changed is when the request last changed status.
func (r Request) Changed() time.Time {
	if len(r.History) == 0 {
		return time.Time{}
	}
	return r.History[len(r.History)-1].At
}

// Pending reports whether the request is still on its way: requested,
// approved or sent, but not yet ready, dispensed or rejected.
func (r Request) Pending() bool {
	switch r.Status() {
	case RxRequested, RxApproved, RxSent:
		return true
	}
	return false
}

// Order asks for repeat medicines. The caller passes the practice's rules
// (EarlyDays) and today's date so the GP system can enforce them in the same
// atomic step as recording the order.
type Order struct {
	PatientNHS, PracticeODS string
	RepeatIDs               []string
	Note                    string
	// PharmacyODS is where the prescription goes.
	PharmacyODS string
	Actor       string
	// EarlyDays is how many days before it is due a medicine may be
	// ordered without a reason (the note).
	EarlyDays int
	// Today is the date at the practice.
	Today Date
}

// PrescriptionRules are a practice's rules for ordering repeats online.
type PrescriptionRules struct {
	// EarlyDays is how many days before a medicine is due it may be
	// ordered without giving a reason.
	EarlyDays int
	// NoteMax is the longest note, in characters.
	NoteMax int
}

// DefaultPrescriptionRules apply where a practice sets none.
var DefaultPrescriptionRules = PrescriptionRules{EarlyDays: 10, NoteMax: 500}

// Pharmacies is the directory of pharmacies. It holds no patient data.
type Pharmacies interface {
	// Pharmacies lists pharmacies whose name or postcode matches query
	// (case-insensitive; a postcode matches with or without its space),
	// ordered by name; an empty query lists them all.
	Pharmacies(ctx context.Context, query string) ([]Pharmacy, error)
	// Pharmacy returns one pharmacy, or ErrNotFound.
	Pharmacy(ctx context.Context, ods string) (Pharmacy, error)
}

// Prescriptions is the repeat-prescribing part of the port.
// (Pharmacy search is part of Practices: it holds no patient data.)
type Prescriptions interface {
	// Repeats lists the patient's current repeat templates, ordered by name.
	Repeats(ctx context.Context, patientNHS string) ([]Repeat, error)
	// PrescriptionRequests lists the patient's requests, newest first,
	// each with its history up to now.
	PrescriptionRequests(ctx context.Context, patientNHS string) ([]Request, error)
	// Order records one request per medicine, all or none: ErrNotFound (no
	// such patient at the practice, template of theirs or pharmacy),
	// ErrReviewDue, ErrTooEarly (early without a note) or
	// ErrAlreadyRequested. Concurrent orders of one medicine make one
	// request.
	Order(ctx context.Context, o Order) ([]Request, error)
	// NominatedPharmacy returns the patient's nominated pharmacy, and false
	// if they have none.
	NominatedPharmacy(ctx context.Context, patientNHS string) (Pharmacy, bool, error)
	// Nominate makes ods the patient's nominated pharmacy: ErrNotFound for
	// an unknown patient or pharmacy.
	Nominate(ctx context.Context, patientNHS, ods, actor string) (Pharmacy, error)
}
