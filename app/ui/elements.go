package ui

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// The HTML elements the pages use only here and there, as go-app's generic
// element. Each of go-app's own element types brings its methods into
// app.wasm (5 to 9 KB each); one generic type for all of these keeps them
// out. Attributes go-app has typed setters for are set with Attr, with the
// same effect (false booleans are left out).
type elements struct{}

var el elements

func (elements) Ul() app.HTMLElem       { return app.Elem("ul") }
func (elements) Ol() app.HTMLElem       { return app.Elem("ol") }
func (elements) Td() app.HTMLElem       { return app.Elem("td") }
func (elements) Th() app.HTMLElem       { return app.Elem("th") }
func (elements) Tr() app.HTMLElem       { return app.Elem("tr") }
func (elements) Table() app.HTMLElem    { return app.Elem("table") }
func (elements) THead() app.HTMLElem    { return app.Elem("thead") }
func (elements) TBody() app.HTMLElem    { return app.Elem("tbody") }
func (elements) Caption() app.HTMLElem  { return app.Elem("caption") }
func (elements) Label() app.HTMLElem    { return app.Elem("label") }
func (elements) Strong() app.HTMLElem   { return app.Elem("strong") }
func (elements) Dl() app.HTMLElem       { return app.Elem("dl") }
func (elements) Dt() app.HTMLElem       { return app.Elem("dt") }
func (elements) Dd() app.HTMLElem       { return app.Elem("dd") }
func (elements) Legend() app.HTMLElem   { return app.Elem("legend") }
func (elements) FieldSet() app.HTMLElem { return app.Elem("fieldset") }
func (elements) H3() app.HTMLElem       { return app.Elem("h3") }
func (elements) H4() app.HTMLElem       { return app.Elem("h4") }
func (elements) Nav() app.HTMLElem      { return app.Elem("nav") }
func (elements) Summary() app.HTMLElem  { return app.Elem("summary") }
func (elements) Details() app.HTMLElem  { return app.Elem("details") }
func (elements) Select() app.HTMLElem   { return app.Elem("select") }
func (elements) Option() app.HTMLElem   { return app.Elem("option") }
func (elements) Main() app.HTMLElem     { return app.Elem("main") }
func (elements) Header() app.HTMLElem   { return app.Elem("header") }
func (elements) Footer() app.HTMLElem   { return app.Elem("footer") }
