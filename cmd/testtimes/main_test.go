package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrinterShowsWhatPlainGoTestShows runs a real go test -json on a sample
// module with a passing and a failing test.
func TestPrinterShowsWhatPlainGoTestShows(t *testing.T) {
	cmd := exec.Command("go", "test", "-json", "-count=1", ".")
	cmd.Dir = filepath.Join("testdata", "sample")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	events, err := cmd.Output()
	if err == nil {
		t.Fatal("the sample's failing test passed")
	}
	var out, times bytes.Buffer
	newPrinter(&out, &times).read(bytes.NewReader(events))
	got := out.String()
	for _, want := range []string{"--- FAIL: TestFails", "--- FAIL: TestFails/inner", "inner went wrong", "FAIL\tsample\t"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"=== RUN", "not shown", "--- PASS"} {
		if strings.Contains(got, not) {
			t.Errorf("output has %q, which plain go test leaves out:\n%s", not, got)
		}
	}
	rec := times.String()
	if !strings.Contains(rec, "\tsample\tTestPasses\tpass\n") || !strings.Contains(rec, "\tsample\tTestFails\tfail\n") || strings.Contains(rec, "inner") {
		t.Errorf("recorded times: want both top-level tests and no subtests, got\n%s", rec)
	}
}

func TestReportPrintsTheSlowestFirst(t *testing.T) {
	dir := t.TempDir()
	goTimes := filepath.Join(dir, "go.tsv")
	browser := filepath.Join(dir, "browser.tsv")
	os.WriteFile(goTimes, []byte("1.50\tpkg/a\tTestA\tpass\n9.00\tpkg/b\tTestB\tfail\n"), 0o644)
	os.WriteFile(browser, []byte("4.25\tbrowser/pages.test.mjs\tevery page\n"), 0o644)
	var out bytes.Buffer
	if err := report(&out, 2, []string{goTimes, browser, filepath.Join(dir, "absent.tsv")}); err != nil {
		t.Fatal(err)
	}
	want := "\nThe 2 slowest tests:\n     9.0s  pkg/b  TestB\n     4.2s  browser/pages.test.mjs  every page\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
	os.WriteFile(browser, []byte("soon\tx\ty\n"), 0o644)
	if err := report(&out, 2, []string{browser}); err == nil {
		t.Error("a malformed duration was accepted")
	}
}
