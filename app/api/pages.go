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
	r := request{headers: map[string]string{}}
	if method == "POST" {
		r.form = form.Encode()
		if key != "" {
			r.headers["Idempotency-Key"] = key
		}
	}
	var out PageAnswer
	err := c.do(ctx, method, PagesPrefix+target, r, rawAnswer{&out})
	return out, err
}

// rawAnswer decodes a page's answer whatever its status: an error page is
// a page too.
type rawAnswer struct{ out *PageAnswer }

// decodePage decodes a /api/v1/pages answer with any status, or reports
// the status as an error when the body is not a page's answer.
func decodePage(status int, body []byte, out *PageAnswer) error {
	if err := json.Unmarshal(body, out); err != nil || (out.State == nil && out.Redirect == "") {
		*out = PageAnswer{}
		return decode(status, body, nil)
	}
	return nil
}

// SplitTarget is target's path and its query without lang, as PageState
// holds them.
func SplitTarget(target string) (path, query string) {
	path, raw, _ := strings.Cut(target, "?")
	q, _ := url.ParseQuery(raw)
	q.Del("lang")
	return path, q.Encode()
}
