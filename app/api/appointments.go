package api

// Slot is a free appointment time at the patient's practice.
type Slot struct {
	ID    string `json:"id"`
	Start int64  `json:"start"` // Unix ms
	End   int64  `json:"end"`   // Unix ms
	// Type is "gp", "nurse" or "blood_test".
	Type string `json:"type"`
	// Mode is "in_person", "telephone" or "video".
	Mode          string `json:"mode"`
	Clinician     string `json:"clinician"`
	ClinicianRole string `json:"clinician_role"`
	Location      string `json:"location,omitempty"`
}

// Appointment is one of the patient's appointments.
type Appointment struct {
	ID     string `json:"id"`
	Slot   Slot   `json:"slot"`
	Reason string `json:"reason,omitempty"`
	// Status is "booked" or "cancelled".
	Status      string `json:"status"`
	BookedAt    int64  `json:"booked_at"`              // Unix ms
	CancelledAt int64  `json:"cancelled_at,omitempty"` // Unix ms
	// Past is set once the appointment has started.
	Past bool `json:"past,omitempty"`
	// Cancellable is set while it may still be cancelled online.
	Cancellable bool `json:"cancellable,omitempty"`
}

// BookRequest is POST /api/v1/patients/{pid}/appointments.
type BookRequest struct {
	SlotID string `json:"slot_id"`
	Reason string `json:"reason"`
	// HoldID is the hold the booker has on the slot, if any.
	HoldID string `json:"hold_id,omitempty"`
}

// RescheduleRequest moves an appointment to another slot of the same type
// (POST …/appointments/{id}/reschedule).
type RescheduleRequest struct {
	SlotID string `json:"slot_id"`
}

// WaitlistRequest asks to be offered an earlier time for an appointment
// (POST …/appointments/{id}/waitlist): up to Before (YYYY-MM-DD, inclusive;
// empty: any time before the appointment), with its clinician only or any.
type WaitlistRequest struct {
	Before        string `json:"before,omitempty"`
	SameClinician bool   `json:"same_clinician,omitempty"`
}

// WaitlistEntry is an appointment's place on the practice's list for
// earlier times, and the earlier time offered, if one is.
type WaitlistEntry struct {
	AppointmentID string         `json:"appointment_id"`
	Before        string         `json:"before,omitempty"`
	SameClinician bool           `json:"same_clinician,omitempty"`
	Joined        int64          `json:"joined"` // Unix ms
	Offer         *WaitlistOffer `json:"offer,omitempty"`
}

// WaitlistOffer is an earlier time held for the person until Expires (Unix
// ms): accepting it moves the appointment there.
type WaitlistOffer struct {
	AppointmentID string `json:"appointment_id"`
	Slot          Slot   `json:"slot"`
	HoldID        string `json:"hold_id"`
	Expires       int64  `json:"expires"`
}

// SlotHoldRequest asks to hold a slot (POST …/slot-holds).
type SlotHoldRequest struct {
	SlotID string `json:"slot_id"`
}

// SlotHold is a slot kept for the person who chose it until Expires (Unix
// ms): nobody else can hold or book it meanwhile.
type SlotHold struct {
	ID      string `json:"id"`
	SlotID  string `json:"slot_id"`
	Expires int64  `json:"expires"`
}

// Diary is the appointments page: the patient's appointments by kind.
type Diary struct {
	Upcoming  []Appointment `json:"upcoming"`
	Past      []Appointment `json:"past"`
	Cancelled []Appointment `json:"cancelled"`
	// Notice is a one-off message after an action: "cancelled".
	Notice string `json:"notice,omitempty"`
	// Limit is how many future appointments the practice allows at once.
	Limit int `json:"limit"`
	// Practice names the practice, and Phone is how to reach it.
	Practice string `json:"practice"`
	Phone    string `json:"phone"`
}

// Day is a day with free slots of the chosen type.
type Day struct {
	Date string `json:"date"` // YYYY-MM-DD
	Free int    `json:"free"`
}

// FieldError is a form field's error, for the error summary.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// BookingStep is how far through booking a person has got.
type BookingStep string

// The booking steps, in order ("queued" stands in for any of them while the
// practice is busy).
const (
	BookType   BookingStep = "type"
	BookDay    BookingStep = "day"
	BookTime   BookingStep = "time"
	BookCheck  BookingStep = "check"
	BookQueued BookingStep = "queued"
)

// Booking is the state of the booking pages: which step, what has been
// chosen so far, and the choices for the step.
type Booking struct {
	Step BookingStep `json:"step"`
	Type string      `json:"type,omitempty"`
	Day  string      `json:"day,omitempty"`
	// Types, Days and Slots are the choices on their steps.
	Types []string `json:"types,omitempty"`
	Days  []Day    `json:"days,omitempty"`
	Slots []Slot   `json:"slots,omitempty"`
	// Slot is the chosen slot, on the check step.
	Slot           *Slot        `json:"slot,omitempty"`
	Reason         string       `json:"reason,omitempty"`
	ReasonRequired bool         `json:"reason_required,omitempty"`
	ReasonMax      int          `json:"reason_max,omitempty"`
	IdempotencyKey string       `json:"idempotency_key,omitempty"`
	Errors         []FieldError `json:"errors,omitempty"`
	// Patient names who the appointment is for.
	Patient string `json:"patient"`
	// Queue is set when the practice is busy and the person is waiting.
	Queue *Queue `json:"queue,omitempty"`
	// Hold keeps the chosen slot for the person, on the check step.
	Hold *SlotHold `json:"hold,omitempty"`
	// Change is the appointment whose time is being changed, when the
	// steps choose a new time for it (its type stays).
	Change *Appointment `json:"change,omitempty"`
}

// Queue is a place in a practice's queue at a busy time.
type Queue struct {
	Position   int    `json:"position"`
	Ahead      int    `json:"ahead"`
	RetryAfter int    `json:"retry_after"` // seconds
	Ticket     string `json:"ticket"`
	// Retry is where the page tries again (the same page, keeping its place).
	Retry string `json:"retry"`
}

// AppointmentView is one appointment's page (and its confirmation).
type AppointmentView struct {
	Appointment Appointment `json:"appointment"`
	// Booked is set just after booking: the page confirms it.
	Booked bool `json:"booked,omitempty"`
	// Changed is set just after moving it to another time: the page says so.
	Changed bool `json:"changed,omitempty"`
	// Waitlist is its place on the list for earlier times, if it has one;
	// CanWait says it may join (the practice offers the list).
	Waitlist *WaitlistEntry `json:"waitlist,omitempty"`
	CanWait  bool           `json:"can_wait,omitempty"`
	// Notice is what the page says first: "waitlist_joined", "offer_gone".
	Notice string `json:"notice,omitempty"`
	// Asking is set on the waitlist question (/appointments/{id}/waitlist),
	// with its answers and their errors.
	Asking  bool            `json:"asking,omitempty"`
	Answers WaitlistRequest `json:"answers,omitempty"`
	Errors  []FieldError    `json:"errors,omitempty"`
	// Confirm is set on the cancel page, which asks before cancelling.
	Confirm  bool   `json:"confirm,omitempty"`
	Patient  string `json:"patient"`
	Practice string `json:"practice"`
	Address  string `json:"address"`
	Phone    string `json:"phone"`
	Error    string `json:"error,omitempty"`
}
