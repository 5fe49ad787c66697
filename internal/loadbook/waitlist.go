package loadbook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/nhs-companion/companion/app/api"
)

// send makes one API call as the patient, decoding a 2xx answer into v
// (when v is not nil), and returns the status.
func (p patient) send(ctx context.Context, method, path string, body, v any) (int, error) {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequestWithContext(ctx, method, p.base+path, rd)
	req.Header.Set("Cookie", p.cookie)
	req.Header.Set("Origin", p.base)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", randomKey())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if v != nil && res.StatusCode/100 == 2 {
		return res.StatusCode, json.NewDecoder(res.Body).Decode(v)
	}
	return res.StatusCode, nil
}

func (p patient) path(rest string) string {
	return "/api/v1/patients/" + url.PathEscape(p.patientID) + rest
}

// joinWaitlists has each waiter book one of the latest free GP times (none
// of the raced ones) and ask for an earlier one, in turn.
func joinWaitlists(ctx context.Context, waiters []patient, raced []string) error {
	if len(waiters) == 0 {
		return nil
	}
	var free []api.Slot
	if err := waiters[0].get(ctx, waiters[0].path("/slots?type=gp"), &free); err != nil {
		return fmt.Errorf("list slots for the waitlist: %w", err)
	}
	free = slices.DeleteFunc(free, func(s api.Slot) bool { return slices.Contains(raced, s.ID) })
	if len(free) < len(waiters) {
		return fmt.Errorf("only %d late slots for %d on the waitlist", len(free), len(waiters))
	}
	late := free[len(free)-len(waiters):]
	for i, w := range waiters {
		var a api.Appointment
		if st, err := w.send(ctx, http.MethodPost, w.path("/appointments"), api.BookRequest{SlotID: late[i].ID, Reason: "Load test"}, &a); st != http.StatusCreated {
			return fmt.Errorf("waiter %d books: status %d, %v", i, st, err)
		}
		if st, err := w.send(ctx, http.MethodPost, w.path("/appointments/"+url.PathEscape(a.ID)+"/waitlist"), api.WaitlistRequest{}, nil); st != http.StatusCreated {
			return fmt.Errorf("waiter %d joins the waitlist: status %d, %v", i, st, err)
		}
	}
	return nil
}

// cancelForWaitlist has the first n winners (in slot order) cancel, which
// frees their times for the waitlist, then counts the offers the waiters
// see: how many, and how many times were offered to more than one.
func cancelForWaitlist(ctx context.Context, rep *Report, patients, waiters []patient, results []result, raced []string, n int) error {
	if len(waiters) == 0 || n == 0 {
		return nil
	}
	cancelled := 0
	for _, slot := range raced {
		if cancelled == n {
			break
		}
		i := slices.IndexFunc(results, func(r result) bool { return r.code == "booked" && r.booked == slot })
		if i < 0 {
			continue
		}
		p := patients[i]
		var d api.Diary
		if err := p.get(ctx, p.path("/appointments"), &d); err != nil {
			return err
		}
		for _, a := range d.Upcoming {
			if a.Slot.ID == slot {
				st, err := p.send(ctx, http.MethodDelete, p.path("/appointments/"+url.PathEscape(a.ID)), nil, nil)
				switch {
				case st == http.StatusOK:
					cancelled++
				case st != http.StatusConflict: // too late to cancel online: the next
					return fmt.Errorf("cancel for the waitlist: status %d, %v", st, err)
				}
			}
		}
	}
	rep.WaitlistCancels = cancelled
	offered := map[string]int{}
	for _, w := range waiters {
		var offers []api.WaitlistOffer
		if err := w.get(ctx, w.path("/waitlist-offers"), &offers); err != nil {
			return err
		}
		for _, o := range offers {
			rep.WaitlistOffers++
			offered[o.Slot.ID]++
		}
	}
	for _, k := range offered {
		if k > 1 {
			rep.WaitlistOfferedTwice++
		}
	}
	return nil
}
