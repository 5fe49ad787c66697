package web

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/i18n"
)

// Renderer writes complete HTML pages from the same go-app components the
// WebAssembly app runs.
//
// go-app's own Handler prerenders a route with no access to the request, so
// it cannot show the signed-in person's data, and it covers the page with a
// full-screen loader and a viewport that blocks zoom. Renderer instead builds
// the component tree with the request's state (app.HTMLString) inside a shell
// that keeps what go-app's client expects: the component as the body's first
// element (the client replaces it with its own render of the same state), the
// #app-wasm-loader elements app.js updates (here hidden, never covering
// content), wasm_exec.js and app.js. The state goes into the page as JSON so
// the client takes over without fetching it again.
type Renderer struct {
	Catalogue *i18n.Catalogue
	Assets    *Assets
	// NHSApp is what pages inside the NHS App load (its JavaScript API
	// and Companion's bridge to it); empty JSURL loads nothing.
	NHSApp NHSApp
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}" dir="{{.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>{{.Title}}</title>
<meta name="description" content="{{.Description}}">
<meta name="theme-color" content="#005eb8">
<link rel="icon" href="{{.Icon}}" type="image/svg+xml">
<link rel="icon" href="{{.IconPNG}}" type="image/png" sizes="192x192">
<link rel="apple-touch-icon" href="{{.IconPNG}}">
<link rel="manifest" href="{{.Manifest}}">
{{range .Styles}}<link rel="stylesheet" href="{{.}}">
{{end}}{{if .NHSAppJS}}<script defer src="{{.NHSAppJS}}"></script>
<script defer src="{{.BridgeJS}}"></script>
{{end}}{{if .WASM}}<script defer src="{{.OfflineJS}}"></script>
<script defer src="{{.PushJS}}"></script>
<script defer src="{{.WasmExecJS}}"></script>
<script defer src="{{.AppJS}}"></script>
{{end}}</head>
<body>
{{.Body}}
<aside id="app-wasm-loader" class="companion-loader" hidden><img id="app-wasm-loader-icon" src="{{.IconPNG}}" alt="" width="1" height="1"><p id="app-wasm-loader-label"></p></aside>
{{if .WASM}}<script type="application/json" id="companion-state">{{.State}}</script>
{{end}}</body>
</html>
`))

type pageData struct {
	Lang, Dir, Title, Description        string
	Icon, IconPNG, Manifest              string
	Styles                               []string
	WASM                                 bool
	WasmExecJS, AppJS, OfflineJS, PushJS string
	NHSAppJS, BridgeJS                   string
	Body                                 template.HTML
	State                                template.JS
}

// WASMCookie remembers, for the browser session, that the person asked for
// pages without WebAssembly (`?wasm=false`; `?wasm=true` forgets it).
const WASMCookie = "wasm"

// WASMEnabled reports whether the page should load the WebAssembly app:
// `?wasm=false` asks for a page with none at all, and for the pages after
// it (WASMCookie), until `?wasm=true`.
func WASMEnabled(r *http.Request) bool {
	switch r.URL.Query().Get("wasm") {
	case "false":
		return false
	case "true":
		return true
	}
	c, err := r.Cookie(WASMCookie)
	return err != nil || c.Value != "off"
}

// InNHSApp reports whether r's page is inside the NHS App, as far as this
// renderer draws one: never when it loads no NHS App script.
func (rn *Renderer) InNHSApp(r *http.Request) bool { return rn.NHSApp.JSURL != "" && InNHSApp(r) }

// Render writes page with status, rendered from st.
func (rn *Renderer) Render(w http.ResponseWriter, r *http.Request, status int, st api.PageState, build func(*ui.Store) ui.Page) error {
	return rn.render(w, r, status, st, build, WASMEnabled(r))
}

// RenderServerOnly writes a page the WebAssembly app has no route for (the
// sandbox sign-in picker, staff pages), so it never loads the app.
func (rn *Renderer) RenderServerOnly(w http.ResponseWriter, r *http.Request, status int, st api.PageState, build func(*ui.Store) ui.Page) error {
	return rn.render(w, r, status, st, build, false)
}

func (rn *Renderer) render(w http.ResponseWriter, r *http.Request, status int, st api.PageState, build func(*ui.Store) ui.Page, wasm bool) error {
	inApp := rn.InNHSApp(r)
	if inApp {
		st.NHSAppHome, st.NHSAppWebView = rn.NHSApp.Home, NHSAppWebView(r)
	}
	if WantsState(r) {
		return writeAnswer(w, status, api.PageAnswer{State: &st})
	}
	store := &ui.Store{Catalogue: rn.Catalogue, State: st}
	page := build(store)
	l := store.L()
	state, err := json.Marshal(st) // escapes <, > and & so it cannot end the script
	if err != nil {
		return err
	}
	d := pageData{
		Lang:        l.Locale(),
		Dir:         l.Dir(),
		Title:       documentTitle(l.T("service.name"), page.Title()),
		Description: l.T("home.lead"),
		Icon:        rn.Assets.URL("/web/icons/icon.svg"),
		IconPNG:     rn.Assets.URL("/web/icons/icon-192.png"),
		Manifest:    rn.Assets.URL("/manifest.webmanifest"),
		Styles: []string{
			rn.Assets.URL("/web/css/nhsuk.css"),
			rn.Assets.URL("/web/css/nhsapp.css"),
			rn.Assets.URL("/web/companion.css"),
		},
		WASM:       wasm,
		WasmExecJS: rn.Assets.URL("/wasm_exec.js"),
		OfflineJS:  rn.Assets.URL("/web/offline.js"),
		PushJS:     rn.Assets.URL("/web/push.js"),
		AppJS:      rn.Assets.URL("/app.js"),
		Body:       template.HTML(app.HTMLString(page)), // go-app escapes text; ui.attr guards attributes
		State:      template.JS(state),
	}
	if inApp {
		d.NHSAppJS, d.BridgeJS = rn.NHSApp.JSURL, rn.Assets.URL("/web/nhsapp-bridge.js")
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		return err
	}
	h := w.Header()
	if inApp {
		h.Set("Content-Security-Policy", cspInNHSApp(rn.NHSApp.Origin))
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages can hold patient data: never stored by the browser or a proxy.
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Add("Vary", "Cookie, Accept-Language, User-Agent")
	w.WriteHeader(status)
	_, err = w.Write(b.Bytes())
	return err
}

// documentTitle must match the shell's, which sets the title after
// client-side navigation.
func documentTitle(service, page string) string { return ui.DocumentTitle(service, page) }
