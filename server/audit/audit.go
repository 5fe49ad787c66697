// Package audit records who did what to whose data, and when. In
// production events go to PostgreSQL (server/pg: append-only, hash-chained,
// partitioned by month); in the sandbox to a Redis stream that is trimmed
// only by age (a configured retention), never by count, so a burst of
// events can never push older ones out early.
//
// Events never carry tokens or clinical detail, and name patients by their
// opaque patient ID, not their NHS number.
//
// It is server-only.
package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Event is one audited action.
type Event struct {
	// ID is the log's own opaque ID for the event, set when read back: a
	// page of a patient's history starts after it.
	ID   string
	Time time.Time
	// Action is what happened: "sign_in", "sign_out", "session_expired",
	// "callback_refused", …
	Action string
	// Outcome is "success" or "refused" (or "failure" for our own errors).
	Outcome string
	// Actor is who acted (the identity provider's subject), empty if unknown.
	Actor string
	// ActorPatient is the opaque patient ID of the actor's own record, so a
	// patient's access history can tell their own actions from a proxy's.
	ActorPatient string
	// Patient is the opaque ID of the patient whose data was touched, if any.
	Patient string
	// Object is what was acted on, by opaque ID ("slot:…", "appointment:…").
	Object string
	// Reason is a stable code saying why, for refusals.
	Reason string
	// RequestID ties the event to the request log.
	RequestID string
	// Session is the session ID (a hash, never the cookie value).
	Session string
}

// Recorder records events.
type Recorder interface {
	Record(ctx context.Context, e Event) error
}

// Log records events and reads back those about one patient.
type Log interface {
	Recorder
	// ForPatient returns up to n events about a patient (by opaque ID),
	// newest first: the most recent, or those older than the event with
	// ID before (the next page).
	ForPatient(ctx context.Context, patient, before string, n int64) ([]Event, error)
}

// Stream records events to a Redis stream.
type Stream struct {
	rdb       redis.UniversalClient
	key       string
	retention time.Duration
	now       func() time.Time
}

// NewStream returns a recorder writing to the stream at key, keeping events
// for retention.
func NewStream(rdb redis.UniversalClient, key string, retention time.Duration, now func() time.Time) *Stream {
	if now == nil {
		now = time.Now
	}
	return &Stream{rdb: rdb, key: key, retention: retention, now: now}
}

// Record appends e, trimming events older than the retention. The entry ID is
// the event time, so trimming by MINID is trimming by age.
func (s *Stream) Record(ctx context.Context, e Event) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	args := &redis.XAddArgs{
		Stream: s.key,
		MinID:  strconv.FormatInt(s.now().Add(-s.retention).UnixMilli(), 10),
		ID:     strconv.FormatInt(e.Time.UnixMilli(), 10) + "-*",
		Values: map[string]any{
			"time": e.Time.UTC().Format(time.RFC3339Nano), "action": e.Action, "outcome": e.Outcome,
			"actor": e.Actor, "actor_patient": e.ActorPatient, "patient": e.Patient, "object": e.Object, "reason": e.Reason, "request_id": e.RequestID, "session": e.Session,
		},
	}
	// The event and, when it is about a patient, its copy in the patient's
	// own stream (so their access history is one read, not a scan of
	// everyone's events), in one round trip. The patient's stream has the
	// same retention and expires when nothing new happened for one, so a
	// patient who never comes back leaves nothing behind.
	pipe := s.rdb.Pipeline()
	main := pipe.XAdd(ctx, args)
	if e.Patient != "" {
		per := *args
		per.Stream, per.ID = s.patientKey(e.Patient), "*"
		pipe.XAdd(ctx, &per)
		pipe.PExpire(ctx, per.Stream, s.retention)
	}
	_, err := pipe.Exec(ctx)
	if err != nil && main.Err() != nil && !isNetworkish(main.Err()) {
		// Another process's clock ran ahead and the stream's last ID is later
		// than ours: let Redis pick the next ID instead.
		args.ID = "*"
		err = s.rdb.XAdd(ctx, args).Err()
	}
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

func (s *Stream) patientKey(patient string) string { return s.key + ":p:" + patient }

// ForPatient returns up to n events about a patient, newest first (older
// than before, when set), none older than the retention.
func (s *Stream) ForPatient(ctx context.Context, patient, before string, n int64) ([]Event, error) {
	min := strconv.FormatInt(s.now().Add(-s.retention).UnixMilli(), 10)
	max := "+"
	if before != "" {
		max = "(" + before
	}
	msgs, err := s.rdb.XRevRangeN(ctx, s.patientKey(patient), max, min, n).Result()
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	// An entry's ID is when it was written; an event may say it happened
	// earlier.
	cut := s.now().Add(-s.retention)
	return slices.DeleteFunc(events(msgs), func(e Event) bool { return e.Time.Before(cut) }), nil
}

func isNetworkish(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Recent returns up to n most recent events, newest first.
func (s *Stream) Recent(ctx context.Context, n int64) ([]Event, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.key, "+", "-", n).Result()
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	return events(msgs), nil
}

func events(msgs []redis.XMessage) []Event {
	out := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		str := func(k string) string { v, _ := m.Values[k].(string); return v }
		t, _ := time.Parse(time.RFC3339Nano, str("time"))
		out = append(out, Event{
			ID: m.ID, Time: t, Action: str("action"), Outcome: str("outcome"), Actor: str("actor"), Patient: str("patient"),
			Reason: str("reason"), RequestID: str("request_id"), Session: str("session"), ActorPatient: str("actor_patient"), Object: str("object"),
		})
	}
	return out
}
