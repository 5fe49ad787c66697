package hazards

import (
	"fmt"
	"strings"
)

// Render writes the log as Markdown (docs/safety/hazard-log.md).
func Render(l *Log) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# %s hazard log (%s)\n\n", l.System, l.Standard)
	w("<!-- Generated from hazards.json by `go run ./cmd/hazardlog`: edit that file, not this one. -->\n\n")
	w("Each hazard has its cause, effect and harm, its risk before and after the controls on the %s risk matrix, ", l.Standard)
	w("and the automated tests that evidence each control. `go test ./internal/hazards` fails when a named test does not exist ")
	w("or a control has none; `make test` ends by checking that every named test ran and passed. ")
	w("The clinical safety case is [safety-case.md](safety-case.md).\n\n")
	w("## Summary\n\n| Hazard | Initial risk | Residual risk |\n| --- | --- | --- |\n")
	for _, h := range l.Hazards {
		w("| [%s](#%s) %s | %s | %s |\n", h.ID, strings.ToLower(h.ID), h.Title, riskText(h.Before), riskText(h.After))
	}
	w("\n## Risk matrix\n\nRating by likelihood (rows) and severity (columns): 1 acceptable, 2 acceptable where further reduction costs more than it gains, 3 undesirable, 4 and 5 unacceptable.\n\n")
	w("| Likelihood |")
	for _, s := range Severities {
		w(" %s |", words(s))
	}
	w("\n| --- |%s\n", strings.Repeat(" --- |", len(Severities)))
	for i := len(Likelihoods) - 1; i >= 0; i-- {
		w("| %s |", words(Likelihoods[i]))
		for j := range Severities {
			w(" %d |", riskMatrix[i][j])
		}
		w("\n")
	}
	for _, h := range l.Hazards {
		w("\n## %s\n\n### %s\n\n", h.ID, h.Title)
		w("- **Cause:** %s\n- **Effect:** %s\n- **Harm:** %s\n", h.Cause, h.Effect, h.Harm)
		w("- **Initial risk:** %s\n- **Residual risk:** %s\n\n", riskText(h.Before), riskText(h.After))
		w("| Control | Evidence (automated tests) |\n| --- | --- |\n")
		for _, c := range h.Controls {
			var tests []string
			for _, t := range c.Tests {
				tests = append(tests, "`"+strings.ReplaceAll(t.String(), "|", "\\|")+"`")
			}
			w("| **%s** %s | %s |\n", c.ID, strings.ReplaceAll(c.Control, "|", "\\|"), strings.Join(tests, "<br>"))
		}
	}
	return []byte(b.String())
}

func riskText(r Risk) string {
	return fmt.Sprintf("%s severity, %s likelihood: **%d** (%s)", words(r.Severity), strings.ReplaceAll(r.Likelihood, "_", " "), r.Rating(), riskMeaning[r.Rating()])
}

func words(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}
