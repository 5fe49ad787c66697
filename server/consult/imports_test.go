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
// UI (app/ui, i18n: pages put its answers into words) and no server (HTTP),
// which depends on it. The wire types (app/api) and shared rules (app/nhs)
// are what it answers in.
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
			if path == module+"server" || strings.HasPrefix(path, module+"app/ui") || path == module+"i18n" {
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
}
