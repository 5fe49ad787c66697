// Package nodefixture runs a test fixture written for Node.js: a real
// implementation from npm (the OpenID Provider, the FHIR server) wrapped in
// a small script that prints "READY <address>" once it listens. It installs
// the fixture's npm packages on first use (`npm ci`, under a file lock so
// test binaries of several packages do not install over one another),
// starts the script as a child process and stops it when the test ends.
//
// It is a test helper: only test helpers and _test.go files may import it.
// It imports nothing from Companion.
package nodefixture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Spec describes a fixture.
type Spec struct {
	// Name prefixes messages, e.g. "oidctest".
	Name string
	// Dir is the fixture's directory, relative to the module root: it holds
	// package.json, package-lock.json and Script.
	Dir string
	// Script is the file node runs.
	Script string
	// Package is the npm package whose installed version must be the one
	// package.json names for the install to count as done.
	Package string
	// Env is added to the test's environment. The script must exit when
	// its stdin closes, so it never outlives the test binary.
	Env []string
	// Timeout bounds how long the script may take to print READY (20 s
	// when zero).
	Timeout time.Duration
}

// Process is a running fixture.
type Process struct {
	// Ready is what the script printed after "READY ".
	Ready  string
	stdin  io.Closer
	cmd    *exec.Cmd
	exited chan error
	stderr *lockedBuffer
	once   sync.Once
}

// MustStart starts the fixture and stops it when tb ends. It fails tb,
// saying what to install, if Node.js or npm is missing.
func MustStart(tb testing.TB, s Spec) *Process {
	tb.Helper()
	p, err := Start(s)
	if err != nil {
		tb.Fatalf("%s: %v", s.Name, err)
	}
	tb.Cleanup(func() {
		p.Stop()
		if tb.Failed() {
			tb.Logf("%s: stderr:\n%s", s.Name, p.Stderr())
		}
	})
	return p
}

// Start starts the fixture; the caller must Stop it.
func Start(s Spec) (*Process, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node not found on PATH: install Node.js 20 and npm")
	}
	dir, err := Dir(s.Dir, s.Script)
	if err != nil {
		return nil, err
	}
	if err := ensureInstalled(dir, s.Package); err != nil {
		return nil, err
	}
	cmd := exec.Command(node, s.Script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), s.Env...)
	p := &Process{cmd: cmd, exited: make(chan error, 1), stderr: &lockedBuffer{}}
	cmd.Stderr = p.stderr
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start node: %w", err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				select {
				case ready <- addr:
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
		// Wait only after stdout is drained, as os/exec requires.
		p.exited <- cmd.Wait()
	}()
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	select {
	case p.Ready = <-ready:
		return p, nil
	case err := <-p.exited:
		p.exited <- err
		return nil, fmt.Errorf("exited before it was ready (%v); stderr:\n%s", err, p.stderr.String())
	case <-time.After(timeout):
		p.Stop()
		return nil, fmt.Errorf("not ready within %v; stderr:\n%s", timeout, p.stderr.String())
	}
}

// Stop stops the fixture and waits for it to exit; it may be called more
// than once.
func (p *Process) Stop() {
	p.once.Do(func() {
		p.stdin.Close()
		p.cmd.Process.Kill()
		err := <-p.exited
		p.exited <- err
	})
}

// Stderr is what the fixture has written to stderr so far.
func (p *Process) Stderr() string { return p.stderr.String() }

// Dir finds rel (holding file) under the module root: beside this source
// file's module when the source path is known, else above the working
// directory (a -trimpath build).
func Dir(rel, file string) (string, error) {
	var roots []string
	if _, src, _, ok := runtime.Caller(0); ok {
		roots = append(roots, filepath.Join(filepath.Dir(src), "..", ".."))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				roots = append(roots, d)
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, r := range roots {
		c := filepath.Join(r, rel)
		if _, err := os.Stat(filepath.Join(c, file)); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("cannot find %s", filepath.Join(rel, file))
}

var installMu sync.Mutex

// ensureInstalled runs `npm ci` in dir unless the version of pkg that
// package.json names is already installed.
func ensureInstalled(dir, pkg string) error {
	installMu.Lock()
	defer installMu.Unlock()
	want, err := wantedVersion(dir, pkg)
	if err != nil {
		return err
	}
	if installedVersion(dir, pkg) == want {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return errors.New("npm not found on PATH: install Node.js 20 and npm")
	}
	unlock, err := lockFile(filepath.Join(os.TempDir(), "companion-nodefixture-npm.lock"))
	if err != nil {
		return fmt.Errorf("lock npm install: %w", err)
	}
	defer unlock()
	if installedVersion(dir, pkg) == want {
		return nil
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s: %w\n%s", dir, err, out)
	}
	if got := installedVersion(dir, pkg); got != want {
		return fmt.Errorf("npm ci in %s installed %s %q, want %q", dir, pkg, got, want)
	}
	return nil
}

func wantedVersion(dir, pkg string) (string, error) {
	var p struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err == nil {
		err = json.Unmarshal(b, &p)
	}
	if err != nil {
		return "", fmt.Errorf("read %s/package.json: %w", dir, err)
	}
	v, ok := p.Dependencies[pkg]
	if !ok {
		return "", fmt.Errorf("%s/package.json does not depend on %s", dir, pkg)
	}
	return v, nil
}

func installedVersion(dir, pkg string) string {
	var p struct {
		Version string `json:"version"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", filepath.FromSlash(pkg), "package.json"))
	if err != nil || json.Unmarshal(b, &p) != nil {
		return ""
	}
	return p.Version
}

// lockedBuffer collects the fixture's stderr while tests may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
