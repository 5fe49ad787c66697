package api

import (
	"context"
	"encoding/json"
	"fmt"
)

// KeepAlive is POST /auth/keepalive's answer: the session's new idle deadline.
type KeepAlive struct {
	IdleDeadline int64 `json:"idle_deadline"` // Unix ms
}

// Client calls Companion's JSON API. In the browser it uses fetch with the
// page's cookies; elsewhere net/http. (net/http's client would pull a whole
// HTTP and TLS stack into app.wasm.)
type Client struct {
	base string
	// http is the *http.Client to use outside the browser (nil for the
	// default): tests sign in with their own cookie jar.
	http any
}

// NewClient returns a client for the API at base ("" for the page's origin).
func NewClient(base string) *Client { return &Client{base: base} }

// StatusError is a non-2xx answer with its stable error code.
type StatusError struct {
	Status int
	Body   ErrorBody
}

func (e *StatusError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Body.Code) }

// Get fetches path into out.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	return c.call(ctx, "GET", path, in(nil), out)
}

// Post sends body (nil for none) to path and decodes the answer into out.
func (c *Client) Post(ctx context.Context, path string, body, out any) error {
	return c.call(ctx, "POST", path, in(body), out)
}

// Delete sends DELETE to path.
func (c *Client) Delete(ctx context.Context, path string) error {
	return c.call(ctx, "DELETE", path, in(nil), nil)
}

// call sends r and decodes the answer into out.
func (c *Client) call(ctx context.Context, method, path string, r request, out any) error {
	status, body, err := c.send(ctx, method, path, r)
	if err != nil {
		return err
	}
	return decode(status, body, out)
}

// request is what a call sends: a JSON body (nil for none, distinct from
// a JSON null), or a URL-encoded form, and any headers of its own.
type request struct {
	body    any
	form    string
	headers map[string]string
}

func in(v any) request { return request{body: v} }

// encode is what r sends: its body and that body's Content-Type ("" for
// none).
func (r request) encode() (body, contentType string, err error) {
	switch {
	case r.body != nil:
		b, err := json.Marshal(r.body)
		return string(b), "application/json", err
	case r.form != "":
		return r.form, "application/x-www-form-urlencoded", nil
	}
	return "", "", nil
}
