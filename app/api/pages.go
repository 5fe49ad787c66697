package api

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
)

// PagesPrefix is where the app asks for a page's data: GET (or, for a
// form, POST) PagesPrefix + the page's path and query answers the
// PageAnswer the server page at that path would have been rendered from,
// through the same handler, authorisation and audit.
const PagesPrefix = "/api/v1/pages"

// PageAnswer is what /api/v1/pages answers for a page: the state the page
// is drawn from, or, where the server page would have redirected (after a
// form, or to sign in), where to.
type PageAnswer struct {
	State *PageState `json:"state,omitempty"`
	// Redirect is the path and query (or, leaving Companion, the full
	// URL) the page sends the browser to.
	Redirect string `json:"redirect,omitempty"`
}

// Page fetches the state of the page at target (a path with its query):
// method is GET, or POST with form (the form's fields, URL-encoded) and
// key, the form's Idempotency-Key, so a retried submission is answered
// once. An error page or a refused form is a page too, answered without
// error whatever its status; any answer that is not a PageAnswer is a
// *StatusError.
func (c *Client) Page(ctx context.Context, method, target string, form url.Values, key string) (PageAnswer, error) {
	var r request
	if method == "POST" {
		r.form = form.Encode()
		if key != "" {
			r.headers = map[string]string{"Idempotency-Key": key}
		}
	}
	status, body, err := c.send(ctx, method, PagesPrefix+target, r)
	if err != nil {
		return PageAnswer{}, err
	}
	// An error page or a refused form is a page too, whatever its status.
	var out PageAnswer
	if err := json.Unmarshal(body, &out); err != nil || (out.State == nil && out.Redirect == "") {
		return PageAnswer{}, decode(status, body, nil)
	}
	return out, nil
}

// SplitTarget is target's path and its query without lang, as PageState
// holds them.
func SplitTarget(target string) (path, query string) {
	path, raw, _ := strings.Cut(target, "?")
	q, _ := url.ParseQuery(raw)
	q.Del("lang")
	return path, q.Encode()
}
