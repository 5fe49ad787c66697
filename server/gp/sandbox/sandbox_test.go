package sandbox

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

func TestContract(t *testing.T) {
	s, _ := newSeeded(t, time.Now())
	gptest.Run(t, s, gptest.Fixture{Patient: "9990000018", Practice: PilotPractice, OtherPatient: "9990000034", Elsewhere: "9990000050"})
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
