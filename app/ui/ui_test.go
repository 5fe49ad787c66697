package ui

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
	"golang.org/x/net/html"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
)

// keyUse finds message keys used as literals: l.T("key"), l.N("key", …) and
// MessageID: "key", and keys kept as data, key("key").
var keyUse = regexp.MustCompile(`(?:\.T\(|\.N\(|[^.\w]key\(|MessageID:\s*)"([a-zA-Z0-9_.]+)"`)

func TestEveryUsedKeyIsInTheCatalogue(t *testing.T) {
	cat := i18n.MustDefault()
	root := filepath.Join("..", "..")
	used := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(src), -1) {
			used++
			for _, loc := range cat.Locales() {
				if _, ok := cat.Messages(loc)[m[1]]; !ok {
					t.Errorf("%s uses %q, missing from the %s catalogue", p, m[1], loc)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used < 20 {
		t.Fatalf("found only %d key uses: is the scan looking in the right place?", used)
	}
}

func newStore(path string, user *api.User) *Store {
	return &Store{Catalogue: i18n.MustDefault(), State: api.PageState{Locale: "en-GB", Path: path, User: user}}
}

// render renders a page the way the server does and parses the result.
func render(t *testing.T, p Page) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(app.HTMLString(p)))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for _, t := range find(n, func(n *html.Node) bool { return n.Type == html.TextNode }) {
		b.WriteString(t.Data)
	}
	return strings.TrimSpace(b.String())
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == name }
}

func TestEveryPageHasTheShell(t *testing.T) {
	pages := map[string]func(*Store) Page{"not found": NotFound, "server error": ServerError}
	for _, p := range Paths() {
		p := p
		pages[p] = func(s *Store) Page { pg, _ := Lookup(p, s); return pg }
	}
	for name, build := range pages {
		t.Run(name, func(t *testing.T) {
			page := build(newStore("/", nil))
			if page.Title() == "" {
				t.Error("no title")
			}
			doc := render(t, page)
			if h1 := find(doc, tag("h1")); len(h1) != 1 || text(h1[0]) == "" {
				t.Errorf("want exactly one non-empty h1, got %d", len(h1))
			}
			mains := find(doc, tag("main"))
			if len(mains) != 1 || attrOf(mains[0], "id") != "maincontent" {
				t.Fatalf("want one <main id=maincontent>")
			}
			links := find(doc, tag("a"))
			if len(links) == 0 || attrOf(links[0], "href") != "#maincontent" {
				t.Errorf("the first link must be the skip link to #maincontent")
			}
			for _, want := range []string{"header", "footer"} {
				if len(find(doc, tag(want))) != 1 {
					t.Errorf("want one <%s>", want)
				}
			}
			for _, n := range find(doc, tag("nav")) {
				if attrOf(n, "aria-label") == "" {
					t.Error("a <nav> has no aria-label")
				}
			}
			for _, n := range find(doc, func(*html.Node) bool { return true }) {
				if n.Type == html.TextNode && strings.Contains(n.Data, "{{") {
					t.Errorf("unfilled placeholder in %q", n.Data)
				}
			}
		})
	}
}

func TestCurrentNavItemIsMarked(t *testing.T) {
	doc := render(t, newHelpPage(newStore("/help", nil)))
	current := find(doc, func(n *html.Node) bool { return attrOf(n, "aria-current") == "page" })
	if len(current) != 1 || attrOf(current[0], "href") != "/help" {
		t.Fatalf("want exactly the Help link marked aria-current=page, got %d", len(current))
	}
}

func TestHomeGreetsTheSignedInPerson(t *testing.T) {
	doc := render(t, newHomePage(newStore("/", &api.User{Name: "Amara Okafor"})))
	if got := text(find(doc, tag("h1"))[0]); got != "Hello, Amara Okafor" {
		t.Errorf("h1 = %q", got)
	}
	signedOut := render(t, newHomePage(newStore("/", nil)))
	if len(find(signedOut, func(n *html.Node) bool { return attrOf(n, "href") == "/auth/login" })) != 1 {
		t.Error("signed-out home page has no sign-in link")
	}
}

func TestTextIsEscaped(t *testing.T) {
	evil := `<script>alert("x")</script> & "quotes"`
	doc := render(t, newHomePage(newStore("/", &api.User{Name: evil})))
	if len(find(doc, tag("script"))) != 0 {
		t.Fatal("a name became a <script> element")
	}
	if got, want := text(find(doc, tag("h1"))[0]), "Hello, "+evil; got != want {
		t.Errorf("h1 = %q, want %q", got, want)
	}
}

func TestAttrRoundTripsHostileValues(t *testing.T) {
	values := []string{
		`plain`,
		`say "hi" onmouseover="alert(1)"`,
		`back\slash \" and \\`,
		`<tag> & &amp; 'single'`,
		"tab\tnewline\nnbsp\u00a0zwsp\u200b",
		`Welsh: Â â Ŵ ŵ Ŷ ŷ – “quotes”`,
	}
	for _, v := range values {
		out := app.HTMLString(app.Input().Value(attr(v)).Aria("label", attr(v)))
		doc, err := html.Parse(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		inputs := find(doc, tag("input"))
		if len(inputs) != 1 {
			t.Fatalf("%q: rendered %d inputs from %s", v, len(inputs), out)
		}
		if len(inputs[0].Attr) != 2 {
			t.Errorf("%q: injected attributes: %s", v, out)
		}
		if got := attrOf(inputs[0], "value"); got != v {
			t.Errorf("value round trip: got %q, want %q (html %s)", got, v, out)
		}
		if got := attrOf(inputs[0], "aria-label"); got != v {
			t.Errorf("aria-label round trip: got %q, want %q", got, v)
		}
	}
}

// TestTextareaRoundTripsHostileValues: what a person typed comes back as
// the textarea's content, exactly, and never as markup.
func TestTextareaRoundTripsHostileValues(t *testing.T) {
	for _, v := range []string{
		`"></textarea><meta http-equiv="refresh" content="0;url=https://example.com">`,
		`</TEXTAREA ><a href="https://example.com">log in</a>`,
		"has a line break\n\nand paragraphs\n",
		`<tag> & &amp; 'single' "double" \ back`,
		`Welsh: Â â Ŵ ŵ – “quotes”`,
	} {
		out := app.HTMLString(app.Form().Body(textareaOf(v).Name("text"), app.Input().Type("hidden").Name("h").Value(attr(v))))
		doc, err := html.Parse(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		areas := find(doc, tag("textarea"))
		if len(areas) != 1 || len(find(doc, tag("meta"))) != 0 || len(find(doc, tag("a"))) != 0 {
			t.Fatalf("%q injected markup: %s", v, out)
		}
		if got := rawText(areas[0]); got != v {
			t.Errorf("textarea round trip: got %q, want %q (html %s)", got, v, out)
		}
		if _, ok := attrOK(areas[0], "value"); ok {
			t.Errorf("textarea has a value attribute: %s", out)
		}
		if got := attrOf(find(doc, tag("input"))[0], "value"); got != v {
			t.Errorf("hidden input round trip: got %q, want %q", got, v)
		}
	}
}

// rawText is a node's text exactly as parsed.
func rawText(n *html.Node) string {
	var b strings.Builder
	for _, t := range find(n, func(n *html.Node) bool { return n.Type == html.TextNode }) {
		b.WriteString(t.Data)
	}
	return b.String()
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func TestLanguageSwitcher(t *testing.T) {
	st := newStore("/settings", nil)
	st.State.Query = "wasm=false&x=a%22b"
	doc := render(t, newHelpPage(st))
	links := find(doc, func(n *html.Node) bool { return attrOf(n, "hreflang") != "" })
	if len(links) != 1 {
		t.Fatalf("want one language link, got %d", len(links))
	}
	a := links[0]
	hasReload := false
	for _, at := range a.Attr {
		hasReload = hasReload || at.Key == "data-reload"
	}
	if attrOf(a, "lang") != "cy" || text(a) != "Cymraeg" || !hasReload {
		t.Errorf("switcher link %v %q", a.Attr, text(a))
	}
	if got, want := attrOf(a, "href"), "/settings?lang=cy&wasm=false&x=a%22b"; got != want {
		t.Errorf("href %q, want %q", got, want)
	}
	cy := newStore("/", nil)
	cy.State.Locale = "cy"
	doc = render(t, newHomePage(cy))
	links = find(doc, func(n *html.Node) bool { return attrOf(n, "hreflang") != "" })
	if len(links) != 1 || attrOf(links[0], "lang") != "en-GB" || text(links[0]) != "English" {
		t.Errorf("Welsh page's switcher: %v", links)
	}
}

func TestDatesInTheLanguageOfThePage(t *testing.T) {
	cat := i18n.MustDefault()
	ms := time.Date(2026, 7, 3, 13, 5, 0, 0, time.UTC).UnixMilli() // 14:05 BST
	winter := time.Date(2026, 12, 25, 9, 30, 0, 0, time.UTC).UnixMilli()
	if got := formatTime(cat.Localizer("cy"), winter); got != "Dydd Gwener 25 Rhagfyr 2026, 09:30" {
		t.Errorf("winter (GMT): %q", got)
	}
	for _, tt := range []struct{ locale, want string }{
		{"en-GB", "Friday 3 July 2026, 14:05"},
		{"cy", "Dydd Gwener 3 Gorffennaf 2026, 14:05"},
	} {
		if got := formatTime(cat.Localizer(tt.locale), ms); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.locale, got, tt.want)
		}
	}
	for _, k := range append(monthKeys[:], weekdayKeys[:]...) {
		for _, loc := range cat.Locales() {
			if _, ok := cat.Messages(loc)[k]; !ok {
				t.Errorf("%s lacks %s", loc, k)
			}
		}
	}
}

func TestEveryPageInWelsh(t *testing.T) {
	for _, p := range Paths() {
		st := newStore(p, &api.User{Name: "Rhys Evans", ProofingLevel: "P9"})
		st.State.Locale = "cy"
		pg, _ := Lookup(p, st)
		doc := render(t, pg)
		if got := text(find(doc, tag("h1"))[0]); got == "" {
			t.Errorf("%s: empty h1 in Welsh", p)
		}
		en := newStore(p, &api.User{Name: "Rhys Evans", ProofingLevel: "P9"})
		enPage, _ := Lookup(p, en)
		if text(find(render(t, enPage), tag("main"))[0]) == text(find(doc, tag("main"))[0]) {
			t.Errorf("%s: the Welsh page's content is the English page's", p)
		}
	}
}

func TestDocumentTitle(t *testing.T) {
	tests := []struct{ service, page, want string }{
		{"Companion", "Help", "Help – Companion – NHS"},
		{"Companion", "Companion", "Companion – NHS"},
		{"Companion", "", "Companion – NHS"},
	}
	for _, tt := range tests {
		if got := DocumentTitle(tt.service, tt.page); got != tt.want {
			t.Errorf("DocumentTitle(%q, %q) = %q, want %q", tt.service, tt.page, got, tt.want)
		}
	}
}
