// Package featuretest gives the feature packages' tests what they need to
// exercise a rule on a real patient without an HTTP server: the sandbox GP
// system seeded with the cast on a private redis-server, the one gate, and
// an audit trail the test can read.
package featuretest

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp/sandbox"
	"github.com/nhs-companion/companion/server/reqstate"
)

// The cast's NHS numbers (DESIGN.md).
const (
	Amara  = "9990000018"
	Layla  = "9990000026"
	Priya  = "9990000034"
	George = "9990000042"
	Rhys   = "9990000050"
	Tom    = "9990000069"
)

// Env is a seeded sandbox behind the gate.
type Env struct {
	Redis redis.UniversalClient
	GP    *sandbox.System
	Gate  *access.Gate
	Log   *slog.Logger
	Audit *Log
	Trail *audit.Trail
	Idem  *reqstate.Idempotency
}

type allOn struct{}

func (allOn) Enabled(context.Context, flags.Name, flags.Subject) bool { return true }

// MustStart seeds the sandbox on a private redis-server, with every flag on.
func MustStart(tb testing.TB) *Env {
	tb.Helper()
	rdb := redistest.MustStart(tb).Client(tb)
	sys := sandbox.New(rdb, "ft:", time.Now)
	if err := sys.Seed(context.Background()); err != nil {
		tb.Fatal(err)
	}
	ids, err := access.NewIDs([]byte(strings.Repeat("k", 32)))
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &Env{Redis: rdb, GP: sys, Log: log, Audit: &Log{},
		Gate: &access.Gate{GP: sys, IDs: ids, Flags: allOn{}, Now: time.Now}}
	e.Trail = &audit.Trail{Log: e.Audit, Logger: log}
	e.Idem = reqstate.NewIdempotency(rdb, "ft:idem:", log)
	return e
}

// Patient authorises actor (P9) for patient's data under need.
func (e *Env) Patient(tb testing.TB, actor, patient string, need access.Need) *access.Patient {
	tb.Helper()
	who, err := e.GP.Patient(context.Background(), actor)
	if err != nil {
		tb.Fatal(err)
	}
	a := access.Actor{NHSNumber: actor, Subject: "sub-" + actor, ProofingLevel: "P9", BirthDate: who.BirthDate.String()}
	p, err := e.Gate.Authorize(context.Background(), a, e.Gate.IDs.For(patient), need)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Log is an audit log in memory, for reading back what a feature recorded.
type Log struct {
	mu     sync.Mutex
	Events []audit.Event
}

// Record keeps e.
func (l *Log) Record(_ context.Context, e audit.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Events = append(l.Events, e)
	return nil
}

// ForPatient returns the newest events about patient first (older than
// the one with ID before, when set; IDs are positions in Events).
func (l *Log) ForPatient(_ context.Context, patient, before string, n int64) ([]audit.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := len(l.Events) - 1
	if i, err := strconv.Atoi(before); err == nil && before != "" {
		start = i - 1
	}
	var out []audit.Event
	for i := start; i >= 0 && int64(len(out)) < n; i-- {
		if l.Events[i].Patient == patient {
			e := l.Events[i]
			e.ID = strconv.Itoa(i)
			out = append(out, e)
		}
	}
	return out, nil
}

// Has reports whether an event with action, outcome and reason was recorded.
func (l *Log) Has(action, outcome, reason string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.Events {
		if e.Action == action && e.Outcome == outcome && e.Reason == reason {
			return true
		}
	}
	return false
}
