package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// KeepAlive is POST /auth/keepalive's answer: the session's new idle deadline.
type KeepAlive struct {
	IdleDeadline int64 `json:"idle_deadline"` // Unix ms
}

// Client calls Companion's JSON API. In the browser it sends the session
// cookie with each same-origin request.
type Client struct {
	base string
	http *http.Client
}

// NewClient returns a client for the API at base ("" for the page's origin).
func NewClient(base string) *Client { return &Client{base: base, http: http.DefaultClient} }

// StatusError is a non-2xx answer with its stable error code.
type StatusError struct {
	Status int
	Body   ErrorBody
}

func (e *StatusError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Body.Code) }

// Get fetches path into out.
func (c *Client) Get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, nil, out)
}

// Post sends in (nil for no body) to path and decodes the answer into out.
func (c *Client) Post(ctx context.Context, path string, in, out any) error {
	return c.do(ctx, http.MethodPost, path, in, out)
}

// Delete sends DELETE to path.
func (c *Client) Delete(ctx context.Context, path string) error {
	return c.do(ctx, http.MethodDelete, path, nil, nil)
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		var e Error
		_ = json.NewDecoder(res.Body).Decode(&e)
		return &StatusError{Status: res.StatusCode, Body: e.Error}
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}
