package loadbook

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/redistest"
)

// TestRaceBooksEachSlotOnce runs the whole tool small: the real server
// binary as two processes on a private redis-server, real sign-ins, one
// burst. Whatever the race, no slot is booked twice and the bookings are
// min(M, N); with one place at a time at the practice, people wait their
// turn in the server (or are answered queued and retry with their tickets).
func TestRaceBooksEachSlotOnce(t *testing.T) {
	ctx := context.Background()
	bin := os.Getenv("COMPANION_BIN") // `make test` builds the server once
	if bin == "" {
		var err error
		if bin, err = BuildServer(ctx, t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name                       string
		patients, slots, admission int
	}{
		{name: "more patients than slots, one place at a time", patients: 24, slots: 8, admission: 1},
		{name: "fewer patients than slots", patients: 9, slots: 15, admission: 256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := redistest.MustStart(t)
			cfg := DefaultConfig()
			cfg.Patients, cfg.Slots, cfg.Admission = tt.patients, tt.slots, tt.admission
			cfg.HoldEvery, cfg.Waiters, cfg.WaitlistCancels = 3, 5, 3
			cfg.ServerBin, cfg.RedisURL, cfg.RaceTimeout = bin, rs.URL(), 30*time.Second
			rep, err := Run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := rep.Check(); err != nil {
				t.Errorf("check: %v", err)
			}
			want := min(tt.patients, tt.slots)
			if rep.DoubleBookings != 0 || rep.Bookings != want || rep.BookedInGP != want || rep.DistinctSlotsBooked != want {
				t.Errorf("double bookings %d, bookings %d, in GP %d on %d slots; want 0 and %d",
					rep.DoubleBookings, rep.Bookings, rep.BookedInGP, rep.DistinctSlotsBooked, want)
			}
			if got := rep.Outcomes["booked"] + rep.Outcomes["slot_taken"]; got != tt.patients {
				t.Errorf("outcomes %v: want every patient booked or slot_taken", rep.Outcomes)
			}
			if rep.Holds+rep.HoldsRefused != (tt.patients+2)/3 || rep.Holds == 0 {
				t.Errorf("holds: %d made, %d refused; want one try from every third patient", rep.Holds, rep.HoldsRefused)
			}
			if rep.WaitlistCancels != 3 || rep.WaitlistOffers != 3 || rep.WaitlistOfferedTwice != 0 {
				t.Errorf("waitlist: %d cancelled, %d offers, %d offered twice; want 3, 3, 0", rep.WaitlistCancels, rep.WaitlistOffers, rep.WaitlistOfferedTwice)
			}
			if rep.First.Requests != tt.patients || rep.Baseline.Requests != tt.patients || rep.Ratio.RPS <= 0 {
				t.Errorf("figures missing: first %+v, baseline %+v, ratio %+v", rep.First, rep.Baseline, rep.Ratio)
			}
		})
	}
}

// TestSpreadTakesDistinctSlotsEvenly checks the slot choice: distinct, in
// start order, and clear of the earliest slot (closest to the booking
// cut-off) when there are plenty.
func TestSpreadTakesDistinctSlotsEvenly(t *testing.T) {
	for _, tt := range []struct{ have, want int }{{10, 3}, {300, 300}, {301, 300}, {5, 9}, {1000, 7}} {
		in := make([]api.Slot, tt.have)
		for i := range in {
			in[i].ID = string(rune('a' + i%26))
			in[i].Start = int64(i)
		}
		got := spread(in, tt.want)
		if len(got) != min(tt.have, tt.want) {
			t.Errorf("spread(%d, %d) gave %d", tt.have, tt.want, len(got))
		}
		for i := 1; i < len(got); i++ {
			if got[i].Start <= got[i-1].Start {
				t.Errorf("spread(%d, %d) not distinct and in order: %d after %d", tt.have, tt.want, got[i].Start, got[i-1].Start)
			}
		}
		if tt.have >= 2*tt.want && got[0].Start == 0 {
			t.Errorf("spread(%d, %d) took the earliest slot", tt.have, tt.want)
		}
	}
}

// TestFailoverDuringRush races on a real Redis Cluster (three masters, three
// replicas) and kills the master holding the practice's diary after the
// first few bookings, while most of the rush is still to come (an
// admission limit queues some of it). Its replica takes over; meanwhile answers are
// 201, 409 slot_taken, or 429/503 with Retry-After (never a 500, never a
// hang: the client gives up on a request after a minute), and patients who
// were told to wait and tried again finish the race. No booking is
// duplicated or lost: every 201 is in the GP system, each slot is held once,
// and every slot is booked, so the servers recovered by themselves.
func TestFailoverDuringRush(t *testing.T) {
	ctx := context.Background()
	bin := os.Getenv("COMPANION_BIN")
	if bin == "" {
		var err error
		if bin, err = BuildServer(ctx, t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	// Killed early, most of the rush meets the failover; killed at the last
	// booking, the GP system's records are read back while the replica is
	// still taking over.
	for _, after := range []int{5, 90} {
		t.Run(fmt.Sprintf("killed after %d bookings", after), func(t *testing.T) {
			c := redistest.MustStartCluster(t)
			cfg := DefaultConfig()
			cfg.Patients, cfg.Slots, cfg.Processes, cfg.Admission, cfg.MidwayAfter = 300, 90, 2, 64, after
			cfg.Waiters, cfg.WaitlistCancels = 0, 0
			cfg.ServerBin, cfg.RedisClusterAddrs, cfg.RaceTimeout = bin, c.Addrs(), 2*time.Minute
			killed := make(chan string, 1)
			cfg.Midway = func() { killed <- c.KillMaster(t, "companion:gp:{"+cfg.Practice+"}:free") }
			rep, err := Run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case addr := <-killed:
				t.Logf("killed the master at %s mid-rush", addr)
			default:
				t.Fatal("the race ended before the master was killed")
			}
			t.Logf("answers by status %v; final %v; %d 503s, %d queued, race %.1f s",
				rep.Statuses, rep.Outcomes, rep.Unavailable, rep.Queued, rep.RaceMS/1000)
			if err := rep.Check(); err != nil {
				t.Errorf("check: %v", err)
			}
		})
	}
}
