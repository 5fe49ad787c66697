package loadbook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// prepared is everything one patient's requests need, made before the
// release so the burst measures the server, not the client.
type prepared struct {
	url, body, key, origin string
	holdURL, holdBody      string // set for those who hold first
}

// result is one patient's race.
type result struct {
	slot    string    // the slot they asked for
	code    string    // final answer: "booked" or a stable error code
	booked  string    // the slot of the appointment a 201 returned
	first   answer    // the answer to their first request
	outcome time.Time // when the final answer came
	queued  int       // 429 queued answers before it
	// unavailable counts 503 answers before it.
	unavailable int
	// inProgress counts 409 in_progress answers before it (an earlier
	// attempt with the same key not yet settled).
	inProgress int
	// noRetryAfter counts 429 and 503 answers without Retry-After.
	noRetryAfter int
	statuses     map[int]int // every answer, by status
	requests     int         // requests sent
	// held is 1 when the patient held their time first, -1 when the hold
	// was refused (the time was taken), 0 when they did not try.
	held int
}

// race releases every patient at one instant, patient i booking slot
// i mod len(slots) with their own Idempotency-Key, retrying after Retry-After
// with their queue ticket while the practice queues them, and after
// Retry-After while Companion is unavailable or still settling an earlier
// attempt (in_progress). cfg.Midway runs once cfg.MidwayAfter slots are
// booked.
func race(ctx context.Context, patients []patient, slots []string, cfg Config) ([]result, time.Time) {
	var booked atomic.Int64
	midway := int64(max(1, len(slots)/3))
	if cfg.MidwayAfter > 0 {
		midway = int64(cfg.MidwayAfter)
	}
	c := newClient(cfg.InFlight)
	defer c.close()
	results := make([]result, len(patients))
	// Everything a request needs is made before the release, so the burst
	// measures the server, not the client building requests.
	reqs := make([]prepared, len(patients))
	for i, p := range patients {
		// A reason always: some practices require one, and it costs the
		// others nothing.
		body, _ := json.Marshal(api.BookRequest{SlotID: slots[i%len(slots)], Reason: "Load test"})
		reqs[i] = prepared{
			url:  p.base + "/api/v1/patients/" + url.PathEscape(p.patientID) + "/appointments",
			body: string(body), key: randomKey(), origin: p.base,
		}
		if cfg.HoldEvery > 0 && i%cfg.HoldEvery == 0 {
			hb, _ := json.Marshal(api.SlotHoldRequest{SlotID: slots[i%len(slots)]})
			reqs[i].holdURL, reqs[i].holdBody = p.base+"/api/v1/patients/"+url.PathEscape(p.patientID)+"/slot-holds", string(hb)
		}
		results[i].slot = slots[i%len(slots)]
		results[i].statuses = map[int]int{}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.RaceTimeout)
	defer cancel()
	release := burst(len(patients), func(i int) {
		r, p, pr := &results[i], patients[i], reqs[i]
		ticket := ""
		if pr.holdURL != "" && !hold(ctx, c, r, p, &pr) {
			return
		}
		for {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, pr.url, bytes.NewReader([]byte(pr.body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", pr.origin)
			req.Header.Set("Cookie", p.cookie)
			req.Header.Set("Idempotency-Key", pr.key)
			if ticket != "" {
				req.Header.Set("X-Queue-Ticket", ticket)
			}
			a, err := c.do(req)
			r.requests++
			if r.requests == 1 {
				r.first = a
			}
			r.outcome = a.at
			if err != nil {
				r.code = "transport"
				if ctx.Err() != nil {
					r.code = "gave_up"
				}
				return
			}
			r.statuses[a.status]++
			if a.status == http.StatusCreated {
				if booked.Add(1) == midway && cfg.Midway != nil {
					cfg.Midway()
				}
				var appt api.Appointment
				if json.Unmarshal(a.body, &appt) != nil {
					r.code = "bad_json"
					return
				}
				r.code, r.booked = "booked", appt.Slot.ID
				return
			}
			r.code = errorCode(a)
			switch {
			case r.code == "queued":
				r.queued++
				if t := a.header.Get("X-Queue-Ticket"); t != "" {
					ticket = t
				}
			case a.status == http.StatusServiceUnavailable:
				r.unavailable++
			case r.code == "in_progress":
				r.inProgress++
			default:
				return
			}
			wait := time.Second
			if s, err := strconv.Atoi(a.header.Get("Retry-After")); err == nil && s >= 0 {
				wait = time.Duration(s) * time.Second
			} else {
				r.noRetryAfter++
			}
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				r.code = "gave_up"
				return
			}
		}
	})
	return results, release
}

// hold holds the patient's time before they book, as the booking pages do
// when a time is chosen: with the hold, the booking carries hold_id; a
// refusal (slot_taken) is their final answer (false). Any other answer
// books without a hold.
func hold(ctx context.Context, c *client, r *result, p patient, pr *prepared) bool {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, pr.holdURL, bytes.NewReader([]byte(pr.holdBody)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", pr.origin)
	req.Header.Set("Cookie", p.cookie)
	a, err := c.do(req)
	r.requests++
	r.first, r.outcome = a, a.at
	if err != nil {
		return true
	}
	r.statuses[a.status]++
	switch a.status {
	case http.StatusCreated:
		var h api.SlotHold
		if json.Unmarshal(a.body, &h) == nil {
			var b api.BookRequest
			_ = json.Unmarshal([]byte(pr.body), &b)
			b.HoldID = h.ID
			body, _ := json.Marshal(b)
			pr.body, r.held = string(body), 1
		}
	case http.StatusConflict:
		r.code, r.held = errorCode(a), -1
		return false
	}
	return true
}

// errorCode is the stable code of an error answer, or "http_<status>" when
// the body carries none.
func errorCode(a answer) string {
	var e api.Error
	if json.Unmarshal(a.body, &e) == nil && e.Error.Code != "" {
		return e.Error.Code
	}
	return "http_" + strconv.Itoa(a.status)
}

// summarise counts answers and measures the race's first answers and
// outcomes.
func summarise(rep *Report, results []result, release time.Time) {
	rep.Outcomes, rep.Statuses = map[string]int{}, map[int]int{}
	var firsts, outcomes []time.Duration
	var lastFirst, lastOutcome, lastWon, lastLost time.Time
	var won, lost []time.Duration
	for _, r := range results {
		rep.Outcomes[r.code]++
		rep.Queued += r.queued
		rep.Unavailable += r.unavailable
		rep.InProgress += r.inProgress
		rep.WithoutRetryAfter += r.noRetryAfter
		rep.Requests += r.requests
		switch r.held {
		case 1:
			rep.Holds++
		case -1:
			rep.HoldsRefused++
		}
		for status, n := range r.statuses {
			rep.Statuses[status] += n
		}
		if r.code == "booked" {
			rep.Bookings++
			if r.booked != r.slot {
				rep.Mismatches++
			}
		}
		firsts = append(firsts, r.first.took)
		outcomes = append(outcomes, r.outcome.Sub(release))
		if r.code == "booked" {
			won = append(won, r.outcome.Sub(release))
			lastWon = later(lastWon, r.outcome)
		} else {
			lost = append(lost, r.outcome.Sub(release))
			lastLost = later(lastLost, r.outcome)
		}
		if r.first.at.After(lastFirst) {
			lastFirst = r.first.at
		}
		if r.outcome.After(lastOutcome) {
			lastOutcome = r.outcome
		}
	}
	rep.First = latency(firsts, release, lastFirst)
	rep.Outcome = latency(outcomes, release, lastOutcome)
	rep.Winners = latency(won, release, lastWon)
	rep.Losers = latency(lost, release, lastLost)
	rep.RaceMS = ms(lastOutcome.Sub(release))
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// verify reads the GP system's own records: every synthetic patient's booked
// appointments on the raced slots, counted per slot.
func verify(ctx context.Context, rep *Report, gpSys *sandbox.System, numbers, slots []string) error {
	raced := make(map[string]bool, len(slots))
	for _, s := range slots {
		raced[s] = true
	}
	holders := map[string]int{}
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
		next     = make(chan string)
	)
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for nhs := range next {
				list, err := appointments(ctx, gpSys, nhs)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("read appointments: %w", err)
				}
				for _, a := range list {
					if a.Status == gp.StatusBooked && raced[a.Slot.ID] {
						holders[a.Slot.ID]++
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, n := range numbers {
		next <- n
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for _, n := range holders {
		rep.BookedInGP += n
		rep.DistinctSlotsBooked++
		if n > 1 {
			rep.DoubleBookings++
		}
	}
	return nil
}

// appointments reads a patient's appointments from the GP system, waiting
// out a Redis failover (the race may end before the cluster has promoted a
// replica) for up to half a minute.
func appointments(ctx context.Context, gpSys *sandbox.System, nhs string) ([]gp.Appointment, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		list, err := gpSys.Appointments(ctx, nhs)
		if err == nil || !errors.Is(err, gp.ErrUnavailable) || time.Now().After(deadline) {
			return list, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// baseline releases n GETs at one instant, through the same client setup as
// the race, at a bare handler doing one Redis GET on the same Redis.
func baseline(ctx context.Context, rdb redis.UniversalClient, n, inFlight int) (Latency, error) {
	// After a failover test, the key's master may only now be taking over.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		err := rdb.Set(ctx, "loadbook:baseline", "x", 0).Err()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return Latency{}, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Latency{}, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := rdb.Get(r.Context(), "loadbook:baseline").Result()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(v))
	})}
	go srv.Serve(ln)
	defer srv.Close()
	u := "http://" + ln.Addr().String() + "/"

	c := newClient(inFlight)
	defer c.close()
	answers := make([]answer, n)
	errs := make([]error, n)
	release := burst(n, func(i int) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		answers[i], errs[i] = c.do(req)
	})
	var tooks []time.Duration
	var last time.Time
	for i, a := range answers {
		if errs[i] != nil || a.status != http.StatusOK {
			return Latency{}, fmt.Errorf("baseline request %d: status %d, %v", i, a.status, errs[i])
		}
		tooks = append(tooks, a.took)
		if a.at.After(last) {
			last = a.at
		}
	}
	return latency(tooks, release, last), nil
}
