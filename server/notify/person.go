package notify

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
)

// Person is what Companion keeps of one person's notifications: the kinds
// they turned off and their devices' subscriptions. It is keyed by the
// opaque ID of the person's own record, so it follows them across
// sessions and is found from a patient's relationships.
type Person struct {
	// Actor is the person as their latest session knew them, so a push is
	// authorised at send time as a request from them would be.
	Actor access.Actor `json:"actor"`
	// Off are the kinds they do not want pushed.
	Off  []Kind         `json:"off,omitempty"`
	Subs []Subscription `json:"subs,omitempty"`
}

// maxDevices bounds a person's subscriptions; the oldest goes first.
const maxDevices = 10

// Wants reports whether the person wants kind pushed.
func (p Person) Wants(k Kind) bool { return !slices.Contains(p.Off, k) }

func personKey(id string) string { return "push:" + id }

// person reads the record of the person whose own record is id.
func (s *Service) person(ctx context.Context, id string) (Person, bool, error) {
	b, ok, err := s.Kept.Get(ctx, personKey(id))
	if err != nil || !ok {
		return Person{}, false, err
	}
	var p Person
	if err := json.Unmarshal(b, &p); err != nil {
		return Person{}, false, err
	}
	return p, true, nil
}

func (s *Service) putPerson(ctx context.Context, id string, p Person) error {
	if len(p.Subs) == 0 && len(p.Off) == 0 {
		return s.Kept.Delete(ctx, personKey(id))
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.Kept.Put(ctx, personKey(id), b, 0)
}

// change applies f to the record of actor, keeping the actor as the
// session knows them now.
func (s *Service) change(ctx context.Context, a access.Actor, f func(*Person)) (Person, error) {
	id := s.Gate.Self(a)
	p, _, err := s.person(ctx, id)
	if err != nil {
		return Person{}, fault.Unreachable(err)
	}
	p.Actor = a
	f(&p)
	if err := s.putPerson(ctx, id, p); err != nil {
		return Person{}, fault.Unreachable(err)
	}
	return p, nil
}

// Settings are what the person chose: the kinds they want pushed, and how
// many devices get pushes.
func (s *Service) Settings(ctx context.Context, a access.Actor) (Person, error) {
	p, _, err := s.person(ctx, s.Gate.Self(a))
	if err != nil {
		return Person{}, fault.Unreachable(err)
	}
	return p, nil
}

// Choose sets the kinds the person wants pushed (every other is off).
func (s *Service) Choose(ctx context.Context, a access.Actor, on []Kind) error {
	for _, k := range on {
		if !k.Valid() {
			return ErrBadKind
		}
	}
	_, err := s.change(ctx, a, func(p *Person) {
		p.Off = nil
		for _, k := range Kinds {
			if !slices.Contains(on, k) {
				p.Off = append(p.Off, k)
			}
		}
	})
	return err
}

// Subscribe adds a device's subscription to the person's, checked first.
func (s *Service) Subscribe(ctx context.Context, a access.Actor, sub Subscription) error {
	if err := s.Push.Check(sub); err != nil {
		return err
	}
	sub.Added = s.now().UnixMilli()
	_, err := s.change(ctx, a, func(p *Person) {
		p.Subs = slices.DeleteFunc(p.Subs, func(o Subscription) bool { return o.Endpoint == sub.Endpoint })
		p.Subs = append(p.Subs, sub)
		if n := len(p.Subs); n > maxDevices {
			p.Subs = p.Subs[n-maxDevices:]
		}
	})
	return err
}

// Unsubscribe removes one device's subscription, or every device's when
// endpoint is "" (push turned off).
func (s *Service) Unsubscribe(ctx context.Context, a access.Actor, endpoint string) error {
	_, err := s.change(ctx, a, func(p *Person) {
		p.Subs = slices.DeleteFunc(p.Subs, func(o Subscription) bool { return endpoint == "" || o.Endpoint == endpoint })
	})
	return err
}

// forget removes a subscription the push service says is gone.
func (s *Service) forget(ctx context.Context, person, endpoint string) error {
	p, ok, err := s.person(ctx, person)
	if err != nil || !ok {
		return err
	}
	p.Subs = slices.DeleteFunc(p.Subs, func(o Subscription) bool { return o.Endpoint == endpoint })
	return s.putPerson(ctx, person, p)
}
