// Package gp is the port to the GP system, the authority for patients,
// practices, appointments and prescriptions. Adapters live in sub-packages
// (sandbox); gptest holds the contract suite every adapter must pass, all of
// it with one call to gptest.Run.
//
// It is server-only: app/... must never import it.
package gp

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned when the GP system has no such record.
var ErrNotFound = errors.New("gp: not found")

// ErrUnavailable is returned when the GP system cannot be reached.
var ErrUnavailable = errors.New("gp: unavailable")

// Practice is a GP practice.
type Practice struct {
	ODS      string // ODS code, e.g. "A81001"
	Name     string
	ICB      string // the integrated care board (or Welsh health board) code
	Country  string // "England" or "Wales"
	TimeZone string // IANA zone the practice keeps its diary in
	Address  []string
	Postcode string
	Phone    string
	// ProxyChildAge is the age at which a parent's access to a child is
	// suspended unless re-granted (DefaultProxyChildAge when zero; never
	// above MaxProxyChildAge).
	ProxyChildAge int
	// Booking is the practice's online booking rules.
	Booking BookingRules
	// Prescribing is the practice's rules for ordering repeats online.
	Prescribing PrescriptionRules
}

// Patient is a person registered at a practice.
type Patient struct {
	NHSNumber   string
	GivenName   string
	FamilyName  string
	BirthDate   Date
	PracticeODS string
}

// Date is a calendar date with no time of day or zone (a birth date).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats the date as ISO 8601 (YYYY-MM-DD); an unset date is "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// AgeOn returns the age in whole years on the given date.
func (d Date) AgeOn(on Date) int {
	age := on.Year - d.Year
	if on.Month < d.Month || (on.Month == d.Month && on.Day < d.Day) {
		age--
	}
	return age
}

// Practices finds practices and pharmacies. It holds no patient data, so the HTTP layer may
// use it directly; patient data is reached only through authorisation.
type Practices interface {
	Pharmacies
	// Practice returns the practice with this ODS code, or ErrNotFound.
	Practice(ctx context.Context, ods string) (Practice, error)
	// PracticeCodes lists the ODS codes of every practice Companion serves.
	PracticeCodes(ctx context.Context) ([]string, error)
	// Ping reports whether the GP system is reachable, for readiness checks.
	Ping(ctx context.Context) error
}

// ChildAge is the practice's child-access age, defaulted and capped.
func (p Practice) ChildAge() int {
	switch {
	case p.ProxyChildAge <= 0:
		return DefaultProxyChildAge
	case p.ProxyChildAge > MaxProxyChildAge:
		return MaxProxyChildAge
	}
	return p.ProxyChildAge
}

// Directory finds practices and patients.
type Directory interface {
	Practices
	// Patient returns the patient with this NHS number, or ErrNotFound.
	Patient(ctx context.Context, nhsNumber string) (Patient, error)
}

// System is the whole GP-system port. Later features add to it.
type System interface {
	Directory
	Proxies
	Appointments
	Records
	Prescriptions
	Contact
	Inbox
	Messages
	Outbox
	Monitoring
}

// ParseDate reads an ISO 8601 calendar date (YYYY-MM-DD).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date: %w", err)
	}
	return DateOf(t), nil
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}
