package gptest

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/server/gp"
)

func TestPartCheck(t *testing.T) {
	fresh := func(*testing.T) gp.System { return nil }
	full := []field{{"Actor", "9990000034"}, {"Patient", "9990000042"}}
	for _, tc := range []struct {
		name       string
		p          part
		fail, skip []string // substrings the message must hold; none: empty
	}{
		{name: "complete", p: part{name: "Proxies", need: full}},
		{name: "complete, on a system of its own", p: part{name: "Proxies", need: full, system: fresh}},
		{
			name: "zero",
			p:    part{name: "Proxies", need: []field{{"Actor", ""}, {"Patient", ""}}},
			fail: []string{"Fixture.Proxies is not set", "Actor, Patient", "Proxies.Unsupported"},
		},
		{
			name: "zero but for its system",
			p:    part{name: "Proxies", need: []field{{"Actor", ""}, {"Patient", ""}}, system: fresh},
			fail: []string{"Fixture.Proxies lacks Actor, Patient"},
		},
		{
			name: "partly set",
			p:    part{name: "Proxies", need: []field{{"Actor", "9990000034"}, {"Patient", ""}}},
			fail: []string{"Fixture.Proxies lacks Patient"},
		},
		{
			name: "unsupported",
			p:    part{name: "Proxies", need: []field{{"Actor", ""}, {"Patient", ""}}, unsupported: "no proxy API yet"},
			skip: []string{"declares Proxies unsupported: no proxy API yet"},
		},
		{
			name: "unsupported, yet filled in",
			p:    part{name: "Proxies", need: []field{{"Actor", "9990000034"}, {"Patient", ""}}, unsupported: "no proxy API yet"},
			fail: []string{"Fixture.Proxies is declared Unsupported", "sets Actor"},
		},
		{
			name: "required, zero",
			p:    part{name: "Directory", required: true, need: []field{{"Patient", ""}, {"Practice", ""}}},
			fail: []string{"Fixture.Directory is not set", "Patient, Practice"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fail, skip := tc.p.check()
			for _, c := range []struct {
				what, got string
				want      []string
			}{{"fail", fail, tc.fail}, {"skip", skip, tc.skip}} {
				if (c.got == "") != (len(c.want) == 0) {
					t.Errorf("%s: %q, want it to hold %q", c.what, c.got, c.want)
				}
				for _, w := range c.want {
					if !strings.Contains(c.got, w) {
						t.Errorf("%s: %q lacks %q", c.what, c.got, w)
					}
				}
			}
			if tc.p.required && strings.Contains(fail, "Unsupported") {
				t.Errorf("fail: %q offers Unsupported for a part every adapter must offer", fail)
			}
		})
	}
}

// TestRunFailsOnLeftOutParts runs Run in a child process on a fixture that
// fills in only the directory and declares records unsupported: every part
// left out fails, by name, and the unsupported one shows as skipped.
func TestRunFailsOnLeftOutParts(t *testing.T) {
	if os.Getenv("GPTEST_CHILD") == "1" {
		Run(t, unreachable{}, Fixture{
			Directory: DirectoryFixture{Patient: "9990000018", Practice: "A12345"},
			Records:   RecordFixture{Unsupported: "no records in this adapter"},
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunFailsOnLeftOutParts$", "-test.v")
	cmd.Env = append(os.Environ(), "GPTEST_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("Run passed with parts left out:\n%s", out)
	}
	for _, want := range []string{
		"--- FAIL: TestRunFailsOnLeftOutParts/Appointments",
		"Fixture.Appointments is not set",
		"--- FAIL: TestRunFailsOnLeftOutParts/Prescriptions",
		"Fixture.Prescriptions is not set",
		"--- FAIL: TestRunFailsOnLeftOutParts/Contact",
		"Fixture.Contact is not set",
		"--- FAIL: TestRunFailsOnLeftOutParts/Proxies",
		"Fixture.Proxies is not set",
		"--- FAIL: TestRunFailsOnLeftOutParts/Monitoring",
		"Fixture.Monitoring is not set",
		"--- SKIP: TestRunFailsOnLeftOutParts/Records",
		"declares Records unsupported: no records in this adapter",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// unreachable is a GP system that is never reachable. Only the directory
// part calls it, and fails; its other methods are left unimplemented.
type unreachable struct{ gp.System }

func (unreachable) Ping(context.Context) error { return gp.ErrUnavailable }
func (unreachable) Patient(context.Context, string) (gp.Patient, error) {
	return gp.Patient{}, gp.ErrUnavailable
}
func (unreachable) Practice(context.Context, string) (gp.Practice, error) {
	return gp.Practice{}, gp.ErrUnavailable
}
func (unreachable) PracticeCodes(context.Context) ([]string, error) { return nil, gp.ErrUnavailable }

func TestHasNHSNumber(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"rx-9990000018", true},
		{"9990000018/allergy", true},
		{"a621212f-144b-4951-ac10-2c8769179913", false}, // a UUID whose last group holds a valid run
		{"appt-9990000018-a621212f-144b-4951-ac10-2c8769179913", true},
		{"no digits", false},
	} {
		if got := HasNHSNumber(tc.s); got != tc.want {
			t.Errorf("HasNHSNumber(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
