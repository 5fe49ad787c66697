package reqstate

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/fault"
)

// Drafts keeps forms in progress, one per form, session and patient.
type Drafts struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewDrafts keeps drafts under prefix ("companion:draft:") for ttl after
// their last change (the session's idle timeout).
func NewDrafts(rdb redis.UniversalClient, prefix string, ttl time.Duration) *Drafts {
	return &Drafts{rdb: rdb, prefix: prefix, ttl: ttl}
}

// Owner is whose draft it is: one session, for one patient (by identity).
type Owner struct{ Session, Patient string }

func (d *Drafts) key(form string, o Owner) string {
	sum := sha256.Sum256([]byte(o.Session + "\x00" + o.Patient))
	return d.prefix + form + ":" + hex.EncodeToString(sum[:])
}

// Load reads the draft of form into v, leaving v as it is when there is none.
func (d *Drafts) Load(ctx context.Context, form string, o Owner, v any) error {
	raw, err := d.rdb.Get(ctx, d.key(form, o)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fault.Unreachable(err)
	}
	_ = json.Unmarshal(raw, v) // a draft from an older shape starts afresh
	return nil
}

// Save keeps v as the draft of form.
func (d *Drafts) Save(ctx context.Context, form string, o Owner, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := d.rdb.Set(ctx, d.key(form, o), b, d.ttl).Err(); err != nil {
		return fault.Unreachable(err)
	}
	return nil
}

// Delete forgets the draft of form.
func (d *Drafts) Delete(ctx context.Context, form string, o Owner) error {
	if err := d.rdb.Del(ctx, d.key(form, o)).Err(); err != nil {
		return fault.Unreachable(err)
	}
	return nil
}

// NewKey is a fresh idempotency key for a form's Send button.
func NewKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}
