package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
)

// resolve is the page the app's router draws for path, as go-app v9 picks
// it: an exact path first, then the patterns in table order.
func resolve(path string) string {
	if slices.Contains(ui.Patterns(), path) {
		return path
	}
	for _, p := range ui.Patterns() {
		if strings.Contains(p, "{") && regexp.MustCompile(ui.PatternRegexp(p)).MatchString(path) {
			return p
		}
	}
	return ""
}

var wildcardSegment = regexp.MustCompile(`\{[a-z]+\}`)

// keyShaped matches an i18n key shown in place of its message.
var keyShaped = regexp.MustCompile(`^[a-z]+(\.[a-zA-Z0-9]+)+`)

// TestOnePageTable: the server renders exactly the pages of the app's table
// (ui.Patterns), the app's router draws each of their paths as that page,
// and each page is served with its own state and a title from the
// catalogue in every language. A page added in one place and not the
// others fails here; its strings are held to both catalogues by the ui and
// i18n tests.
func TestOnePageTable(t *testing.T) {
	e := mustStartServer(t)
	server, app := e.srv.PagePatterns(), ui.Patterns()
	for _, p := range app {
		if !slices.Contains(server, p) {
			t.Errorf("the app has page %s, the server does not render it", p)
		}
	}
	for _, p := range server {
		if !slices.Contains(app, p) {
			t.Errorf("the server renders page %s, the app's table lacks it", p)
		}
	}
	amara := e.signIn(t, "9990000018")
	for _, p := range app {
		path := wildcardSegment.ReplaceAllString(p, "x1")
		if got := resolve(path); got != p {
			t.Errorf("the app draws %s as %q, not %s", path, got, p)
		}
		for _, lang := range []string{"en-GB", "cy"} {
			res, body := amara.get(t, path+"?lang="+lang)
			if res.StatusCode == http.StatusNotFound && strings.Contains(body, `"code":"not_found"`) {
				t.Errorf("%s: answered by the catch-all, not the page's route", path)
				continue
			}
			m := stateScript.FindStringSubmatch(body)
			if m == nil {
				t.Errorf("%s: no page state", path)
				continue
			}
			var st api.PageState
			if err := json.Unmarshal([]byte(m[1]), &st); err != nil || st.Path != path || st.Locale != lang {
				t.Errorf("%s: state for %q in %q (%v)", path, st.Path, st.Locale, err)
			}
			title := regexp.MustCompile(`<title>(.*?)</title>`).FindStringSubmatch(body)
			if title == nil || keyShaped.MatchString(title[1]) {
				t.Errorf("%s in %s: title %v", path, lang, title)
			}
		}
	}
}
