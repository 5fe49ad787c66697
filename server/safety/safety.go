// Package safety records clinical safety events, the signals the hazard log
// (docs/safety/hazard-log.md) says someone must see: a patient stopped by the
// emergency screening, a sign-in or profile that did not match the GP record,
// a family name that differs from it, a practice's daily cap reached, and the
// GP system not answering. Every event is counted in metrics
// (companion_safety_events_total by kind) and listed for the practice's
// staff on the practice inbox; repeats within a window are listed once, so a
// busy morning or an outage does not bury the list.
//
// Raising an event never fails the caller: a safety signal that cannot be
// stored is logged and counted, and the action it describes goes on as it
// would have.
//
// It is server-only: app/... must never import it.
package safety

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Kind is what happened.
type Kind string

// The kinds of safety event.
const (
	// RedFlag: the emergency screening stopped a request (Detail is the
	// advice given: "999" or "111").
	RedFlag Kind = "red_flag"
	// IdentityMismatch: the person NHS login vouched for did not match the
	// GP record (Detail says where: "sign_in", "self", "proxy_patient",
	// "proxy_actor" or "record_number").
	IdentityMismatch Kind = "identity_mismatch"
	// NameDiffers: signed in, but the family name differs from the GP
	// record's after normalising (a warning, not a block).
	NameDiffers Kind = "name_differs"
	// CapReached: a practice's daily cap for a kind of request is reached
	// (Detail is the kind).
	CapReached Kind = "cap_reached"
	// GPOutage: the GP system did not answer (service-wide: no practice).
	GPOutage Kind = "gp_outage"
)

// Kinds lists every kind, in the order staff pages explain them.
var Kinds = []Kind{RedFlag, IdentityMismatch, NameDiffers, CapReached, GPOutage}

// window is the span of time (counted from the Unix epoch, in UTC) in which
// repeats of an event (same kind, practice, patient and detail) are listed
// once.
func (k Kind) window() time.Duration {
	if k == GPOutage {
		return 5 * time.Minute
	}
	return 24 * time.Hour
}

// Event is one safety event.
type Event struct {
	Kind Kind `json:"kind"`
	// Practice is the ODS code of the practice that must see it; "" for an
	// event about the whole service (shown to every practice).
	Practice string `json:"practice,omitempty"`
	// Patient is the opaque ID of the patient concerned, if any: never an
	// NHS number.
	Patient string    `json:"patient,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	At      time.Time `json:"at"`
}

// keep is how many events are listed per practice.
const keep = 200

// Log stores and counts safety events. A nil *Log counts nothing and lists
// nothing, for tests of parts that do not look at safety.
type Log struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
	logger *slog.Logger
	// Events counts every event raised, by kind (repeats included), for
	// registering with the metrics registry.
	Events *prometheus.CounterVec
}

// New returns a log keeping its lists under prefix in rdb.
func New(rdb redis.UniversalClient, prefix string, now func() time.Time, logger *slog.Logger) *Log {
	if now == nil {
		now = time.Now
	}
	l := &Log{rdb: rdb, prefix: prefix, now: now, logger: logger,
		Events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "companion_safety_events_total",
			Help: "Clinical safety events by kind (red_flag, identity_mismatch, name_differs, cap_reached, gp_outage), repeats included.",
		}, []string{"kind"})}
	for _, k := range Kinds {
		l.Events.WithLabelValues(string(k))
	}
	return l
}

// service is the list of events about the whole service.
const service = "_service"

func (l *Log) listKey(practice string) string {
	if practice == "" {
		practice = service
	}
	return l.prefix + "list:" + practice
}

// Raise records e (its At set to now): counted always, listed unless the
// same event was listed in the same window of its kind.
func (l *Log) Raise(ctx context.Context, e Event) {
	if l == nil {
		return
	}
	l.Events.WithLabelValues(string(e.Kind)).Inc()
	e.At = l.now().UTC()
	ctx = context.WithoutCancel(ctx)
	w := e.Kind.window()
	bucket := strconv.FormatInt(e.At.UnixNano()/int64(w), 36)
	sum := sha256.Sum256([]byte(string(e.Kind) + "\x00" + e.Practice + "\x00" + e.Patient + "\x00" + e.Detail + "\x00" + bucket))
	fresh, err := l.rdb.SetNX(ctx, l.prefix+"once:"+hex.EncodeToString(sum[:16]), "1", w).Result()
	if err == nil && !fresh {
		return
	}
	b, _ := json.Marshal(e)
	if err == nil {
		pipe := l.rdb.TxPipeline()
		pipe.LPush(ctx, l.listKey(e.Practice), b)
		pipe.LTrim(ctx, l.listKey(e.Practice), 0, keep-1)
		_, err = pipe.Exec(ctx)
	}
	if err != nil && l.logger != nil {
		l.logger.ErrorContext(ctx, "safety event not stored", "kind", e.Kind, "practice", e.Practice, "detail", e.Detail, "err", err)
	}
}

// List returns up to n events for practice, newest first: its own and the
// service-wide ones.
func (l *Log) List(ctx context.Context, practice string, n int) ([]Event, error) {
	if l == nil {
		return nil, nil
	}
	keys := []string{l.listKey("")}
	if practice != "" {
		keys = append(keys, l.listKey(practice))
	}
	var out []Event
	for _, key := range keys {
		raw, err := l.rdb.LRange(ctx, key, 0, int64(n-1)).Result()
		if err != nil {
			return nil, err
		}
		for _, s := range raw {
			var e Event
			if json.Unmarshal([]byte(s), &e) == nil {
				out = append(out, e)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}
