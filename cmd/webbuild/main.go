// Command webbuild prepares WEB_DIR after the npm install and the WebAssembly
// build: it copies the NHS design-system CSS and its images out of
// node_modules (dropping the web fonts they load from an external host, so no
// page request ever leaves Companion's origin), copies wasm_exec.js from the
// Go toolchain that built app.wasm, and precompresses every text and wasm
// asset with brotli and gzip.
//
// Usage: go run ./cmd/webbuild [-node-modules node_modules] [-web web]
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/andybalholm/brotli"
)

func main() {
	nodeModules := flag.String("node-modules", "node_modules", "npm's node_modules directory")
	web := flag.String("web", "web", "the static files directory to fill")
	flag.Parse()
	if err := run(*nodeModules, *web); err != nil {
		fmt.Fprintln(os.Stderr, "webbuild:", err)
		os.Exit(1)
	}
}

func run(nodeModules, web string) error {
	nhsuk := filepath.Join(nodeModules, "nhsuk-frontend", "dist", "nhsuk")
	if err := copyCSS(filepath.Join(nhsuk, "nhsuk-frontend.min.css"), filepath.Join(web, "css", "nhsuk.css")); err != nil {
		return err
	}
	if err := copyTree(filepath.Join(nhsuk, "assets"), filepath.Join(web, "nhsuk", "assets")); err != nil {
		return err
	}
	if err := copyCSS(filepath.Join(nodeModules, "nhsapp-frontend", "dist", "nhsapp.css"), filepath.Join(web, "css", "nhsapp.css")); err != nil {
		return err
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	wasmExec := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js")
	if err := copyFile(wasmExec, filepath.Join(web, "wasm_exec.js")); err != nil {
		return err
	}
	return compressAll(web)
}

var (
	fontFace = regexp.MustCompile(`@font-face\s*{[^}]*}`)
	external = regexp.MustCompile(`url\(\s*["']?(https?:)?//`)
	assetURL = regexp.MustCompile(`url\((["']?)/assets/`)
)

// copyCSS copies a stylesheet, dropping @font-face rules that load from
// another host (the NHS font; the stack falls back to Arial) and pointing
// root-relative asset URLs at WEB_DIR. It fails if any external URL is left.
func copyCSS(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("%w (run npm ci first)", err)
	}
	b = fontFace.ReplaceAllFunc(b, func(rule []byte) []byte {
		if external.Match(rule) {
			return nil
		}
		return rule
	})
	b = assetURL.ReplaceAll(b, []byte("url(${1}/web/nhsuk/assets/"))
	if loc := external.FindIndex(b); loc != nil {
		return fmt.Errorf("%s still loads from another host near %q", src, b[loc[0]:min(len(b), loc[0]+80)])
	}
	return writeFile(dst, b)
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return writeFile(dst, b)
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return nil
		}
		// Only what CSS can load: images and icons.
		switch strings.ToLower(filepath.Ext(p)) {
		case ".svg", ".png", ".ico":
			return copyFile(p, filepath.Join(dst, rel))
		}
		return nil
	})
}

func writeFile(dst string, b []byte) error {
	if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, b) {
		return nil // unchanged: keep the mtime so compression is skipped
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// compressAll writes .br and .gz beside every compressible file whose
// compressed copies are missing or older.
func compressAll(web string) error {
	return filepath.WalkDir(web, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		switch filepath.Ext(p) {
		case ".wasm", ".js", ".css", ".svg", ".json", ".webmanifest":
		default:
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		for _, c := range []struct {
			ext string
			enc func([]byte) ([]byte, error)
		}{{".br", brotliBytes}, {".gz", gzipBytes}} {
			if out, err := os.Stat(p + c.ext); err == nil && !out.ModTime().Before(info.ModTime()) {
				continue
			} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			enc, err := c.enc(raw)
			if err != nil {
				return fmt.Errorf("compress %s: %w", p, err)
			}
			if err := os.WriteFile(p+c.ext, enc, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
}

func brotliBytes(b []byte) ([]byte, error) {
	var out bytes.Buffer
	w := brotli.NewWriterOptions(&out, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	err := w.Close()
	return out.Bytes(), err
}

func gzipBytes(b []byte) ([]byte, error) {
	var out bytes.Buffer
	w, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	err = w.Close()
	return out.Bytes(), err
}
