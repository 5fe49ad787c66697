package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/gptest"
)

func newSeeded(t *testing.T, now time.Time) (*System, *redistest.Server) {
	t.Helper()
	srv := redistest.MustStart(t)
	s := New(srv.Client(t), "test:", func() time.Time { return now })
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, srv
}

// newOnMiniredis returns a sandbox system on a miniredis of its own, seeded.
func newOnMiniredis(t *testing.T, now func() time.Time) *System {
	t.Helper()
	m := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { rdb.Close() })
	s := New(rdb, "test:", now)
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// contractFixture is the whole contract's fixture on the seeded cast. The
// prescriptions, contact, messages and monitoring parts change the data
// they check, so each runs on a system of its own from fresh, on real
// time. Both monitoring patients have seeded readings.
func contractFixture(fresh func(t *testing.T) gp.System) gptest.Fixture {
	return gptest.Fixture{
		Directory:    gptest.DirectoryFixture{Patient: amara, Practice: PilotPractice},
		Appointments: gptest.AppointmentFixture{Patient: amara, Practice: PilotPractice, OtherPatient: priya, Elsewhere: rhys},
		Prescriptions: gptest.PrescriptionFixture{
			Patient: amara, Practice: PilotPractice, OtherPatient: priya, Unnominated: layla, Pharmacy: "FZZ05",
			System: fresh,
		},
		Contact: gptest.ContactFixture{
			Patient: amara, OtherPatient: priya, Practice: PilotPractice, OtherPractice: NonPilotPractice,
			System: fresh,
		},
		Proxies: gptest.ProxyFixture{Actor: priya, Patient: george, Permission: "appointments", Stranger: rhys},
		Records: gptest.RecordFixture{Patient: amara},
		Messages: gptest.MessageFixture{Patient: amara, OtherPatient: priya, Practice: PilotPractice, OtherPractice: NonPilotPractice,
			System: fresh},
		Monitoring: gptest.MonitoringFixture{Patient: amara, OtherPatient: george, Practice: PilotPractice, OtherPractice: NonPilotPractice,
			System: fresh},
	}
}

func TestContract(t *testing.T) {
	s, _ := newSeeded(t, time.Now())
	gptest.Run(t, s, contractFixture(func(t *testing.T) gp.System {
		srv := redistest.MustStart(t)
		s := New(srv.Client(t), "test:", time.Now)
		if err := s.Seed(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	}))
}

// TestContractOnMiniredis: sandbox mode runs on the embedded miniredis, so
// the scripts (booking, ordering, replying, the seed's) must behave the same
// there.
func TestContractOnMiniredis(t *testing.T) {
	gptest.Run(t, newOnMiniredis(t, time.Now), contractFixture(func(t *testing.T) gp.System {
		return newOnMiniredis(t, time.Now)
	}))
}

func TestCastAgesStayConstant(t *testing.T) {
	// Across a leap day and a year end, the cast keeps DESIGN's ages.
	for _, day := range []string{"2026-11-22", "2028-02-29", "2030-12-31", "2031-01-01"} {
		now, _ := time.Parse(time.DateOnly, day)
		s, _ := newSeeded(t, now)
		for _, c := range cast {
			p, err := s.Patient(context.Background(), c.nhsNumber)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.BirthDate.AgeOn(gp.DateOf(now)); got != c.age {
				t.Errorf("%s on %s: age %d, want %d", c.given, day, got, c.age)
			}
		}
	}
}

func TestSeedIsIdempotent(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	s, _ := newSeeded(t, now)
	before, err := s.Patient(context.Background(), "9990000042")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	after, err := s.Patient(context.Background(), "9990000042")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("reseed changed George (-before +after):\n%s", diff)
	}
}

func TestRedisDownIsUnavailable(t *testing.T) {
	s, srv := newSeeded(t, time.Now())
	srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.Ping(ctx); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("Ping with Redis down: got %v, want ErrUnavailable", err)
	}
	if _, err := s.Patient(ctx, "9990000018"); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("Patient with Redis down: got %v, want ErrUnavailable", err)
	}
}

func TestRecoversWhenRedisLosesItsData(t *testing.T) {
	s, srv := newSeeded(t, time.Now())
	srv.Restart(t) // keeps nothing on disk: the seed is gone
	p, err := s.Patient(context.Background(), "9990000018")
	if err != nil || p.GivenName != "Amara" {
		t.Fatalf("after Redis lost its data: %+v, %v", p, err)
	}
}
