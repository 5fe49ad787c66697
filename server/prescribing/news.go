package prescribing

import (
	"context"
	"slices"
	"time"

	"github.com/nhs-companion/companion/server/keep"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

// notifyWindow is how long a status change stays news.
const notifyWindow = 14 * 24 * time.Hour

// readTTL outlasts notifyWindow, after which a notification is not shown
// anyway.
const readTTL = notifyWindow + 24*time.Hour

// ReadState remembers which notifications of a patient have been read (by
// whoever reads them: the patient or someone acting for them), one record
// per notification read, kept past the window notifications show for.
type ReadState struct {
	kept keep.Store
}

// NewReadState keeps read state in kept.
func NewReadState(kept keep.Store) *ReadState { return &ReadState{kept: kept} }

func readKey(patient, id string) string { return "read:" + patient + ":" + id }

// Notifications are the patient's prescription changes of the last
// fortnight they have not read: one per order and status, naming the
// medicines.
func (s *Service) Notifications(ctx context.Context, p *access.Patient) ([]api.Notification, error) {
	reqs, err := p.Prescriptions().Requests(ctx)
	if err != nil {
		return nil, err
	}
	var out []api.Notification
	index := map[string]int{}
	since := time.Now().Add(-notifyWindow)
	for _, rq := range reqs {
		st := rq.Status()
		if st == gp.RxRequested || rq.Changed().Before(since) {
			continue
		}
		id := rq.OrderID + "." + string(st)
		if st == gp.RxRejected {
			id += "." + rq.ID // each rejection has its own reason
		}
		if i, ok := index[id]; ok {
			out[i].Medicines = append(out[i].Medicines, rq.Name)
			continue
		}
		index[id] = len(out)
		out = append(out, api.Notification{ID: id, Kind: "prescription", Status: string(st), Medicines: []string{rq.Name},
			Pharmacy: rq.Pharmacy.Name, Reason: rq.History[len(rq.History)-1].Reason, At: rq.Changed().UnixMilli()})
	}
	if len(out) == 0 {
		return nil, nil
	}
	unread := out[:0]
	for _, n := range out {
		_, read, err := s.Reads.kept.Get(ctx, readKey(p.ID(), n.ID))
		if err != nil {
			return nil, fault.Unreachable(err)
		}
		if !read {
			unread = append(unread, n)
		}
	}
	return unread, nil
}

// MarkRead marks one of the patient's notifications read.
func (s *Service) MarkRead(ctx context.Context, p *access.Patient, id string) error {
	list, err := s.Notifications(ctx, p)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(list, func(n api.Notification) bool { return n.ID == id }) {
		return ErrNoNotification
	}
	if err := s.Reads.kept.Put(ctx, readKey(p.ID(), id), []byte("1"), readTTL); err != nil {
		return fault.Unreachable(err)
	}
	return nil
}
