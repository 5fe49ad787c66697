// Package gptest is the contract suite for the GP-system port: every adapter
// runs it, so code above the port can rely on the same behaviour from each.
package gptest

import (
	"context"
	"errors"
	"testing"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Fixture describes what the system under test has been seeded with.
type Fixture struct {
	// Patient is the NHS number of a registered patient.
	Patient string
	// Practice is the ODS code of that patient's practice.
	Practice string
	// OtherPatient is another patient registered at Practice.
	OtherPatient string
	// Elsewhere is a patient registered at another practice.
	Elsewhere string
}

// Run checks that sys behaves as the port promises.
func Run(t *testing.T, sys gp.System, fx Fixture) {
	ctx := context.Background()

	t.Run("Ping", func(t *testing.T) {
		if err := sys.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})

	t.Run("PatientFound", func(t *testing.T) {
		p, err := sys.Patient(ctx, fx.Patient)
		if err != nil {
			t.Fatalf("Patient(%s): %v", "fixture", err)
		}
		if p.NHSNumber != fx.Patient || p.GivenName == "" || p.FamilyName == "" || p.PracticeODS == "" {
			t.Errorf("Patient: incomplete record %+v", p)
		}
		if p.BirthDate.Year == 0 {
			t.Errorf("Patient: no birth date")
		}
	})

	t.Run("PatientNotFound", func(t *testing.T) {
		for _, n := range []string{"9991000000", "not-a-number", "", "9990000019"} {
			if nhs.ValidNumber(n) && n == fx.Patient {
				continue
			}
			_, err := sys.Patient(ctx, n)
			if !errors.Is(err, gp.ErrNotFound) {
				t.Errorf("Patient(%q): got %v, want ErrNotFound", n, err)
			}
		}
	})

	t.Run("PracticeFound", func(t *testing.T) {
		p, err := sys.Practice(ctx, fx.Practice)
		if err != nil {
			t.Fatalf("Practice(%s): %v", fx.Practice, err)
		}
		if p.ODS != fx.Practice || p.Name == "" || p.TimeZone == "" {
			t.Errorf("Practice: incomplete record %+v", p)
		}
	})

	t.Run("PracticeCodes", func(t *testing.T) {
		codes, err := sys.PracticeCodes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range codes {
			found = found || c == fx.Practice
		}
		if !found {
			t.Errorf("PracticeCodes %v lacks the fixture's practice", codes)
		}
	})

	t.Run("PracticeNotFound", func(t *testing.T) {
		_, err := sys.Practice(ctx, "NOPE99")
		if !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("Practice(NOPE99): got %v, want ErrNotFound", err)
		}
	})

	t.Run("Appointments", func(t *testing.T) { runAppointments(t, sys, fx) })
}
