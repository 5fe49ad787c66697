package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/nhs-companion/companion/internal/roundtrip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// errConflict is a write the server refused because the resource changed
// since it was read (412 Precondition Failed, 409 Conflict).
var errConflict = errors.New("fhir: version conflict")

// errRejected is a request the server refused as invalid (400, 422): a
// fault in the adapter or the GP system's data, never the patient's.
var errRejected = errors.New("fhir: request rejected")

// maxBody bounds what the adapter reads of one answer.
const maxBody = 32 << 20

// maxPages bounds how many `next` links one search follows.
const maxPages = 100

// client speaks FHIR's RESTful API to one base URL.
type client struct {
	base    string // no trailing slash
	http    *http.Client
	timeout time.Duration
	retries []time.Duration // backoff before each retry of a safe read
	token   func(ctx context.Context) (string, error)
	// slots bounds the calls in flight at once.
	slots   chan struct{}
	breaker *breaker
}

// do sends one request and decodes a 2xx answer into out (when not nil),
// returning its ETag. Reads are retried after network errors, 429 and 5xx;
// writes never are.
func (c *client) do(ctx context.Context, method, rawURL string, header http.Header, body, out any) (string, error) {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return "", fmt.Errorf("encode: %w", err)
		}
		payload = b
	}
	select {
	case c.slots <- struct{}{}:
		defer func() { <-c.slots }()
	case <-ctx.Done():
		return "", fmt.Errorf("%w: waiting for a free connection: %w", gp.ErrUnavailable, ctx.Err())
	}
	attempts := 1
	if method == http.MethodGet {
		attempts += len(c.retries)
	}
	var err error
	for i := range attempts {
		if i > 0 {
			select {
			case <-ctx.Done():
				return "", fmt.Errorf("%w: %w", gp.ErrUnavailable, ctx.Err())
			case <-time.After(c.retries[i-1]):
			}
		}
		done, berr := c.breaker.allow(ctx)
		if berr != nil {
			return "", fmt.Errorf("%s %s: %w", method, kind(rawURL), berr)
		}
		var etag string
		var retry bool
		etag, retry, err = c.once(ctx, method, rawURL, header, payload, out)
		done(errors.Is(err, gp.ErrUnavailable) && !errors.Is(err, errRejected))
		if err == nil || !retry {
			return etag, err
		}
	}
	return "", err
}

// once is one attempt of do; retry says whether a read may try again.
func (c *client) once(ctx context.Context, method, rawURL string, header http.Header, payload []byte, out any) (etag string, retry bool, err error) {
	roundtrip.GPCall(ctx)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, rawURL, bytes.NewReader(payload))
	if err != nil {
		return "", false, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/fhir+json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	if c.token != nil {
		tok, err := c.token(ctx)
		if err != nil {
			return "", false, fmt.Errorf("%w: token: %w", gp.ErrUnavailable, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return "", true, fmt.Errorf("%w: %s %s: %w", gp.ErrUnavailable, method, kind(rawURL), unwrapURL(err))
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return "", true, fmt.Errorf("%w: %s %s: read answer: %w", gp.ErrUnavailable, method, kind(rawURL), err)
	}
	switch s := res.StatusCode; {
	case s >= 200 && s < 300:
	case s == http.StatusNotFound || s == http.StatusGone:
		return "", false, fmt.Errorf("%s %s: %w", method, kind(rawURL), gp.ErrNotFound)
	case s == http.StatusPreconditionFailed || s == http.StatusConflict:
		return "", false, fmt.Errorf("%s %s: %w", method, kind(rawURL), errConflict)
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		// Companion's fault or the GP system's, never the patient's: to
		// them it is a GP system that cannot answer now.
		return "", false, fmt.Errorf("%w: %s %s: %w (%s)", gp.ErrUnavailable, method, kind(rawURL), errRejected, issueCodes(b))
	default:
		return "", s == http.StatusTooManyRequests || s >= 500,
			fmt.Errorf("%w: %s %s: %s (%s)", gp.ErrUnavailable, method, kind(rawURL), res.Status, issueCodes(b))
	}
	if out != nil {
		if err := decode(b, out); err != nil {
			return "", true, fmt.Errorf("%w: %s %s: %w", gp.ErrUnavailable, method, kind(rawURL), err)
		}
	}
	return res.Header.Get("ETag"), false, nil
}

// decode reads a resource, refusing an answer that is not JSON or is a
// resource of another type than out expects: a malformed answer must never
// become a wrong one.
func decode(b []byte, out any) error {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return fmt.Errorf("malformed answer: %w", err)
	}
	if want := resourceTypeOf(out); want != "" && head.ResourceType != want {
		return fmt.Errorf("answer is a %q, want a %s", head.ResourceType, want)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("malformed %s: %w", head.ResourceType, err)
	}
	return nil
}

// resourceTypeOf names the resource type out decodes into ("" for a raw
// message, which may be any).
func resourceTypeOf(out any) string {
	switch out.(type) {
	case *bundle:
		return "Bundle"
	case *organization:
		return "Organization"
	case *patient:
		return "Patient"
	case *practitioner:
		return "Practitioner"
	case *practitionerRole:
		return "PractitionerRole"
	case *location:
		return "Location"
	case *schedule:
		return "Schedule"
	case *slot:
		return "Slot"
	case *appointment:
		return "Appointment"
	case *relatedPerson:
		return "RelatedPerson"
	case *consent:
		return "Consent"
	case *task:
		return "Task"
	}
	return ""
}

// issueCodes summarises an OperationOutcome for an error message: its issue
// codes only, never its text (which may quote patient data).
func issueCodes(b []byte) string {
	var oo operationOutcome
	if json.Unmarshal(b, &oo) != nil || oo.ResourceType != "OperationOutcome" {
		return "no OperationOutcome"
	}
	codes := make([]string, 0, len(oo.Issue))
	for _, i := range oo.Issue {
		codes = append(codes, i.Severity+"/"+i.Code)
	}
	return "OperationOutcome " + strings.Join(codes, ",")
}

// kind is the resource type a URL is about, for error messages: never the
// query, which holds identifiers.
func kind(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "?"
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if p := parts[i]; p != "" && p[0] >= 'A' && p[0] <= 'Z' {
			return p
		}
	}
	return "base"
}

// unwrapURL drops the URL (with its query) url.Error puts in messages.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// read fetches typ/id into out and returns its version ETag.
func (c *client) read(ctx context.Context, typ, id string, out any) (string, error) {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return "", fmt.Errorf("read %s: %w", typ, gp.ErrNotFound)
	}
	return c.do(ctx, http.MethodGet, c.base+"/"+typ+"/"+url.PathEscape(id), nil, nil, out)
}

// search runs a search and calls each with every match (search mode
// "match"; included resources go to include), following next links.
func (c *client) search(ctx context.Context, typ string, q url.Values, each func(json.RawMessage) error, include func(json.RawMessage)) error {
	next := c.base + "/" + typ + "?" + q.Encode()
	for page := 0; next != ""; page++ {
		if page == maxPages {
			return fmt.Errorf("%w: search %s: more than %d pages", gp.ErrUnavailable, typ, maxPages)
		}
		var b bundle
		if _, err := c.do(ctx, http.MethodGet, next, nil, nil, &b); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if b.Type != "searchset" {
			return fmt.Errorf("%w: search %s: a %q bundle, want a searchset", gp.ErrUnavailable, typ, b.Type)
		}
		for _, e := range b.Entry {
			if e.Search != nil && e.Search.Mode == "include" {
				if include != nil {
					include(e.Resource)
				}
				continue
			}
			if err := each(e.Resource); err != nil {
				return err
			}
		}
		next = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				if !strings.HasPrefix(l.URL, c.base+"/") {
					return fmt.Errorf("%w: search %s: next link leaves the FHIR base", gp.ErrUnavailable, typ)
				}
				next = l.URL
			}
		}
	}
	return nil
}

// searchAll decodes every match of a search into a []T.
func searchAll[T any](ctx context.Context, c *client, typ string, q url.Values) ([]T, error) {
	var out []T
	err := c.search(ctx, typ, q, func(raw json.RawMessage) error {
		var v T
		if err := decode(raw, &v); err != nil {
			return fmt.Errorf("%w: search %s: %w", gp.ErrUnavailable, typ, err)
		}
		out = append(out, v)
		return nil
	}, nil)
	return out, err
}

// transaction posts a transaction Bundle: all its entries or none.
func (c *client) transaction(ctx context.Context, entries []bundleEntry) (bundle, error) {
	var out bundle
	_, err := c.do(ctx, http.MethodPost, c.base, nil, bundle{ResourceType: "Bundle", Type: "transaction", Entry: entries}, &out)
	if err != nil {
		return bundle{}, fmt.Errorf("transaction: %w", err)
	}
	if out.Type != "transaction-response" || len(out.Entry) != len(entries) {
		return bundle{}, fmt.Errorf("%w: transaction: a %q answer of %d entries for %d", gp.ErrUnavailable, out.Type, len(out.Entry), len(entries))
	}
	return out, nil
}

// raw encodes a resource for a bundle entry.
func raw(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
