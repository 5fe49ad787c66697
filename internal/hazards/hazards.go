// Package hazards is Companion's clinical hazard log (DCB0129): the
// structured log in docs/safety/hazards.json, its rendering to
// docs/safety/hazard-log.md, and the checks that tie every control to
// automated tests by name: each named test must exist (Resolve) and, after
// `make test`, must have passed (Passed).
package hazards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
)

// The DCB0129 scales, least first.
var (
	Severities  = []string{"minor", "significant", "considerable", "major", "catastrophic"}
	Likelihoods = []string{"very_low", "low", "medium", "high", "very_high"}
	riskMatrix  = [5][5]int{ // [likelihood][severity]
		{1, 1, 2, 2, 3},
		{1, 2, 2, 3, 4},
		{2, 2, 3, 3, 4},
		{2, 3, 3, 4, 5},
		{3, 4, 4, 5, 5},
	}
	riskMeaning = map[int]string{
		1: "acceptable",
		2: "acceptable where further reduction costs more than it gains",
		3: "undesirable: accepted only if further reduction is impractical",
		4: "unacceptable",
		5: "unacceptable",
	}
)

// Risk is a severity and a likelihood.
type Risk struct {
	Severity   string `json:"severity"`
	Likelihood string `json:"likelihood"`
}

// Rating is the DCB0129 risk rating (1 to 5), 0 for values off the scales.
func (r Risk) Rating() int {
	s, l := slices.Index(Severities, r.Severity), slices.Index(Likelihoods, r.Likelihood)
	if s < 0 || l < 0 {
		return 0
	}
	return riskMatrix[l][s]
}

// Test names one automated test: a Go test function (Go is the package's
// directory from the repository root) or a browser test (Browser is its
// file from the root; Test is its title as written, ${…} included).
type Test struct {
	Go      string `json:"go,omitempty"`
	Browser string `json:"browser,omitempty"`
	Test    string `json:"test"`
}

func (t Test) String() string {
	if t.Go != "" {
		return t.Go + " " + t.Test
	}
	return t.Browser + ": " + t.Test
}

// Control is one thing that reduces a hazard's risk, and its evidence.
type Control struct {
	ID      string `json:"id"`
	Control string `json:"control"`
	Tests   []Test `json:"tests"`
}

// Hazard is one entry of the log.
type Hazard struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Cause    string    `json:"cause"`
	Effect   string    `json:"effect"`
	Harm     string    `json:"harm"`
	Before   Risk      `json:"before"`
	After    Risk      `json:"after"`
	Controls []Control `json:"controls"`
}

// Log is the hazard log.
type Log struct {
	System   string   `json:"system"`
	Standard string   `json:"standard"`
	Hazards  []Hazard `json:"hazards"`
}

// Load reads and checks a log: every field filled, risks on the scales,
// residual risk no higher than the initial, every control with a test.
func Load(path string) (*Log, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var l Log
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if problems := l.check(); len(problems) > 0 {
		return nil, fmt.Errorf("%s:\n  %s", path, strings.Join(problems, "\n  "))
	}
	return &l, nil
}

func (l *Log) check() []string {
	var p []string
	ids := map[string]bool{}
	for _, h := range l.Hazards {
		if h.ID == "" || h.Title == "" || h.Cause == "" || h.Effect == "" || h.Harm == "" {
			p = append(p, fmt.Sprintf("hazard %q: id, title, cause, effect and harm are all needed", h.ID))
		}
		for _, r := range []Risk{h.Before, h.After} {
			if r.Rating() == 0 {
				p = append(p, fmt.Sprintf("%s: risk %+v is not on the DCB0129 scales", h.ID, r))
			}
		}
		if h.After.Rating() > h.Before.Rating() {
			p = append(p, fmt.Sprintf("%s: residual risk above the initial risk", h.ID))
		}
		if len(h.Controls) == 0 {
			p = append(p, h.ID+": no controls")
		}
		for _, c := range h.Controls {
			if ids[c.ID] || c.ID == "" || c.Control == "" {
				p = append(p, fmt.Sprintf("%s: control %q needs a unique id and a description", h.ID, c.ID))
			}
			ids[c.ID] = true
			if len(c.Tests) == 0 {
				p = append(p, fmt.Sprintf("%s: control %s has no test", h.ID, c.ID))
			}
			for _, t := range c.Tests {
				if t.Test == "" || (t.Go == "") == (t.Browser == "") {
					p = append(p, fmt.Sprintf("%s: test %+v must name a test and one of go or browser", c.ID, t))
				}
			}
		}
	}
	return p
}

// Tests lists every test the log names, once each, in the log's order.
func (l *Log) Tests() []Test {
	var out []Test
	for _, h := range l.Hazards {
		for _, c := range h.Controls {
			for _, t := range c.Tests {
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// pattern matches a browser test's recorded name against its title as
// written: each ${…} stands for some text.
func (t Test) pattern() *regexp.Regexp {
	parts := regexp.MustCompile(`\$\{[^}]*\}`).Split(t.Test, -1)
	for i, s := range parts {
		parts[i] = regexp.QuoteMeta(s)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".+") + "$")
}

// ErrNotEvidenced is wrapped by Passed's error.
var ErrNotEvidenced = errors.New("hazard log: tests not evidenced")

// Where the log lives, from the repository root.
const (
	JSONPath     = "docs/safety/hazards.json"
	MarkdownPath = "docs/safety/hazard-log.md"
)
