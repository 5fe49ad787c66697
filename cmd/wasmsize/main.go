// Command wasmsize breaks a WebAssembly module built by Go down by package:
// the bytes of function bodies each package contributes (from the code
// section, named by the module's name section) and the data segments (Go's
// read-only data, type information and pcln tables, not attributable). Build
// the module without -s so it keeps its names:
//
//	GOOS=js GOARCH=wasm go build -trimpath -o /tmp/app.wasm ./cmd/pwa
//	go run ./cmd/wasmsize [-n 30] /tmp/app.wasm
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	n := flag.Int("n", 30, "packages (or functions) to list")
	funcs := flag.String("funcs", "", "list the biggest functions whose names start with this (a package as the module names it) instead")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: wasmsize [-n 30] module.wasm")
		os.Exit(2)
	}
	b, err := os.ReadFile(flag.Arg(0))
	if err == nil {
		err = report(b, *n, *funcs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmsize:", err)
		os.Exit(1)
	}
}

type module struct {
	imported int      // imported functions come first in the index space
	bodies   []int    // size of each defined function's body
	names    []string // by function index
	sections map[string]int
}

func report(b []byte, top int, funcs string) error {
	m, err := parse(b)
	if err != nil {
		return err
	}
	byPkg := map[string]int{}
	code := 0
	for i, size := range m.bodies {
		idx := m.imported + i
		name := ""
		if idx < len(m.names) {
			name = m.names[idx]
		}
		if funcs == "" {
			byPkg[pkgOf(name)] += size
		} else if strings.HasPrefix(name, funcs) {
			byPkg[name] += size
		}
		code += size
	}
	type row struct {
		pkg  string
		size int
	}
	var rows []row
	for p, s := range byPkg {
		rows = append(rows, row{p, s})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].size > rows[j].size })
	fmt.Printf("%d bytes: code %d, data %d, names %d, other %d\n", len(b), m.sections["code"], m.sections["data"],
		m.sections["name"], len(b)-m.sections["code"]-m.sections["data"]-m.sections["name"])
	what := "package (function bodies)"
	if funcs != "" {
		what = "function"
	}
	fmt.Printf("%-60s %10s %6s\n", what, "bytes", "share")
	for i, r := range rows {
		if i == top {
			break
		}
		fmt.Printf("%-60s %10d %5.1f%%\n", r.pkg, r.size, 100*float64(r.size)/float64(code))
	}
	return nil
}

// pkgOf is the package of a symbol as Go names it in a WebAssembly module:
// the import path with "/" (and "-") as "_", then "." and the name, as in
// "github.com_maxence_charriere_go_app_v9_pkg_app.(*Compo).html". A
// domain's own dots come before the first "_".
func pkgOf(sym string) string {
	if sym == "" {
		return "(unnamed)"
	}
	from := 0
	if us := strings.Index(sym, "_"); us >= 0 && strings.Contains(sym[:us], ".") {
		from = us
	}
	if dot := strings.Index(sym[from:], "."); dot >= 0 {
		return sym[:from+dot]
	}
	return sym
}

func parse(b []byte) (*module, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], []byte("\x00asm")) {
		return nil, errors.New("not a WebAssembly module")
	}
	m := &module{sections: map[string]int{}}
	r := &reader{b: b, i: 8}
	for r.i < len(b) {
		id := r.byte()
		size := int(r.uleb())
		body := &reader{b: b[r.i : r.i+size]}
		r.i += size
		switch id {
		case 2: // imports
			for n := body.uleb(); n > 0; n-- {
				body.name()
				body.name()
				if kind := body.byte(); kind == 0 {
					m.imported++
					body.uleb()
				} else {
					skipImport(body, kind)
				}
			}
		case 10: // code
			m.sections["code"] = size
			for n := body.uleb(); n > 0; n-- {
				s := int(body.uleb())
				m.bodies = append(m.bodies, s)
				body.i += s
			}
		case 11:
			m.sections["data"] = size
		case 0:
			if body.name() == "name" {
				m.sections["name"] = size
				m.names = functionNames(body)
			}
		}
		if r.err != nil || body.err != nil {
			return nil, errors.Join(r.err, body.err)
		}
	}
	return m, nil
}

func skipImport(r *reader, kind byte) {
	switch kind {
	case 1: // table: reftype, limits
		r.byte()
		limits(r)
	case 2: // memory
		limits(r)
	case 3: // global: type, mutability
		r.byte()
		r.byte()
	}
}

func limits(r *reader) {
	if r.byte()&1 == 1 {
		r.uleb()
	}
	r.uleb()
}

// functionNames reads the function-names subsection of a name section.
func functionNames(r *reader) []string {
	var names []string
	for r.i < len(r.b) && r.err == nil {
		id := r.byte()
		size := int(r.uleb())
		if id != 1 {
			r.i += size
			continue
		}
		sub := &reader{b: r.b[r.i : r.i+size]}
		r.i += size
		for n := sub.uleb(); n > 0 && sub.err == nil; n-- {
			idx := int(sub.uleb())
			name := sub.name()
			for len(names) <= idx {
				names = append(names, "")
			}
			names[idx] = name
		}
	}
	return names
}

type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) byte() byte {
	if r.i >= len(r.b) {
		r.err = errors.New("truncated module")
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *reader) uleb() uint64 {
	v, n := binary.Uvarint(r.b[min(r.i, len(r.b)):])
	if n <= 0 {
		r.err = errors.New("bad LEB128")
		return 0
	}
	r.i += n
	return v
}

func (r *reader) name() string {
	n := int(r.uleb())
	if r.i+n > len(r.b) {
		r.err = errors.New("truncated name")
		return ""
	}
	s := string(r.b[r.i : r.i+n])
	r.i += n
	return s
}
