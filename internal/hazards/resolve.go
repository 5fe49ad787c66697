package hazards

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Resolve finds every test the log names under root (the repository) and
// returns one problem per test that does not exist: a Go test function
// (func TestX(t *testing.T) in a _test.go file of the package) or a browser
// test with that title in the file.
func Resolve(root string, l *Log) []string {
	names := map[string][]string{} // a package or file → its tests, read once
	var problems []string
	for _, t := range l.Tests() {
		where, list := t.Go, goTestNames
		if where == "" {
			where, list = t.Browser, browserTitles
		}
		tests, ok := names[where]
		if !ok {
			var err error
			if tests, err = list(filepath.Join(root, filepath.FromSlash(where))); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", t, err))
				continue
			}
			names[where] = tests
		}
		if !slices.Contains(tests, t.Test) {
			problems = append(problems, fmt.Sprintf("%s: no such test", t))
		}
	}
	return problems
}

// goTestNames lists the top-level test functions of the package in dir.
func goTestNames(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no test files in %s", dir)
	}
	var out []string
	for _, f := range files {
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") && isTestingT(fn.Type) {
				out = append(out, fn.Name.Name)
			}
		}
	}
	return out, nil
}

// isTestingT reports whether fn takes exactly one *testing.T.
func isTestingT(fn *ast.FuncType) bool {
	if fn.Params == nil || len(fn.Params.List) != 1 || len(fn.Params.List[0].Names) > 1 {
		return false
	}
	star, ok := fn.Params.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "T"
}

// browserTitles lists the titles of the node:test tests in a file: the
// string literal (quoted or template) each test( call starts with.
func browserTitles(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "test(")
		if !ok || rest == "" || !strings.ContainsRune("'\"`", rune(rest[0])) {
			continue
		}
		if title, ok := jsString(rest); ok {
			out = append(out, title)
		}
	}
	return out, sc.Err()
}

// jsString reads the string literal s starts with, undoing backslash
// escapes of one character.
func jsString(s string) (string, bool) {
	quote := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == quote:
			return b.String(), true
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}
