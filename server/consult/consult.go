// Package consult is Companion's safeguards for online consultation: the
// hours a practice takes online requests, bank holidays, daily capacity per
// kind of request and per patient, a practice's suspension of its online
// front door, and the emergency questions asked before a medical request.
//
// Since 1 October 2025 English practices must keep online consultation open
// through core hours (08:00–18:30 on weekdays) for non-urgent requests,
// subject to necessary safeguards; this package is those safeguards.
//
// It is server-only: it must not import app/... (the UI, linked into
// app.wasm) nor server (the HTTP package, which depends on it). It may
// import server/gp and go-redis.
package consult

import (
	"errors"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// Errors a caller maps to responses.
var (
	// ErrFull is returned by Take when the practice's daily cap for that
	// kind of request is reached.
	ErrFull = errors.New("consult: practice full for today")
	// ErrPatientLimit is returned by Take when the patient has sent as many
	// requests today as the practice allows.
	ErrPatientLimit = errors.New("consult: patient's daily limit reached")
	// ErrSuspensionTooLong is returned by Suspend when the suspension would
	// last longer than the store allows.
	ErrSuspensionTooLong = errors.New("consult: suspension too long")
	// ErrReasonRequired is returned by Suspend without a reason.
	ErrReasonRequired = errors.New("consult: suspension reason required")
	// ErrBadSuspension is returned by Suspend when it would end before it
	// starts.
	ErrBadSuspension = errors.New("consult: suspension must end in the future")
	// ErrInvalidSettings is returned for opening hours or settings that
	// make no sense (by ParseWindows and SaveSettings).
	ErrInvalidSettings = errors.New("consult: invalid settings")
	// ErrUnanswered is returned by Screen when a question was not answered
	// "yes" or "no".
	ErrUnanswered = errors.New("consult: screening question unanswered")
)

// london is where every practice Companion serves keeps its hours: England
// and Wales share one zone, so opening hours, caps' days and reply
// deadlines all count in it.
var london = gp.UK

// Day is the local (Europe/London) calendar date of t, which daily caps
// count by.
func Day(t time.Time) gp.Date {
	return gp.DateOf(t.In(london))
}

// midnight is the start of d in London.
func midnight(d gp.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, london)
}

// addDays is the calendar date n days after d.
func addDays(d gp.Date, n int) gp.Date {
	return gp.DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}
