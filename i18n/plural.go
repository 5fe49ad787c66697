package i18n

import "strings"

// pluralRules are CLDR's cardinal plural rules for whole numbers, written
// out for the languages Companion has catalogues in: x/text's tables would
// cost the WebAssembly app about 170 KB of code and more of data for these
// few lines. TestPluralRulesAreCLDRs compares them with CLDR (x/text) for
// every number up to 10,000; a catalogue in a language missing here fails
// to load.
var pluralRules = map[string]func(n int) string{
	"en": func(n int) string {
		if n == 1 {
			return "one"
		}
		return "other"
	},
	// French, the tests' third language, as x/text's CLDR has it.
	"fr": func(n int) string {
		if n == 0 || n == 1 {
			return "one"
		}
		return "other"
	},
	"cy": func(n int) string {
		switch n {
		case 0:
			return "zero"
		case 1:
			return "one"
		case 2:
			return "two"
		case 3:
			return "few"
		case 6:
			return "many"
		}
		return "other"
	},
}

// baseLanguage is the language subtag of a BCP 47 tag ("cy" of "cy-GB").
func baseLanguage(locale string) string {
	lang, _, _ := strings.Cut(locale, "-")
	return strings.ToLower(lang)
}

// PluralCategory is the CLDR cardinal plural category ("zero", "one", "two",
// "few", "many" or "other") of the whole number n in locale's language.
func PluralCategory(locale string, n int) string {
	if n < 0 {
		n = -n
	}
	if rule, ok := pluralRules[baseLanguage(locale)]; ok {
		return rule(n)
	}
	return "other"
}

// Categories lists the CLDR cardinal plural categories whole numbers take in
// a language, in CLDR order. (Companion counts whole things only.)
func Categories(locale string) []string {
	seen := map[string]bool{}
	for n := 0; n <= 1000; n++ {
		seen[PluralCategory(locale, n)] = true
	}
	var out []string
	for _, c := range []string{"zero", "one", "two", "few", "many", "other"} {
		if seen[c] {
			out = append(out, c)
		}
	}
	return out
}
