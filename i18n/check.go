//go:build !js

package i18n

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var placeholder = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

// Check compares every catalogue with the default one and reports each key
// missing from a catalogue, each key only a translation has, and each message
// whose placeholders differ from the default's. An empty result means the
// catalogues agree.
func Check(c *Catalogue) []string {
	var problems []string
	base := c.messages[DefaultLocale]
	locales := make([]string, 0, len(c.messages))
	for l := range c.messages {
		locales = append(locales, l)
	}
	sort.Strings(locales)
	for _, locale := range locales {
		msgs := c.messages[locale]
		for _, key := range sortedKeys(base) {
			want := base[key]
			got, ok := msgs[key]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: missing %q", locale, key))
				continue
			}
			wantPH := placeholders(want)
			for form, text := range got.Forms {
				if ph := placeholdersOf(text); ph != wantPH {
					problems = append(problems, fmt.Sprintf("%s: %q (%s) has placeholders [%s], %s has [%s]", locale, key, form, ph, DefaultLocale, wantPH))
				}
			}
			if strings.TrimSpace(got.Text()) == "" {
				problems = append(problems, fmt.Sprintf("%s: %q has no \"other\" form", locale, key))
			}
			if len(want.Forms) > 1 {
				rules := locale
				if from, ok := c.pseudo[locale]; ok {
					rules = from
				}
				for _, cat := range Categories(rules) {
					if strings.TrimSpace(got.Forms[cat]) == "" {
						problems = append(problems, fmt.Sprintf("%s: %q lacks the plural form %q", locale, key, cat))
					}
				}
			}
		}
		for _, key := range sortedKeys(msgs) {
			if _, ok := base[key]; !ok {
				problems = append(problems, fmt.Sprintf("%s: %q is not in %s", locale, key, DefaultLocale))
			}
		}
	}
	return problems
}

// placeholders is the set of placeholders a message uses in any of its forms,
// except Count, which a plural form may leave out ("one appointment").
func placeholders(e Entry) string {
	return placeholdersOf(e.Text())
}

func placeholdersOf(s string) string {
	set := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if m[1] != "Count" {
			set[m[1]] = true
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func sortedKeys(m map[string]Entry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
