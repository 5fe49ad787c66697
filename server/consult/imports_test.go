package consult

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package server-only and below the HTTP layer: no
// app/... (UI) and no server (HTTP), which will depend on it.
func TestImports(t *testing.T) {
	const module = "github.com/nhs-companion/companion/"
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == module+"server" || path == module+"app" || strings.HasPrefix(path, module+"app/") || path == module+"i18n" {
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}
