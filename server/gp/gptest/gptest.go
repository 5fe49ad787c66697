// Package gptest is the contract suite for the GP-system port: every adapter
// runs it, so code above the port can rely on the same behaviour from each.
//
// An adapter runs the whole suite with one call:
//
//	gptest.Run(t, sys, gptest.Fixture{
//		Directory:     gptest.DirectoryFixture{...},
//		Appointments:  gptest.AppointmentFixture{...},
//		Prescriptions: gptest.PrescriptionFixture{..., System: fresh},
//		Contact:       gptest.ContactFixture{..., System: fresh},
//		Proxies:       gptest.ProxyFixture{...},
//		Records:       gptest.RecordFixture{...},
//		Messages:      gptest.MessageFixture{..., System: fresh},
//		Monitoring:    gptest.MonitoringFixture{..., System: fresh},
//	})
//
// Each part of the port runs as a subtest named after its field of Fixture.
// A part whose fixture is left zero fails, naming the fixture, so an adapter
// cannot miss a part by leaving it out; an adapter that does not offer a
// part says so, with its reason, in that fixture's Unsupported field, and the
// part is skipped with that reason (SKIP in go test -v). A part that needs a
// system of its own (it changes the data it checks, or wants another clock)
// gets one from its fixture's System func; the others run on Run's system.
package gptest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Fixture describes what the system under test holds, one sub-fixture for
// each part of the port. Every part must be filled in or, but for Directory,
// declared Unsupported.
type Fixture struct {
	// Directory is for finding patients and practices, which every adapter
	// offers.
	Directory DirectoryFixture
	// Appointments is for the diary: slots, booking and cancelling.
	Appointments AppointmentFixture
	// Prescriptions is for repeat prescribing and pharmacy nominations.
	Prescriptions PrescriptionFixture
	// Contact is for online consultation: the patient's requests and the
	// practice's inbox.
	Contact ContactFixture
	// Proxies is for the relationships of people acting for patients.
	Proxies ProxyFixture
	// Records is for the health record.
	Records RecordFixture
	// Messages is for messages from practices: sending, reading once,
	// replying once.
	Messages MessageFixture
	// Monitoring is for remote monitoring: the readings patients send.
	Monitoring MonitoringFixture
}

// DirectoryFixture names a patient and practice the system under test holds.
type DirectoryFixture struct {
	// Patient is the NHS number of a registered patient.
	Patient string
	// Practice is the ODS code of that patient's practice.
	Practice string
}

// Run checks that sys behaves as the whole port promises: each part of fx
// runs as a subtest, on sys unless its fixture gives it a System of its own.
func Run(t *testing.T, sys gp.System, fx Fixture) {
	t.Helper()
	if sys == nil {
		t.Fatal("gptest.Run: no system to check")
	}
	a, rx, c, px, r, m := fx.Appointments, fx.Prescriptions, fx.Contact, fx.Proxies, fx.Records, fx.Messages
	mon := fx.Monitoring
	for _, p := range []part{
		{
			name: "Directory", required: true,
			need: []field{{"Patient", fx.Directory.Patient}, {"Practice", fx.Directory.Practice}},
			run:  func(t *testing.T, sys gp.System) { runDirectory(t, sys, fx.Directory) },
		},
		{
			name: "Appointments", system: a.System, unsupported: a.Unsupported,
			need: []field{{"Patient", a.Patient}, {"Practice", a.Practice}, {"OtherPatient", a.OtherPatient}, {"Elsewhere", a.Elsewhere}},
			run:  func(t *testing.T, sys gp.System) { runAppointments(t, sys, a) },
		},
		{
			name: "Prescriptions", system: rx.System, unsupported: rx.Unsupported,
			need: []field{{"Patient", rx.Patient}, {"Practice", rx.Practice}, {"OtherPatient", rx.OtherPatient}, {"Unnominated", rx.Unnominated}, {"Pharmacy", rx.Pharmacy}},
			run:  func(t *testing.T, sys gp.System) { runPrescriptions(t, sys, rx) },
		},
		{
			name: "Contact", system: c.System, unsupported: c.Unsupported,
			need: []field{{"Patient", c.Patient}, {"OtherPatient", c.OtherPatient}, {"Practice", c.Practice}, {"OtherPractice", c.OtherPractice}},
			run:  func(t *testing.T, sys gp.System) { runContact(t, sys, c) },
		},
		{
			name: "Proxies", system: px.System, unsupported: px.Unsupported,
			need: []field{{"Actor", px.Actor}, {"Patient", px.Patient}, {"Permission", px.Permission}, {"Stranger", px.Stranger}},
			run:  func(t *testing.T, sys gp.System) { runProxies(t, sys, px) },
		},
		{
			name: "Records", system: r.System, unsupported: r.Unsupported,
			need: []field{{"Patient", r.Patient}},
			run:  func(t *testing.T, sys gp.System) { runRecords(t, sys, r) },
		},
		{
			name: "Messages", system: m.System, unsupported: m.Unsupported,
			need: []field{{"Patient", m.Patient}, {"OtherPatient", m.OtherPatient}, {"Practice", m.Practice}, {"OtherPractice", m.OtherPractice}},
			run:  func(t *testing.T, sys gp.System) { runMessages(t, sys, m) },
		},
		{
			name: "Monitoring", system: mon.System, unsupported: mon.Unsupported,
			need: []field{{"Patient", mon.Patient}, {"OtherPatient", mon.OtherPatient}, {"Practice", mon.Practice}, {"OtherPractice", mon.OtherPractice}},
			run:  func(t *testing.T, sys gp.System) { runMonitoring(t, sys, mon) },
		},
	} {
		t.Run(p.name, func(t *testing.T) {
			fail, skip := p.check()
			switch {
			case fail != "":
				t.Fatal(fail)
			case skip != "":
				t.Skip(skip)
			}
			s := sys
			if p.system != nil {
				if s = p.system(t); s == nil {
					t.Fatalf("gptest: Fixture.%s.System returned no system", p.name)
				}
			}
			p.run(t, s)
		})
	}
}

// part is one part of the port as Run sees it.
type part struct {
	name        string // its field of Fixture, and its subtest
	required    bool   // every adapter offers it: it cannot be Unsupported
	need        []field
	system      func(*testing.T) gp.System
	unsupported string
	run         func(*testing.T, gp.System)
}

// field is a fixture field a part needs, by name.
type field struct{ name, value string }

// check says why the part cannot run (fail) or is declared unsupported
// (skip); both empty, it runs.
func (p part) check() (fail, skip string) {
	var set, missing []string
	for _, f := range p.need {
		if f.value == "" {
			missing = append(missing, f.name)
		} else {
			set = append(set, f.name)
		}
	}
	if p.system != nil {
		set = append(set, "System")
	}
	switch {
	case p.unsupported != "" && len(set) > 0:
		return fmt.Sprintf("gptest: Fixture.%s is declared Unsupported (%q) but sets %s: fill it in or declare it unsupported, not both",
			p.name, p.unsupported, strings.Join(set, ", ")), ""
	case p.unsupported != "":
		return "", fmt.Sprintf("gptest: the adapter declares %s unsupported: %s", p.name, p.unsupported)
	case len(set) == 0 && p.required:
		return fmt.Sprintf("gptest: Fixture.%s is not set: every adapter offers it, and it needs %s",
			p.name, strings.Join(missing, ", ")), ""
	case len(set) == 0:
		return fmt.Sprintf("gptest: Fixture.%s is not set: every adapter runs the whole contract, so fill it in "+
			"(it needs %s), or set %s.Unsupported to why the adapter lacks this part",
			p.name, strings.Join(missing, ", "), p.name), ""
	case len(missing) > 0:
		return fmt.Sprintf("gptest: Fixture.%s lacks %s", p.name, strings.Join(missing, ", ")), ""
	}
	return "", ""
}

// runDirectory checks the directory part of the port: patients and
// practices.
func runDirectory(t *testing.T, sys gp.System, fx DirectoryFixture) {
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
}
