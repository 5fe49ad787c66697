// Package notify is the one place that turns events into notifications: a
// prescription ready to collect, an appointment tomorrow, a reply to a
// contact request, a new message from the practice and an earlier
// appointment offered from the waitlist. Each event gets an in-app entry
// for the patient and, for every person who may act for the patient, allows
// that kind and has turned push on, a Web Push message to each of their
// devices.
//
// Nothing is sent from the request path: an event is written to a durable
// queue (Redis, queue.go) and the worker (worker.go) fans it out, holds
// pushes during quiet hours (22:00 to 06:00 UK time), retries with backoff
// and removes subscriptions the push service says are gone. Whether a
// person may still hear about a patient is decided again at send time,
// through access.Gate, as a request would be.
//
// A push never names anyone or says anything clinical ("You have a new
// message from your GP practice"): lock screens are read by others.
//
// It is server-only.
package notify

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/keep"
	"github.com/nhs-companion/companion/server/prefs"
)

// Kind is a kind of notification.
type Kind string

// The kinds.
const (
	PrescriptionReady   Kind = "prescription_ready"
	AppointmentTomorrow Kind = "appointment_tomorrow"
	ContactReply        Kind = "contact_reply"
	Message             Kind = "message"
	WaitlistOffer       Kind = "waitlist_offer"
)

// Kinds are every kind, in the order the settings page lists them.
var Kinds = []Kind{AppointmentTomorrow, WaitlistOffer, PrescriptionReady, ContactReply, Message}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Event is something a patient, or those acting for them, should hear of.
type Event struct {
	Kind Kind `json:"kind"`
	// Patient is the opaque ID of the patient it is about.
	Patient string `json:"patient"`
	// Key tells one event of a kind from another (a message's ID, an
	// appointment's ID); the same kind and key is notified once.
	Key string `json:"key"`
	// Path is the page that shows it, for the patient in use.
	Path string `json:"path"`
	// Need is what a person must hold to hear of it: the same need as the
	// page at Path.
	Need access.Need `json:"need"`
	// At is when it happened (ms).
	At int64 `json:"at"`
	// Expires, when set, is when it stops being news (ms): an offer that
	// has lapsed, an appointment that has started. Nothing is pushed
	// after it, nor listed.
	Expires int64 `json:"expires,omitempty"`
}

// expired reports whether the event is no longer news at now.
func (ev Event) expired(now time.Time) bool { return ev.Expires != 0 && now.UnixMilli() >= ev.Expires }

// Clock says what time it is; tests set it.
type Clock func() time.Time

// Service queues events and keeps what people chose.
type Service struct {
	Gate  *access.Gate
	Queue *Queue
	// Inbox holds patients' in-app entries.
	Inbox *Inbox
	// Kept holds people's push records (subscriptions and choices):
	// PostgreSQL in production, Redis in the sandbox.
	Kept keep.Store
	// Prefs gives each person's language, for the text of their pushes.
	Prefs     prefs.Preferences
	Catalogue *i18n.Catalogue
	Push      *Pusher
	Log       *slog.Logger
	Now       Clock
	// Checks are the conditions a scheduled check waits for, by kind
	// (booking registers the appointment reminder, prescribing the
	// prescription watch).
	Checks map[Kind]Checker
}

// Time is the service's clock's time now (time.Now for a nil Service).
func (s *Service) Time() time.Time {
	if s == nil {
		return time.Now()
	}
	return s.now()
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Emit records ev and queues it for delivery. It never sends anything
// itself, so it is quick and safe on a request's path; an error means the
// event could not be queued (it is logged, and the caller's action stands).
func (s *Service) Emit(ctx context.Context, ev Event) {
	if s == nil {
		return
	}
	if ev.At == 0 {
		ev.At = s.now().UnixMilli()
	}
	if err := s.Inbox.add(ctx, ev); err != nil {
		s.Log.Warn("notify: in-app entry not kept", "kind", ev.Kind, "err", err)
	}
	if err := s.Queue.Add(ctx, Job{ID: "event:" + string(ev.Kind) + ":" + ev.Patient + ":" + ev.Key, Type: jobEvent, Event: ev}, s.now()); err != nil {
		s.Log.Error("notify: event not queued", "kind", ev.Kind, "err", err)
	}
}

// Outcome is what a scheduled check found.
type Outcome struct {
	// Fire is the event to emit now (nil for none).
	Fire *Event
	// Again is when to look again (zero: never).
	Again time.Time
}

// Checker looks, at the time a check was scheduled for, at whether its
// event has happened: an appointment still booked for tomorrow, an order
// ready to collect. p is the patient authorised anew for the check's need.
type Checker func(ctx context.Context, p *access.Patient, key string, now time.Time) (Outcome, error)

// Schedule asks for kind's check of key to run at at, for the patient p
// (authorised as the actor who asked for it). The same kind and key
// scheduled again replaces the earlier check's time.
func (s *Service) Schedule(ctx context.Context, p *access.Patient, kind Kind, key string, need access.Need, at time.Time) {
	if s == nil {
		return
	}
	job := Job{ID: "check:" + string(kind) + ":" + p.ID() + ":" + key, Type: jobCheck, Actor: p.Actor(),
		Event: Event{Kind: kind, Patient: p.ID(), Key: key, Need: need}}
	if err := s.Queue.Put(ctx, job, at); err != nil {
		s.Log.Error("notify: check not scheduled", "kind", kind, "err", err)
	}
}

// QuietStart and QuietEnd bound the hours, UK time, when nothing is pushed.
const (
	QuietStart = 22
	QuietEnd   = 6
)

// quietUntil is when the quiet hours that t falls in end, or zero when t is
// outside them.
func quietUntil(t time.Time) time.Time {
	uk := t.In(gp.UK)
	h := uk.Hour()
	if h >= QuietEnd && h < QuietStart {
		return time.Time{}
	}
	day := uk
	if h >= QuietStart {
		day = uk.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), QuietEnd, 0, 0, 0, gp.UK)
}
