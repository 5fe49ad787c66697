package fhir_test

import (
	"context"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// BenchmarkAdapters measures each operation of the port on the FHIR
// adapter (against the Medplum test server) beside the sandbox adapter (on
// a private redis-server), in one run, so the ratio is the figure to read:
// `make bench-gp`. Both hold the same cast and diary.
func BenchmarkAdapters(b *testing.B) {
	ctx := context.Background()
	rs := redistest.MustStart(b)
	sb := sandbox.New(rs.Client(b), "bench:", time.Now)
	if err := sb.Seed(ctx); err != nil {
		b.Fatal(err)
	}
	srv, _ := seededFrom(b)
	fh := newSystem(b, srv.BaseURL)
	for _, sys := range []struct {
		name string
		gp.System
	}{{"sandbox", sb}, {"fhir", fh}} {
		day := time.Now().Add(24 * time.Hour)
		b.Run(sys.name+"/Patient", func(b *testing.B) {
			for b.Loop() {
				if _, err := sys.Patient(ctx, amara); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sys.name+"/SlotsOneDay", func(b *testing.B) {
			for b.Loop() {
				if _, err := sys.Slots(ctx, gp.SlotQuery{Practice: sandbox.PilotPractice, From: day, To: day.Add(24 * time.Hour)}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sys.name+"/Appointments", func(b *testing.B) {
			for b.Loop() {
				if _, err := sys.Appointments(ctx, amara); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sys.name+"/Record", func(b *testing.B) {
			for b.Loop() {
				if _, err := sys.Record(ctx, amara); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sys.name+"/Repeats", func(b *testing.B) {
			for b.Loop() {
				if _, err := sys.Repeats(ctx, amara); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(sys.name+"/BookAndCancel", func(b *testing.B) {
			slots, err := sys.Slots(ctx, gp.SlotQuery{Practice: sandbox.PilotPractice, From: day, To: day.AddDate(0, 0, 10)})
			if err != nil || len(slots) == 0 {
				b.Fatalf("slots: %v", err)
			}
			i := 0
			for b.Loop() {
				sl := slots[i%len(slots)]
				i++
				a, err := sys.Book(ctx, gp.Booking{PatientNHS: priya, PracticeODS: sandbox.PilotPractice, SlotID: sl.ID})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := sys.Cancel(ctx, gp.Cancellation{PatientNHS: priya, AppointmentID: a.ID}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
