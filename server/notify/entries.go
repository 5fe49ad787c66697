package notify

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
)

// ErrNoEntry: no such notification for the patient (or it has expired).
var ErrNoEntry = fault.New(fault.NotFound, "notification_not_found", "error.notFound")

// entryTTL is how long an in-app entry is kept after the last event.
const entryTTL = 14 * 24 * time.Hour

// maxEntries bounds a patient's entries; the oldest goes first.
const maxEntries = 20

// OwnBanner are the kinds whose in-app entry is a banner of their own on
// the home page (the prescription's change, the waitlist's offer, the
// practice's reply under the request), so the list of notifications does
// not repeat them.
var OwnBanner = []Kind{PrescriptionReady, WaitlistOffer, ContactReply}

type entry struct {
	Event
	Read bool `json:"read,omitempty"`
}

func entriesKey(patient string) string { return "notify:entries:" + patient }

func (s *Service) entries(ctx context.Context, patient string) ([]entry, error) {
	b, ok, err := s.Kept.Get(ctx, entriesKey(patient))
	if err != nil || !ok {
		return nil, err
	}
	var out []entry
	return out, json.Unmarshal(b, &out)
}

func (s *Service) putEntries(ctx context.Context, patient string, list []entry) error {
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return s.Kept.Put(ctx, entriesKey(patient), b, entryTTL)
}

// addEntry records ev as the patient's newest entry, once per kind and key.
func (s *Service) addEntry(ctx context.Context, ev Event) error {
	list, err := s.entries(ctx, ev.Patient)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(list, func(e entry) bool { return e.Kind == ev.Kind && e.Key == ev.Key }) {
		return nil
	}
	list = append([]entry{{Event: ev}}, list...)
	if len(list) > maxEntries {
		list = list[:maxEntries]
	}
	return s.putEntries(ctx, ev.Patient, list)
}

// Entries are the patient's unread notifications that the person acting
// may see (each kind's need, as its page would ask), newest first,
// leaving out the kinds with a banner of their own.
func (s *Service) Entries(ctx context.Context, p *access.Patient) ([]api.NotifyEntry, error) {
	list, err := s.entries(ctx, p.ID())
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	var out []api.NotifyEntry
	for _, e := range list {
		if e.Read || slices.Contains(OwnBanner, e.Kind) || e.expired(s.now()) {
			continue
		}
		if _, err := p.Narrow(ctx, e.Need); err != nil {
			continue
		}
		out = append(out, api.NotifyEntry{Kind: string(e.Kind), Key: e.Key, At: e.At,
			Open: OpenPath(p.ID(), e.Kind, e.Key)})
	}
	return out, nil
}

// OpenPath is the address that opens a notification for a patient: it
// marks it read, switches to the patient and goes to its page.
func OpenPath(patient string, k Kind, key string) string {
	return "/notifications/" + patient + "/" + string(k) + "/" + key
}

// Open marks the patient's notification read and returns its page, if the
// person acting may see it.
func (s *Service) Open(ctx context.Context, p *access.Patient, k Kind, key string) (string, error) {
	list, err := s.entries(ctx, p.ID())
	if err != nil {
		return "", fault.Unreachable(err)
	}
	i := slices.IndexFunc(list, func(e entry) bool { return e.Kind == k && e.Key == key })
	if i < 0 {
		return "", ErrNoEntry
	}
	if _, err := p.Narrow(ctx, list[i].Need); err != nil {
		return "", err
	}
	if !list[i].Read {
		list[i].Read = true
		if err := s.putEntries(ctx, p.ID(), list); err != nil {
			return "", fault.Unreachable(err)
		}
	}
	return list[i].Path, nil
}
