//go:build !(js && wasm)

package api

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// NewHTTPClient returns a client for the API at base that calls through
// hc (with its cookie jar), outside the browser.
func NewHTTPClient(base string, hc *http.Client) *Client { return &Client{base: base, http: hc} }

// send makes the request through net/http and returns the answer's status
// and body.
func (c *Client) send(ctx context.Context, method, path string, r request) (int, []byte, error) {
	body, contentType, err := r.encode()
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	hc, _ := c.http.(*http.Client)
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}
