// Command testtimes keeps `make test`'s timings. It has two modes:
//
//	testtimes -out FILE -- [go test flags and packages]
//	    runs `go test -json` with those arguments, prints what plain
//	    `go test` would (an ok line per package; for a failure, the failing
//	    tests' output), records each top-level test's duration and outcome
//	    in FILE and exits with go test's status.
//	testtimes -slowest N FILE...
//	    prints the N slowest tests recorded in the FILEs (lines of
//	    "seconds<TAB>suite<TAB>test<TAB>outcome", as written above and by the browser
//	    suite's reporter, browser/lib/times.mjs).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func main() {
	out := flag.String("out", "", "go test mode: the file to record test durations in")
	slowest := flag.Int("slowest", 0, "report mode: how many of the slowest tests to print")
	flag.Parse()
	var err error
	switch {
	case *slowest > 0:
		err = report(os.Stdout, *slowest, flag.Args())
	case *out != "":
		err = goTest(*out, flag.Args())
	default:
		err = errors.New("usage: testtimes -out FILE -- [go test args] | testtimes -slowest N FILE...")
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testtimes:", err)
		os.Exit(2)
	}
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Elapsed    float64
	Output     string
}

// goTest runs go test -json and turns its events back into plain output.
func goTest(out string, args []string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.Command("go", append([]string{"test", "-json"}, args...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	p := newPrinter(os.Stdout, f)
	p.read(stdout)
	return cmd.Wait()
}

// line is one line of output and the test that wrote it ("" for the package).
type line struct{ test, text string }

type printer struct {
	w, times io.Writer
	lines    map[string][]line          // per package, in order
	failed   map[string]map[string]bool // per package, the failed tests
}

func newPrinter(w, times io.Writer) *printer {
	return &printer{w: w, times: times, lines: map[string][]line{}, failed: map[string]map[string]bool{}}
}

func (p *printer) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Action == "" {
			fmt.Fprintln(p.w, sc.Text()) // not an event: pass it on
			continue
		}
		p.event(e)
	}
}

func (p *printer) event(e event) {
	switch e.Action {
	case "build-output":
		fmt.Fprint(p.w, e.Output)
	case "output":
		p.lines[e.Package] = append(p.lines[e.Package], line{e.Test, e.Output})
	case "fail":
		if e.Test != "" {
			if p.failed[e.Package] == nil {
				p.failed[e.Package] = map[string]bool{}
			}
			p.failed[e.Package][e.Test] = true
			p.record(e)
			return
		}
		p.flush(e.Package, true)
	case "pass", "skip":
		if e.Test != "" {
			p.record(e)
			return
		}
		p.flush(e.Package, false)
	}
}

// record notes a top-level test's duration and outcome ("pass" or
// "fail"), which the hazard log's evidence check reads too.
func (p *printer) record(e event) {
	if !strings.Contains(e.Test, "/") && e.Action != "skip" {
		fmt.Fprintf(p.times, "%.2f\t%s\t%s\t%s\n", e.Elapsed, e.Package, e.Test, e.Action)
	}
}

// flush prints a finished package as plain go test would: its summary line
// and, if it failed, what it and its failed tests wrote.
func (p *printer) flush(pkg string, failed bool) {
	for _, l := range p.lines[pkg] {
		text := l.text
		if strings.HasPrefix(text, "=== ") || text == "PASS\n" {
			continue
		}
		summary := l.test == "" && (strings.HasPrefix(text, "ok  \t") || strings.HasPrefix(text, "FAIL\t") || strings.HasPrefix(text, "?   \t"))
		if summary || (failed && (l.test == "" || p.failed[pkg][l.test]) && !passLine(text)) {
			fmt.Fprint(p.w, text)
		}
	}
	delete(p.lines, pkg)
	delete(p.failed, pkg)
}

// passLine is a test's own "--- PASS" line, which plain go test leaves out.
func passLine(text string) bool {
	t := strings.TrimSpace(text)
	return strings.HasPrefix(t, "--- PASS") || strings.HasPrefix(t, "--- SKIP")
}

// timing is one recorded test.
type timing struct {
	seconds     float64
	suite, name string
}

// report prints the n slowest tests in files.
func report(w io.Writer, n int, files []string) error {
	var all []timing
	for _, name := range files {
		data, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			continue // that suite did not run
		}
		if err != nil {
			return err
		}
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			f := strings.Split(l, "\t")
			if len(f) < 3 {
				continue
			}
			s, err := strconv.ParseFloat(f[0], 64)
			if err != nil {
				return fmt.Errorf("%s: %q: %w", name, l, err)
			}
			all = append(all, timing{s, f[1], f[2]})
		}
	}
	slices.SortStableFunc(all, func(a, b timing) int {
		switch {
		case a.seconds > b.seconds:
			return -1
		case a.seconds < b.seconds:
			return 1
		}
		return 0
	})
	fmt.Fprintf(w, "\nThe %d slowest tests:\n", min(n, len(all)))
	for _, t := range all[:min(n, len(all))] {
		fmt.Fprintf(w, "%8.1fs  %s  %s\n", t.seconds, t.suite, t.name)
	}
	return nil
}
