package prescribing

import (
	"context"
	"time"

	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/notify"
)

// GP systems do not call Companion back when an order moves on, so each
// order placed is watched: looked at again after a minute, then less often
// as it ages (a quarter of its age, at most hourly), until it is ready to
// collect (notified), rejected or dispensed, or older than notifyWindow.
const (
	firstWatch = time.Minute
	lastWatch  = time.Hour
)

// watch schedules the first look at an order just placed.
func (s *Service) watch(ctx context.Context, p *access.Patient, order string) {
	s.Notify.Schedule(ctx, p, notify.PrescriptionReady, order, Need, s.Notify.Time().Add(firstWatch))
}

// WatchCheck is the order's check: ready to collect is notified once.
func WatchCheck(ctx context.Context, p *access.Patient, order string, now time.Time) (notify.Outcome, error) {
	reqs, err := p.Prescriptions().Requests(ctx)
	if err != nil {
		return notify.Outcome{}, err
	}
	var placed time.Time
	pending, ready := false, false
	for _, rq := range reqs {
		if rq.OrderID != order || len(rq.History) == 0 {
			continue
		}
		if at := rq.History[0].At; placed.IsZero() || at.Before(placed) {
			placed = at
		}
		ready = ready || rq.Status() == gp.RxReady
		pending = pending || rq.Pending()
	}
	switch {
	case ready:
		return notify.Outcome{Fire: &notify.Event{Kind: notify.PrescriptionReady, Patient: p.ID(), Key: order,
			Path: "/prescriptions", Need: Need}}, nil
	case !pending || now.Sub(placed) > notifyWindow:
		return notify.Outcome{}, nil
	}
	return notify.Outcome{Again: now.Add(min(max(now.Sub(placed)/4, firstWatch), lastWatch))}, nil
}
