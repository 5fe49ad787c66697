package notify

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
)

// ErrNoEntry: no such notification for the patient (or it has expired).
var ErrNoEntry = fault.New(fault.NotFound, "notification_not_found", "error.notFound")

// entryTTL is how long a patient's in-app entries are kept after the
// newest.
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

// Inbox holds patients' in-app entries in Redis: per patient, a hash of
// entries by kind and key and a sorted set of them by time, under the
// patient's hash tag, both expiring a fortnight after the newest. Entries
// are news, not a record (what they point at is in the GP system), so
// they live where the queue that makes them does, and the home page, the
// busiest page, reads them in one round trip and never from PostgreSQL.
type Inbox struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewInbox keeps entries under prefix ("companion:notify:").
func NewInbox(rdb redis.UniversalClient, prefix string) *Inbox {
	return &Inbox{rdb: rdb, prefix: prefix}
}

func (b *Inbox) keys(patient string) []string {
	p := b.prefix + "{" + patient + "}:entries"
	return []string{p, p + ":by-time"}
}

func entryField(k Kind, key string) string { return string(k) + "/" + key }

// addEntryScript adds an entry unless its kind and key are there, then
// drops the oldest beyond the bound and renews the expiry.
var addEntryScript = redis.NewScript(`
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if over > 0 then
  for _, f in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do redis.call('HDEL', KEYS[1], f) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`)

// markReadScript replaces an entry's body if it is still there.
var markReadScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0`)

// add records ev as the patient's newest entry, once per kind and key.
func (b *Inbox) add(ctx context.Context, ev Event) error {
	body, err := json.Marshal(entry{Event: ev})
	if err != nil {
		return err
	}
	return addEntryScript.Run(ctx, b.rdb, b.keys(ev.Patient), entryField(ev.Kind, ev.Key), body,
		strconv.FormatInt(ev.At, 10), entryTTL.Milliseconds(), maxEntries).Err()
}

// list is the patient's entries, newest first.
func (b *Inbox) list(ctx context.Context, patient string) ([]entry, error) {
	all, err := b.rdb.HGetAll(ctx, b.keys(patient)[0]).Result()
	if err != nil {
		return nil, err
	}
	out := make([]entry, 0, len(all))
	for _, v := range all {
		var e entry
		if json.Unmarshal([]byte(v), &e) == nil {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b entry) int {
		return cmp.Or(cmp.Compare(b.At, a.At), strings.Compare(entryField(a.Kind, a.Key), entryField(b.Kind, b.Key)))
	})
	return out, nil
}

// one is the patient's entry of kind and key.
func (b *Inbox) one(ctx context.Context, patient string, k Kind, key string) (entry, bool, error) {
	v, err := b.rdb.HGet(ctx, b.keys(patient)[0], entryField(k, key)).Bytes()
	if err == redis.Nil {
		return entry{}, false, nil
	}
	var e entry
	if err == nil {
		err = json.Unmarshal(v, &e)
	}
	return e, err == nil, err
}

// markRead marks the entry e read.
func (b *Inbox) markRead(ctx context.Context, e entry) error {
	e.Read = true
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return markReadScript.Run(ctx, b.rdb, b.keys(e.Patient)[:1], entryField(e.Kind, e.Key), body).Err()
}

// Entries are the patient's unread notifications that the person acting
// may see (each kind's need, as its page would ask), newest first,
// leaving out the kinds with a banner of their own.
func (s *Service) Entries(ctx context.Context, p *access.Patient) ([]api.NotifyEntry, error) {
	list, err := s.Inbox.list(ctx, p.ID())
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
	e, ok, err := s.Inbox.one(ctx, p.ID(), k, key)
	if err != nil {
		return "", fault.Unreachable(err)
	}
	if !ok {
		return "", ErrNoEntry
	}
	if _, err := p.Narrow(ctx, e.Need); err != nil {
		return "", err
	}
	if !e.Read {
		if err := s.Inbox.markRead(ctx, e); err != nil {
			return "", fault.Unreachable(err)
		}
	}
	return e.Path, nil
}
