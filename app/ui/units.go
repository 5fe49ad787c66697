package ui

import "strings"

// unitText is how people read the UCUM units GP systems send results in:
// "10*9/L" is ×10⁹/L, "umol/L" is µmol/L, "mL/min/{1.73_m2}" is
// mL/min/1.73m². Every unit in the sandbox's records is in the table (a
// test in its castdata says so); a unit from a GP system that is not is
// written out by the same rules, near enough for people to read.
var unitText = map[string]string{
	"10*9/L":           "×10⁹/L",
	"10*12/L":          "×10¹²/L",
	"10*6/L":           "×10⁶/L",
	"L/L":              "L/L",
	"fL":               "fL",
	"pg":               "pg",
	"g/L":              "g/L",
	"g/dL":             "g/dL",
	"mg/L":             "mg/L",
	"ug/L":             "µg/L",
	"ng/L":             "ng/L",
	"ng/mL":            "ng/mL",
	"mL/min/{1.73_m2}": "mL/min/1.73m²",
	"mU/L":             "mU/L",
	"U/L":              "U/L",
	"[IU]/L":           "IU/L",
	"mg/mmol":          "mg/mmol",
	"mmol/L":           "mmol/L",
	"mmol/mol":         "mmol/mol",
	"pmol/L":           "pmol/L",
	"nmol/L":           "nmol/L",
	"umol/L":           "µmol/L",
	"%":                "%",
	"mm/h":             "mm/h",
	"mm[Hg]":           "mmHg",
	"Cel":              "°C",
	"/min":             "/min",
	"kg":               "kg",
	"L/min":            "L/min",
	"s":                "seconds",
	"{ratio}":          "",
	"1":                "",
}

var superscript = strings.NewReplacer("0", "⁰", "1", "¹", "2", "²", "3", "³", "4", "⁴", "5", "⁵", "6", "⁶", "7", "⁷", "8", "⁸", "9", "⁹", "-", "⁻")

// UnitText is the unit a person reads for the UCUM unit ucum, and whether
// it is one the table knows.
func UnitText(ucum string) (string, bool) {
	if t, ok := unitText[ucum]; ok {
		return t, true
	}
	return unitRules(ucum), false
}

// unitRules writes out a unit the table lacks: 10*n as ×10ⁿ, a leading u
// (micro) as µ, annotations in braces without their braces, _ as a space.
func unitRules(ucum string) string {
	out := ucum
	if rest, ok := strings.CutPrefix(out, "10*"); ok {
		n := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '-' })
		if n < 0 {
			n = len(rest)
		}
		out = "×10" + superscript.Replace(rest[:n]) + rest[n:]
	}
	parts := strings.Split(out, "/")
	for i, p := range parts {
		if len(p) > 1 && p[0] == 'u' && strings.ContainsAny(p[1:2], "gLmlMs") {
			parts[i] = "µ" + p[1:]
		}
	}
	out = strings.Join(parts, "/")
	out = strings.NewReplacer("{", "", "}", "", "_", " ", "[", "", "]", "").Replace(out)
	return out
}

// withUnit is a value and its unit as people read them.
func withUnit(value, ucum string) string {
	u, _ := UnitText(ucum)
	if u == "" {
		return value
	}
	if u == "%" {
		return value + "%"
	}
	return value + " " + u
}
