package hazards

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Passed checks, from the results `make test` recorded (lines of
// "seconds<TAB>suite<TAB>test<TAB>status", by cmd/testtimes for Go, whose
// suite is the package's import path under module, and by
// browser/lib/times.mjs, whose suite is the file), that every test the log
// names ran and passed: a browser title with ${…} in it passes when every
// run of it passed. It returns an error naming each test that did not.
func Passed(l *Log, module string, files []string) error {
	type result struct{ passed, failed int }
	results := map[string]map[string]*result{} // suite → test → result
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		for line := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
			f := strings.Split(line, "\t")
			if len(f) != 4 {
				continue
			}
			if results[f[1]] == nil {
				results[f[1]] = map[string]*result{}
			}
			r := results[f[1]][f[2]]
			if r == nil {
				r = &result{}
				results[f[1]][f[2]] = r
			}
			if f[3] == "pass" {
				r.passed++
			} else {
				r.failed++
			}
		}
	}
	var missing []string
	for _, t := range l.Tests() {
		var passed, failed int
		if t.Go != "" {
			if r := results[module+"/"+t.Go][t.Test]; r != nil {
				passed, failed = r.passed, r.failed
			}
		} else {
			re := t.pattern()
			for name, r := range results[t.Browser] {
				if re.MatchString(name) {
					passed, failed = passed+r.passed, failed+r.failed
				}
			}
		}
		switch {
		case failed > 0:
			missing = append(missing, fmt.Sprintf("%s: failed", t))
		case passed == 0:
			missing = append(missing, fmt.Sprintf("%s: did not run (or was skipped)", t))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w:\n  %s", ErrNotEvidenced, strings.Join(missing, "\n  "))
	}
	return nil
}

// Module reads the module path from go.mod at root.
func Module(root string) (string, error) {
	data, err := os.ReadFile(root + "/go.mod")
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.TrimSpace(m), nil
		}
	}
	return "", errors.New("go.mod names no module")
}
