package notify

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
)

// batch is how many jobs a worker claims at once.
const batch = 20

// maxAttempts is how often a job is tried before it is given up (logged);
// backoff doubles from firstRetry to at most lastRetry between tries.
const (
	maxAttempts = 8
	firstRetry  = 10 * time.Second
	lastRetry   = time.Hour
)

func backoff(attempt int) time.Duration {
	d := firstRetry << min(attempt, 20)
	return min(d, lastRetry)
}

// Run works the queue until ctx ends, looking for due jobs every tick.
// Every process may run it: each job is claimed by one worker at a time.
func (s *Service) Run(ctx context.Context, tick time.Duration) {
	wait := tick
	for {
		for {
			n, err := s.RunOnce(ctx)
			if err != nil {
				// Redis is away: look again less often, so a process
				// does not add to the reconnecting (at most a minute).
				s.Log.Warn("notify: queue unreachable", "err", err)
				wait = min(2*wait, max(tick, time.Minute))
				break
			}
			wait = tick
			if n < batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// RunOnce claims the jobs due now and works them, returning how many.
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	jobs, err := s.Queue.Claim(ctx, s.now(), batch)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		s.work(ctx, j)
	}
	return len(jobs), nil
}

func (s *Service) work(ctx context.Context, j Job) {
	var err error
	switch j.Type {
	case jobEvent:
		err = s.fanOut(ctx, j.Event)
	case jobCheck:
		err = s.check(ctx, j)
		if err == nil {
			return // check settles its own job
		}
	case jobPush:
		err = s.push(ctx, j)
		if err == nil {
			return
		}
	}
	s.settle(ctx, j, err)
}

// settle finishes j, or, when err says trying again may help, puts it back
// with backoff until it has been tried maxAttempts times.
func (s *Service) settle(ctx context.Context, j Job, err error) {
	if err != nil && !errors.Is(err, errRefused) {
		j.Attempt++
		if j.Attempt < maxAttempts {
			if e := s.Queue.Again(ctx, j, s.now().Add(backoff(j.Attempt-1))); e != nil {
				s.Log.Warn("notify: job not put back", "type", j.Type, "kind", j.Event.Kind, "err", e)
			}
			return
		}
		s.Log.Error("notify: job given up", "type", j.Type, "kind", j.Event.Kind, "attempts", j.Attempt, "err", err)
	} else if err != nil {
		s.Log.Warn("notify: push refused", "kind", j.Event.Kind, "err", err)
	}
	if e := s.Queue.Done(ctx, j); e != nil {
		s.Log.Warn("notify: job not removed", "type", j.Type, "err", e)
	}
}

// errRefused: the push service refused the message; trying again will not
// help.
var errRefused = errors.New("refused")

// refusal reports whether err is access's answer that the person may not
// (or no longer) hear of the patient: nothing to retry.
func refusal(err error) bool {
	return err != nil && !fault.Ours(err)
}

// fanOut queues one push per device of every person who may act for the
// patient, wants the kind and may see it.
func (s *Service) fanOut(ctx context.Context, ev Event) error {
	nhs, err := s.Gate.IDs.NHSNumber(ev.Patient)
	if err != nil {
		return nil
	}
	people := []string{nhs}
	rels, err := s.Gate.GP.ProxiesOf(ctx, nhs)
	if err != nil {
		return err
	}
	for _, r := range rels {
		if !slices.Contains(people, r.ActorNHS) {
			people = append(people, r.ActorNHS)
		}
	}
	now := s.now()
	for _, who := range people {
		id := s.Gate.IDs.For(who)
		p, ok, err := s.person(ctx, id)
		if err != nil {
			return err
		}
		if !ok || len(p.Subs) == 0 || !p.Wants(ev.Kind) || p.Actor.NHSNumber != who {
			continue
		}
		if _, err := s.Gate.Authorize(ctx, p.Actor, ev.Patient, ev.Need); err != nil {
			if refusal(err) {
				continue
			}
			return err
		}
		for _, sub := range p.Subs {
			j := Job{ID: "push:" + id + ":" + endpointID(sub.Endpoint) + ":" + string(ev.Kind) + ":" + ev.Patient + ":" + ev.Key,
				Type: jobPush, Event: ev, Person: id, Endpoint: sub.Endpoint}
			if err := s.Queue.Add(ctx, j, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// push sends one notification to one device: held to the end of quiet
// hours (one per device and kind, however many arrive overnight), and only
// if the person may still see it.
func (s *Service) push(ctx context.Context, j Job) error {
	now := s.now()
	if until := quietUntil(now); !until.IsZero() {
		held := j
		held.ID, held.Attempt = "held:"+j.Person+":"+endpointID(j.Endpoint)+":"+string(j.Event.Kind), 0
		if err := s.Queue.Put(ctx, held, until); err != nil {
			return err
		}
		s.settle(ctx, j, nil)
		return nil
	}
	p, ok, err := s.person(ctx, j.Person)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(p.Subs, func(o Subscription) bool { return o.Endpoint == j.Endpoint })
	if !ok || i < 0 || !p.Wants(j.Event.Kind) || j.Event.expired(now) {
		s.settle(ctx, j, nil)
		return nil
	}
	if _, err := s.Gate.Authorize(ctx, p.Actor, j.Event.Patient, j.Event.Need); err != nil {
		if refusal(err) {
			s.settle(ctx, j, nil)
			return nil
		}
		return err
	}
	self := s.Gate.Self(p.Actor) == j.Event.Patient
	sent, err := s.Push.Send(ctx, p.Subs[i], s.payload(ctx, p.Actor, j.Event, self), string(j.Event.Kind))
	switch sent {
	case delivered:
		s.settle(ctx, j, nil)
	case gone:
		if err := s.forget(ctx, j.Person, j.Endpoint); err != nil {
			return err
		}
		s.settle(ctx, j, nil)
	case refused:
		s.settle(ctx, j, errors.Join(errRefused, err))
	default:
		return err
	}
	return nil
}

// payload is the text of a push, in the person's language: it says what
// kind of thing happened and for whom (them, or someone they act for), and
// nothing else.
func (s *Service) payload(ctx context.Context, a access.Actor, ev Event, self bool) Payload {
	loc := i18n.DefaultLocale
	if s.Prefs != nil {
		if l, err := s.Prefs.Language(ctx, a.Subject); err == nil && l != "" {
			loc = l
		}
	}
	l := s.Catalogue.Localizer(loc)
	keys := api.NotifyText[string(ev.Kind)]
	body := keys.Self
	if !self {
		body = keys.Other
	}
	return Payload{Title: l.T("service.name"), Body: l.T(body),
		URL: OpenPath(ev.Patient, ev.Kind, ev.Key), Tag: string(ev.Kind)}
}

// check runs a scheduled check as the actor who asked for it.
func (s *Service) check(ctx context.Context, j Job) error {
	ev := j.Event
	c := s.Checks[ev.Kind]
	p, err := s.Gate.Authorize(ctx, j.Actor, ev.Patient, ev.Need)
	if c == nil || refusal(err) {
		s.settle(ctx, j, nil)
		return nil
	}
	if err != nil {
		return err
	}
	out, err := c(ctx, p, ev.Key, s.now())
	if err != nil {
		return err
	}
	if out.Fire != nil {
		s.Emit(ctx, *out.Fire)
	}
	if out.Again.IsZero() {
		s.settle(ctx, j, nil)
		return nil
	}
	j.Attempt = 0
	return s.Queue.Again(ctx, j, out.Again)
}
