// Package i18n holds Companion's message catalogues and the lookup used by both
// the server and the WebAssembly app. Every string a person reads comes from here.
//
// It must not import any server-only package (server, auth, go-redis, …): it is
// linked into app.wasm.
package i18n

import (
	_ "embed" // the catalogues
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

// DefaultLocale is the language used when nothing better matches.
const DefaultLocale = "en-GB"

// CookieName is the cookie that remembers a person's chosen language.
const CookieName = "lang"

// Catalogue is the set of loaded message catalogues.
//
// Lookup is our own rather than go-i18n's: go-i18n fills placeholders by
// executing text/template, and a reachable template execution makes the Go
// linker keep every exported method of every type (reflect MethodByName),
// which took app.wasm from 8.1 MB to 12.1 MB. Placeholders here are plain
// {{.Name}} substitutions and plural forms are CLDR's rules, written out
// (plural.go).
type Catalogue struct {
	offered    []string // default first, then the others offered to people
	negotiator negotiator
	// messages holds the raw catalogue per locale, for checks and for
	// telling a missing key from a translated one.
	messages map[string]map[string]Entry
	rtl      map[string]bool
	names    map[string]string
	// pseudo maps a pseudo-locale to the catalogue it copies, whose plural
	// rules it follows too.
	pseudo map[string]string
}

// Name is a locale's name in its own language ("Cymraeg"), for the switcher.
func (c *Catalogue) Name(locale string) string { return c.names[locale] }

// Entry is one message in a catalogue: a plain string (Other) or plural forms.
type Entry struct {
	Forms map[string]string // CLDR category ("one", "other", …) → text
}

// Text returns the form used for a message without plurals.
func (e Entry) Text() string { return e.Forms["other"] }

// Load reads every catalogue from fsys (files named <bcp47>.json). The default
// locale is always first in the negotiation list.
func Load(fsys fs.FS) (*Catalogue, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	byLocale := map[string][]byte{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		byLocale[strings.TrimSuffix(path.Base(f), ".json")] = b
	}
	return load(byLocale)
}

// load builds the catalogue from each locale's JSON.
func load(byLocale map[string][]byte) (*Catalogue, error) {
	c := &Catalogue{
		messages: map[string]map[string]Entry{},
		rtl:      map[string]bool{},
		names:    map[string]string{},
		pseudo:   map[string]string{},
	}
	files := make([]string, 0, len(byLocale))
	for name := range byLocale {
		files = append(files, name)
	}
	sort.Strings(files)
	var others []string
	pseudo := map[string]string{}
	for _, f := range files {
		b := byLocale[f]
		locale, err := canonical(f)
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", f, err)
		}
		entries, meta, err := parseCatalogue(b)
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", f, err)
		}
		c.messages[locale] = entries
		c.rtl[locale] = meta.Dir == "rtl"
		c.names[locale] = meta.Name
		for _, k := range meta.Review {
			if _, ok := entries[k]; !ok {
				return nil, fmt.Errorf("catalogue %s marks %q for review, but has no such message", f, k)
			}
		}
		if meta.Pseudo != "" {
			pseudo[locale] = meta.Pseudo
		}
		if locale == DefaultLocale {
			continue
		}
		if !meta.Hidden {
			others = append(others, locale)
		}
	}
	if _, ok := c.messages[DefaultLocale]; !ok {
		return nil, fmt.Errorf("no %s catalogue", DefaultLocale)
	}
	c.pseudo = pseudo
	for locale, from := range pseudo {
		src, ok := c.messages[from]
		if !ok {
			return nil, fmt.Errorf("catalogue %s copies %s, which does not exist", locale, from)
		}
		for k, e := range src {
			if _, own := c.messages[locale][k]; !own {
				c.messages[locale][k] = e
			}
		}
	}
	for locale := range c.messages {
		rules := locale
		if from, ok := pseudo[locale]; ok {
			rules = from
		}
		if _, ok := pluralRules[baseLanguage(rules)]; !ok {
			return nil, fmt.Errorf("catalogue %s: Companion has no plural rules for its language", locale)
		}
	}
	c.offered = append([]string{DefaultLocale}, others...)
	c.negotiator = newNegotiator(c.offered)
	return c, nil
}

// The catalogues built into the binary, each a string of its own (an
// embed.FS would bring io/fs and path into app.wasm). TestEveryCatalogueIsBuiltIn
// keeps the list and the directory the same.
var (
	//go:embed catalogue/en-GB.json
	catalogueEnGB []byte
	//go:embed catalogue/cy.json
	catalogueCy []byte
	//go:embed catalogue/ar-XB.json
	catalogueArXB []byte
)

func builtIn() map[string][]byte {
	return map[string][]byte{"en-GB": catalogueEnGB, "cy": catalogueCy, "ar-XB": catalogueArXB}
}

// MustDefault loads the catalogues built into the binary. They are checked by
// tests, so a failure here is a programming error.
func MustDefault() *Catalogue {
	c, err := load(builtIn())
	if err != nil {
		panic(err)
	}
	return c
}

// Locales lists the locales offered to people, default first.
func (c *Catalogue) Locales() []string { return slices.Clone(c.offered) }

// Supported reports whether locale has a catalogue (including test-only ones).
func (c *Catalogue) Supported(locale string) bool {
	_, ok := c.messages[locale]
	return ok
}

// Negotiate picks the locale for a request: an explicit choice (cookie or
// setting) if it names a catalogue, else the best Accept-Language match.
func (c *Catalogue) Negotiate(choice, acceptLanguage string) string {
	return c.negotiator.negotiate(c, choice, acceptLanguage)
}

// Localizer returns the lookup for one locale. Unknown locales fall back to the
// default.
func (c *Catalogue) Localizer(locale string) *Localizer {
	if !c.Supported(locale) {
		locale = DefaultLocale
	}
	rules := locale
	if from, ok := c.pseudo[locale]; ok {
		rules = from
	}
	return &Localizer{
		locale:   locale,
		rules:    rules,
		msgs:     c.messages[locale],
		fallback: c.messages[DefaultLocale],
		rtl:      c.rtl[locale],
	}
}

// Messages returns a copy of the raw catalogue for locale, for checks.
func (c *Catalogue) Messages(locale string) map[string]Entry {
	out := make(map[string]Entry, len(c.messages[locale]))
	for k, v := range c.messages[locale] {
		out[k] = v
	}
	return out
}

// Localizer looks up messages in one locale.
type Localizer struct {
	locale   string
	rules    string // the locale whose plural rules apply
	msgs     map[string]Entry
	fallback map[string]Entry
	rtl      bool
}

// Locale is the BCP 47 tag of this localizer, for the lang attribute.
func (l *Localizer) Locale() string { return l.locale }

// Dir is the text direction, "ltr" or "rtl", for the dir attribute.
func (l *Localizer) Dir() string {
	if l.rtl {
		return "rtl"
	}
	return "ltr"
}

// T returns the message id filled with data (key/value pairs). A key missing
// from this locale falls back to the default locale; a key missing from both
// returns the id itself so the gap is visible. Tests keep both from happening.
func (l *Localizer) T(id string, kv ...any) string {
	e, ok := l.lookup(id)
	if !ok {
		return id
	}
	return fill(e.Text(), kv, nil)
}

// N returns the CLDR plural form of message id for count n, with {{.Count}}
// set to n.
func (l *Localizer) N(id string, n int, kv ...any) string {
	e, ok := l.lookup(id)
	if !ok {
		return id
	}
	text := e.Forms[PluralCategory(l.rules, n)]
	if text == "" {
		text = e.Text()
	}
	return fill(text, kv, n)
}

func (l *Localizer) lookup(id string) (Entry, bool) {
	if e, ok := l.msgs[id]; ok {
		return e, true
	}
	e, ok := l.fallback[id]
	return e, ok
}

// fill replaces each {{.Name}} in s with the value given for Name (and
// {{.Count}} with count, when not nil). Unknown names are left in place.
func fill(s string, kv []any, count any) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name := strings.TrimPrefix(strings.TrimSpace(s[i+2:i+j]), ".")
		if v, ok := value(name, kv, count); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+j+2])
		}
		s = s[i+j+2:]
	}
}

func value(name string, kv []any, count any) (string, bool) {
	if name == "Count" && count != nil {
		return fmt.Sprint(count), true
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, _ := kv[i].(string); k == name {
			return fmt.Sprint(kv[i+1]), true
		}
	}
	return "", false
}

// meta is the optional "@meta" object at the top of a catalogue file.
type meta struct {
	Dir    string `json:"dir"`    // "rtl" for right-to-left scripts
	Hidden bool   `json:"hidden"` // a test locale: chosen explicitly, never negotiated
	Name   string `json:"name"`   // the language's own name, for the switcher
	// Pseudo names a catalogue whose messages this one copies: a test
	// locale (right-to-left layout) that needs no translation.
	Pseudo string `json:"pseudo"`
	// Review lists messages a translator should check: better marked than
	// left in English.
	Review []string `json:"review"`
}

func parseCatalogue(b []byte) (map[string]Entry, meta, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, meta{}, err
	}
	var m meta
	out := map[string]Entry{}
	for k, v := range raw {
		if k == "@meta" {
			if err := json.Unmarshal(v, &m); err != nil {
				return nil, meta{}, fmt.Errorf("@meta: %w", err)
			}
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = Entry{Forms: map[string]string{"other": s}}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return nil, meta{}, fmt.Errorf("message %q: want a string or plural forms", k)
		}
		delete(forms, "description")
		out[k] = Entry{Forms: forms}
	}
	return out, m, nil
}
