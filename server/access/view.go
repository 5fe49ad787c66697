package access

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/internal/roundtrip"
	"github.com/nhs-companion/companion/server/gp"
)

// view is what the GP system holds about one person's access: their own
// record, their relationships and the records of the people those name, as
// of stamp. Every request asks the GP system for the stamp (one cheap call:
// a Redis GET in the sandbox, one batch in the FHIR adapter) and uses the
// view it has only while the stamp is unchanged, so a relationship revoked
// or ended, or a record changed, is seen on the very next request. A view
// is never changed once made: requests share it.
type view struct {
	stamp   string
	self    gp.Patient
	hasSelf bool // the person has a record of their own here
	rels    []gp.Relationship
	linked  map[string]gp.Patient // by NHS number; absent: no such record
}

// patient is the record of the actor or of someone they have a
// relationship with.
func (v *view) patient(nhsNumber string) (gp.Patient, bool) {
	if nhsNumber == v.self.NHSNumber && v.hasSelf {
		return v.self, true
	}
	p, ok := v.linked[nhsNumber]
	return p, ok
}

// view returns the actor's access view, asked of the GP system at most once
// per request and re-read only when its stamp has changed.
func (g *Gate) view(ctx context.Context, actorNHS string) (*view, error) {
	return roundtrip.Remember(ctx, "access:view:"+actorNHS, func() (*view, error) {
		// The stamp before the records: a change made while they are read
		// leaves an older stamp with them, so the next request reads again.
		stamp, err := roundtrip.Remember(ctx, stampKey(actorNHS), func() (string, error) { return g.GP.AccessStamp(ctx, actorNHS) })
		if err != nil {
			return nil, unavailable(err)
		}
		if v, ok := g.views.Get(actorNHS); ok && v.stamp == stamp {
			return v, nil
		}
		v, err := g.readView(ctx, actorNHS, stamp)
		if err != nil {
			return nil, err
		}
		g.views.Put(actorNHS, v)
		return v, nil
	})
}

func (g *Gate) readView(ctx context.Context, actorNHS, stamp string) (*view, error) {
	v := &view{stamp: stamp, linked: map[string]gp.Patient{}}
	self, err := g.GP.Patient(ctx, actorNHS)
	switch {
	case err == nil:
		v.self, v.hasSelf = self, true
	case !errors.Is(err, gp.ErrNotFound):
		return nil, unavailable(err)
	}
	v.self.NHSNumber = actorNHS
	if v.rels, err = g.GP.Relationships(ctx, actorNHS); err != nil {
		return nil, unavailable(err)
	}
	for _, r := range v.rels {
		if _, done := v.linked[r.PatientNHS]; done {
			continue
		}
		p, err := g.GP.Patient(ctx, r.PatientNHS)
		switch {
		case err == nil:
			v.linked[r.PatientNHS] = p
		case !errors.Is(err, gp.ErrNotFound):
			return nil, unavailable(err)
		}
	}
	return v, nil
}

func stampKey(actorNHS string) string { return "access:stamp:" + actorNHS }

// stampQueuer is a GP system kept in Redis (the sandbox), whose access
// stamp can be read in someone else's pipeline.
type stampQueuer interface {
	QueueAccessStamp(ctx context.Context, pipe redis.Pipeliner, actorNHS string) func() (string, error)
}

// QueueStamp adds the read of the actor's access stamp to pipe when the GP
// system can do that (the sandbox can; a FHIR server is not in Redis), so
// the session, the rate limits and the stamp cost one round trip. Once the
// pipeline has run, the returned function keeps the answer for the rest of
// the request in ctx.
func (g *Gate) QueueStamp(ctx context.Context, pipe redis.Pipeliner, actorNHS string) func() {
	q, ok := g.GP.(stampQueuer)
	if !ok || actorNHS == "" {
		return func() {}
	}
	read := q.QueueAccessStamp(ctx, pipe, actorNHS)
	return func() {
		if stamp, err := read(); err == nil {
			roundtrip.Note(ctx, stampKey(actorNHS), stamp)
		}
	}
}
