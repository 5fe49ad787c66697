package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/auth/oidctest"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// agent is one person's browser, as far as the API goes: a cookie jar, the
// test CA trusted, redirects followed.
type agent struct {
	c    *http.Client
	base string
}

func newAgent(base string, roots *x509.CertPool) *agent {
	jar, _ := cookiejar.New(nil)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &agent{c: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}, base: base}
}

// signIn follows path (a sign-in start) through the OpenID Provider as
// account and reports where it ended.
func (a *agent) signIn(path, account string) (*http.Response, error) {
	a.c.CheckRedirect = oidctest.SignInAs(account)
	defer func() { a.c.CheckRedirect = nil }()
	res, err := a.c.Get(a.base + path)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res, nil
}

// call sends a JSON request and decodes a JSON answer into out (when not
// nil), failing unless the status is want.
func (a *agent) call(method, path string, body, out any, want int, header ...string) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := a.c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %s, want %d: %.200s", method, path, res.Status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}

// get fetches path and returns the response (body read) and body.
func (a *agent) get(path string) (*http.Response, string, error) {
	res, err := a.c.Get(a.base + path)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, string(b), err
}

// postForm submits a form as a page would, from Companion's own origin.
func (a *agent) postForm(path string, form url.Values) (*http.Response, string, error) {
	req, err := http.NewRequest(http.MethodPost, a.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.base)
	res, err := a.c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, string(b), err
}

// journey runs named steps, printing one line for each and a total.
type journey struct {
	t              *testing.T
	passed, failed int
}

func (j *journey) step(name string, f func() error) {
	j.t.Helper()
	if err := f(); err != nil {
		j.failed++
		fmt.Printf("FAIL  %s: %v\n", name, err)
		j.t.Errorf("%s: %v", name, err)
		return
	}
	j.passed++
	fmt.Printf("ok    %s\n", name)
}

func (j *journey) total() { fmt.Printf("%d passed, %d failed\n", j.passed, j.failed) }

// answer says how a request ended: the error, or the status, where, and
// the content type.
func answer(res *http.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s at %s (%s)", res.Status, res.Request.URL.Path, res.Header.Get("Content-Type"))
}

// replyAndSee has staff reply to a patient's request from the inbox's form
// at the pilot practice, then checks the patient (pid, their API path) sees
// the request answered.
func replyAndSee(staff, patient *agent, pid, requestID string) error {
	res, _, err := staff.postForm("/admin/inbox/"+url.PathEscape(requestID)+"/respond",
		url.Values{"practice": {sandbox.PilotPractice}, "reply": {"Your fit note is ready to collect."}})
	if err != nil || res.StatusCode != 200 || res.Request.URL.Path != "/admin/inbox" {
		return fmt.Errorf("reply: %s", answer(res, err))
	}
	var list api.ContactList
	if err := patient.call("GET", pid+"/contact-requests", nil, &list, 200); err != nil {
		return err
	}
	if !slices.ContainsFunc(list.Requests, func(r api.ContactRequest) bool { return r.ID == requestID && r.Status == "responded" }) {
		return errors.New("the patient does not see the reply")
	}
	return nil
}
