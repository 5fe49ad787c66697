package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBreakdownOfARealModule: a module Go builds is parsed, every function
// body is counted once, and a package's own functions are put under its
// name.
func TestBreakdownOfARealModule(t *testing.T) {
	dir := t.TempDir()
	src := `package main

import "fmt"

//go:noinline
func greeting(n int) string { return fmt.Sprint("hello ", n) }

func main() { println(greeting(len(fmt.Sprint(1)))) }
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/hello\n\ngo 1.22\n"), 0o644)
	out := filepath.Join(dir, "hello.wasm")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := parse(b)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	byPkg := map[string]int{}
	for i, size := range m.bodies {
		total += size
		byPkg[pkgOf(m.names[m.imported+i])] += size
	}
	if total == 0 || total > m.sections["code"] {
		t.Errorf("function bodies %d bytes, code section %d", total, m.sections["code"])
	}
	for _, p := range []string{"main", "runtime", "fmt"} {
		if byPkg[p] == 0 {
			t.Errorf("no code counted for %s: %v", p, byPkg)
		}
	}
}

func TestPackageOfAWebAssemblySymbol(t *testing.T) {
	for sym, want := range map[string]string{
		"github.com_maxence_charriere_go_app_v9_pkg_app.__Compo_.html": "github.com_maxence_charriere_go_app_v9_pkg_app",
		"runtime.mallocgc":                "runtime",
		"crypto_internal_fips140_aes.New": "crypto_internal_fips140_aes",
		"":                                "(unnamed)",
	} {
		if got := pkgOf(sym); got != want {
			t.Errorf("pkgOf(%q) = %q, want %q", sym, got, want)
		}
	}
}
