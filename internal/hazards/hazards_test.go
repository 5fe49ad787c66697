package hazards_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/internal/hazards"
)

const root = "../.."

func load(t *testing.T) *hazards.Log {
	t.Helper()
	l, err := hazards.Load(filepath.Join(root, hazards.JSONPath))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestEveryNamedTestExists(t *testing.T) {
	for _, p := range hazards.Resolve(root, load(t)) {
		t.Error(p)
	}
}

func TestMarkdownIsUpToDate(t *testing.T) {
	got, err := os.ReadFile(filepath.Join(root, hazards.MarkdownPath))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(hazards.Render(load(t))) {
		t.Errorf("%s is out of date: run `go run ./cmd/hazardlog`", hazards.MarkdownPath)
	}
}

// TestTheHazardsAreLogged: the hazards DCB0129 review asked for are all
// in the log, each with a control evidenced by a test.
func TestTheHazardsAreLogged(t *testing.T) {
	l := load(t)
	for _, want := range []string{"Wrong patient", "Urgent symptoms", "bookings", "prescription", "Sensitive information",
		"Stale data", "overwhelmed", "Notifications", "GP system does not answer"} {
		found := false
		for _, h := range l.Hazards {
			found = found || strings.Contains(h.Title, want)
		}
		if !found {
			t.Errorf("no hazard about %q", want)
		}
	}
}

// fixture is a repository with one Go test and one browser test, and a log
// naming them.
func fixture(t *testing.T) (dir string, l *hazards.Log) {
	t.Helper()
	dir = t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pkg/a_test.go", "package pkg\n\nimport \"testing\"\n\nfunc TestMatch(t *testing.T) {}\n\nfunc TestHelperLike(b *testing.B) {}\n")
	write("browser/tests/a.test.mjs", "for (const mode of ['wasm']) {\n  test(`Amara's banner (${mode})`, async () => {});\n}\ntest('Kofi\\'s pause', async () => {});\n")
	write("docs/safety/hazards.json", `{"system": "S", "standard": "DCB0129", "hazards": [{"id": "H1", "title": "t", "cause": "c", "effect": "e", "harm": "h",
		"before": {"severity": "major", "likelihood": "medium"}, "after": {"severity": "major", "likelihood": "low"},
		"controls": [{"id": "H1.1", "control": "c", "tests": [{"go": "pkg", "test": "TestMatch"},
			{"browser": "browser/tests/a.test.mjs", "test": "Amara's banner (${mode})"}, {"browser": "browser/tests/a.test.mjs", "test": "Kofi's pause"}]}]}]}`)
	l, err := hazards.Load(filepath.Join(dir, hazards.JSONPath))
	if err != nil {
		t.Fatal(err)
	}
	return dir, l
}

func TestRenamedTestIsCaught(t *testing.T) {
	dir, l := fixture(t)
	if p := hazards.Resolve(dir, l); len(p) != 0 {
		t.Fatalf("fixture: %v", p)
	}
	rename := func(file, from, to string) {
		p := filepath.Join(dir, file)
		b, _ := os.ReadFile(p)
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), from, to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rename("pkg/a_test.go", "TestMatch", "TestMatches")
	rename("browser/tests/a.test.mjs", "Kofi\\'s pause", "Kofi\\'s access paused")
	p := hazards.Resolve(dir, l)
	if len(p) != 2 || !strings.Contains(p[0], "pkg TestMatch: no such test") || !strings.Contains(p[1], "Kofi's pause: no such test") {
		t.Errorf("renamed tests: %v", p)
	}
	// A benchmark-shaped function of that name is not a test.
	l.Hazards[0].Controls[0].Tests[0].Test = "TestHelperLike"
	if p := hazards.Resolve(dir, l); !strings.Contains(strings.Join(p, "\n"), "TestHelperLike: no such test") {
		t.Errorf("a func taking *testing.B counted as a test: %v", p)
	}
}

func TestControlWithoutTestIsRefused(t *testing.T) {
	dir, _ := fixture(t)
	p := filepath.Join(dir, hazards.JSONPath)
	for name, edit := range map[string][2]string{
		"no tests":            {`"tests": \[[^\]]*\]`, `"tests": []`},
		"off the scale":       {`"likelihood": "low"`, `"likelihood": "rare"`},
		"unknown field":       {`"harm": "h"`, `"harm": "h", "harms": "h"`},
		"residual above":      {`"after": \{"severity": "major", "likelihood": "low"\}`, `"after": {"severity": "catastrophic", "likelihood": "high"}`},
		"go and browser both": {`\{"go": "pkg", "test": "TestMatch"\}`, `{"go": "pkg", "browser": "b", "test": "TestMatch"}`},
	} {
		b, _ := os.ReadFile(p)
		bad := filepath.Join(t.TempDir(), "hazards.json")
		edited := regexp.MustCompile(edit[0]).ReplaceAllLiteralString(string(b), edit[1])
		if edited == string(b) {
			t.Fatalf("%s: the edit changed nothing", name)
		}
		if err := os.WriteFile(bad, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := hazards.Load(bad); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
}

func TestRiskMatrixIsDCB0129s(t *testing.T) {
	for _, c := range []struct {
		sev, lik string
		want     int
	}{
		{"minor", "very_low", 1}, {"catastrophic", "very_high", 5}, {"catastrophic", "very_low", 3},
		{"major", "medium", 3}, {"considerable", "high", 3}, {"significant", "very_high", 4}, {"minor", "high", 2},
		{"sometimes", "high", 0},
	} {
		if got := (hazards.Risk{Severity: c.sev, Likelihood: c.lik}).Rating(); got != c.want {
			t.Errorf("%s/%s: %d, want %d", c.sev, c.lik, got, c.want)
		}
	}
}

func TestPassedNeedsEveryNamedTestToPass(t *testing.T) {
	_, l := fixture(t)
	dir := t.TempDir()
	results := func(lines ...string) []string {
		p := filepath.Join(dir, "r.tsv")
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{p}
	}
	good := []string{"0.10\tm/pkg\tTestMatch\tpass", "1.00\tbrowser/tests/a.test.mjs\tAmara's banner (wasm)\tpass",
		"1.00\tbrowser/tests/a.test.mjs\tAmara's banner (nowasm)\tpass", "0.50\tbrowser/tests/a.test.mjs\tKofi's pause\tpass"}
	if err := hazards.Passed(l, "m", results(good...)); err != nil {
		t.Errorf("all passed: %v", err)
	}
	for name, lines := range map[string][]string{
		"a Go test failed":          {good[0][:len(good[0])-4] + "fail", good[1], good[2], good[3]},
		"one run of a title failed": {good[0], good[1], strings.Replace(good[2], "pass", "fail", 1), good[3]},
		"a test did not run":        {good[0], good[1], good[2]},
	} {
		if err := hazards.Passed(l, "m", results(lines...)); !errors.Is(err, hazards.ErrNotEvidenced) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
