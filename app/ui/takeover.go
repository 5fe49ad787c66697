package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// Takeover is what the server-rendered page held at the moment the
// WebAssembly app started: go-app replaces the page's first element with its
// own render, so anything a person had done to the server's DOM would be lost.
// Capture records it just before that; the shell restores it just after.
type Takeover struct {
	focus   int // index of the focused element among focusables, or -1
	scrollX int
	scrollY int
	fields  []field
}

// field is one form control's state, located by form index and name.
type field struct {
	form    int
	name    string
	value   string
	kind    string // "checkable" (checkbox, radio) or "value"
	checked bool
}

const focusables = "a[href],button,input,select,textarea,[tabindex]"

// CaptureTakeover records focus, scroll position and form values from the
// server-rendered page. It runs in the browser only.
func CaptureTakeover() *Takeover {
	if !app.IsClient {
		return nil
	}
	doc := app.Window().Get("document")
	t := &Takeover{focus: -1}
	active := doc.Get("activeElement")
	nodes := doc.Call("querySelectorAll", focusables)
	for i := 0; i < nodes.Length(); i++ {
		if active.Truthy() && nodes.Index(i).Equal(active) {
			t.focus = i
			break
		}
	}
	t.scrollX = app.Window().Get("scrollX").Int()
	t.scrollY = app.Window().Get("scrollY").Int()
	forms := doc.Get("forms")
	for f := 0; f < forms.Length(); f++ {
		els := forms.Index(f).Get("elements")
		for i := 0; i < els.Length(); i++ {
			el := els.Index(i)
			name := el.Get("name").String()
			if name == "" {
				continue
			}
			switch el.Get("type").String() {
			case "checkbox", "radio":
				t.fields = append(t.fields, field{form: f, name: name, value: el.Get("value").String(), kind: "checkable", checked: el.Get("checked").Bool()})
			case "hidden", "submit", "button", "file", "password":
				// Hidden values come from the server; passwords are never kept.
			default:
				t.fields = append(t.fields, field{form: f, name: name, value: el.Get("value").String(), kind: "value"})
			}
		}
	}
	return t
}

// Restore puts the recorded state back into the page go-app has just drawn.
func (t *Takeover) Restore() {
	if !app.IsClient || t == nil {
		return
	}
	doc := app.Window().Get("document")
	forms := doc.Get("forms")
	for _, f := range t.fields {
		if f.form >= forms.Length() {
			continue
		}
		els := forms.Index(f.form).Get("elements")
		for i := 0; i < els.Length(); i++ {
			el := els.Index(i)
			if el.Get("name").String() != f.name {
				continue
			}
			switch f.kind {
			case "checkable":
				if el.Get("value").String() == f.value {
					el.Set("checked", f.checked)
				}
			default:
				el.Set("value", f.value)
			}
		}
	}
	if t.focus >= 0 {
		nodes := doc.Call("querySelectorAll", focusables)
		if t.focus < nodes.Length() {
			nodes.Index(t.focus).Call("focus", map[string]any{"preventScroll": true})
		}
	}
	app.Window().Call("scrollTo", t.scrollX, t.scrollY)
}

// markReady tells tests and styles that the WebAssembly app has taken over.
func markReady(dir string) {
	if !app.IsClient {
		return
	}
	root := app.Window().Get("document").Get("documentElement")
	root.Call("setAttribute", "dir", dir)
	root.Get("dataset").Set("wasm", "ready")
}
