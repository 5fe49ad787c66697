package loadbook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nhs-companion/companion/app/api"
)

// patient is a signed-in synthetic patient, as their phone would hold them:
// a session cookie at one server process and their opaque patient ID.
type patient struct {
	base      string // the server process they use
	cookie    string // the Cookie header
	patientID string
}

// signInAll signs in every NHS number, patient i at process i mod len(procs),
// through the sandbox NHS login, at most conc at once. It returns the
// patients in the order of numbers, how many failed, and the first failure.
func signInAll(ctx context.Context, procs []*process, numbers []string, conc int) ([]patient, int, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, DisableCompression: true}
	defer tr.CloseIdleConnections()
	out := make([]patient, len(numbers))
	var (
		next     atomic.Int64
		failed   atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	for w := 0; w < min(conc, len(numbers)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(numbers) {
					return
				}
				p, err := signIn(ctx, tr, procs[i%len(procs)].base, numbers[i])
				if err != nil {
					failed.Add(1)
					once.Do(func() { firstErr = fmt.Errorf("sign in patient %d: %w", i+1, err) })
					continue
				}
				out[i] = p
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return out, int(failed.Load()), firstErr
}

// signIn runs the real sign-in: /auth/login with a login_hint, through the
// sandbox NHS login, to the callback that sets the session cookie; then asks
// /api/v1/me for the patient ID. It stops following redirects once sign-in
// is done, so no page is rendered.
func signIn(ctx context.Context, tr http.RoundTripper, base, nhsNumber string) (patient, error) {
	cookie, err := SignIn(ctx, tr, base, nhsNumber)
	if err != nil {
		return patient{}, err
	}
	p := patient{base: base, cookie: cookie}
	if p.patientID, err = PatientID(ctx, tr, base, cookie); err != nil {
		return patient{}, err
	}
	return p, nil
}

// SignIn runs the real sign-in at the server at base: /auth/login with a
// login_hint, through the sandbox NHS login, to the callback that sets the
// session cookie. It stops following redirects once sign-in is done, so no
// page is rendered, and returns the Cookie header to send.
func SignIn(ctx context.Context, tr http.RoundTripper, base, nhsNumber string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) > 10 {
			return errors.New("too many redirects")
		}
		if !strings.HasPrefix(req.URL.Path, "/auth/") && !strings.HasPrefix(req.URL.Path, "/sandbox-login/") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/auth/login?"+url.Values{"login_hint": {nhsNumber}}.Encode(), nil)
	res, err := c.Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	u, _ := url.Parse(base + "/")
	var cookies []string
	signedIn := false
	for _, ck := range jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
		signedIn = signedIn || ck.Name == "companion"
	}
	if !signedIn {
		return "", fmt.Errorf("no session after sign-in (last status %d at %s)", res.StatusCode, res.Request.URL.Path)
	}
	sort.Strings(cookies)
	return strings.Join(cookies, "; "), nil
}

// PatientID asks /api/v1/me, as the holder of cookie, for the opaque ID of
// the patient they act for.
func PatientID(ctx context.Context, tr http.RoundTripper, base, cookie string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/me", nil)
	req.Header.Set("Cookie", cookie)
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var me api.Me
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET /api/v1/me: status %d", res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&me); err != nil || me.PatientID == "" {
		return "", fmt.Errorf("GET /api/v1/me: no patient_id (%v)", err)
	}
	return me.PatientID, nil
}

// get asks the API for JSON as the patient.
func (p patient) get(ctx context.Context, path string, v any) error {
	st, err := p.send(ctx, http.MethodGet, path, nil, v)
	if err == nil && st != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", path, st)
	}
	return err
}

// pickSlots chooses m free slots through the slots API, spread evenly over
// the booking window: GP appointments first, then nurse and blood tests if
// there are too few. It returns their IDs and how many of each type.
func pickSlots(ctx context.Context, p patient, m int) ([]string, map[string]int, error) {
	var chosen []string
	types := map[string]int{}
	for _, typ := range []string{"gp", "nurse", "blood_test"} {
		need := m - len(chosen)
		if need == 0 {
			break
		}
		var free []api.Slot
		if err := p.get(ctx, "/api/v1/patients/"+url.PathEscape(p.patientID)+"/slots?type="+typ, &free); err != nil {
			return nil, nil, fmt.Errorf("list %s slots: %w", typ, err)
		}
		for _, sl := range spread(free, need) {
			chosen = append(chosen, sl.ID)
			types[typ]++
		}
	}
	if len(chosen) < m {
		return nil, nil, fmt.Errorf("only %d free slots at the practice, want %d", len(chosen), m)
	}
	return chosen, types, nil
}

// spread takes up to n slots evenly from a list in start order, each from
// the middle of its share, so the earliest (closest to the booking cut-off)
// is not taken when there are more than enough.
func spread(slots []api.Slot, n int) []api.Slot {
	if len(slots) <= n {
		return slots
	}
	out := make([]api.Slot, 0, n)
	for k := 0; k < n; k++ {
		out = append(out, slots[(2*k+1)*len(slots)/(2*n)])
	}
	return out
}
