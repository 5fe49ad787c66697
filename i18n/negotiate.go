//go:build !js

package i18n

import (
	"fmt"

	"golang.org/x/text/language"
)

// canonical is a catalogue's locale as BCP 47 writes it; a file named
// otherwise is refused.
func canonical(locale string) (string, error) {
	tag, err := language.Parse(locale)
	if err != nil {
		return "", err
	}
	if tag.String() != locale {
		return "", fmt.Errorf("name the catalogue %s.json", tag)
	}
	return locale, nil
}

// negotiator matches Accept-Language against the catalogues (the server's
// part: the browser app is always told its language by the server).
type negotiator struct {
	tags    []language.Tag
	matcher language.Matcher
}

func newNegotiator(locales []string) negotiator {
	n := negotiator{}
	for _, l := range locales {
		n.tags = append(n.tags, language.MustParse(l))
	}
	n.matcher = language.NewMatcher(n.tags)
	return n
}

func (n negotiator) negotiate(c *Catalogue, choice, acceptLanguage string) string {
	if choice != "" {
		if t, err := language.Parse(choice); err == nil && c.Supported(t.String()) {
			return t.String()
		}
	}
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return DefaultLocale
	}
	_, idx, conf := n.matcher.Match(prefs...)
	if conf == language.No {
		return DefaultLocale
	}
	return n.tags[idx].String()
}
