package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// serverPage stands for any path the WebAssembly app has no page for: the
// server's own pages (sign-in redirects, downloads) and paths that do not
// exist. When the page was rendered by the server for this very path (a 404 or
// an error page), it draws the same thing the server did; when the browser
// arrives here by history navigation, it asks the server for the page.
type serverPage struct {
	app.Compo
	store *Store
	path  string
}

func newServerPage(s *Store) Page {
	p := &serverPage{store: s}
	if app.IsClient {
		p.path = app.Window().URL().Path
	}
	return p
}

// Title is the page title.
func (p *serverPage) Title() string { return p.inner().Title() }

func (p *serverPage) inner() Page {
	if p.store.State.Status >= 500 {
		return newErrorPage(p.store)
	}
	return newNotFoundPage(p.store)
}

// OnNav reloads from the server when the state in hand was not rendered for
// this path.
func (p *serverPage) OnNav(ctx app.Context) {
	if p.path != p.store.State.Path {
		app.Window().Get("location").Call("reload")
	}
}

// Render draws the server's page for this path.
func (p *serverPage) Render() app.UI { return p.inner() }

// InstallServerLinks makes links to paths the app has no page for load from the
// server, as they would without WebAssembly, and leaves in-page links to the
// browser. go-app's click handler on window
// would otherwise draw them in the browser; a handler on document runs first
// and stops the click from reaching it, leaving the browser's own navigation.
func InstallServerLinks() {
	if !app.IsClient {
		return
	}
	handler := app.FuncOf(func(this app.Value, args []app.Value) any {
		ev := args[0]
		target := ev.Get("target")
		if !target.Truthy() || !target.Get("closest").Truthy() {
			return nil
		}
		a := target.Call("closest", "a[href]")
		if !a.Truthy() {
			return nil
		}
		// In-page links (the skip link) are the browser's: it scrolls and
		// moves focus to the target, which go-app's handler does not.
		if href := a.Call("getAttribute", "href"); href.Truthy() && strings.HasPrefix(href.String(), "#") {
			ev.Call("stopPropagation")
			return nil
		}
		if a.Get("host").String() != app.Window().Get("location").Get("host").String() {
			return nil
		}
		// Links marked data-reload (the language switcher) load from the
		// server, as do paths the app has no page for.
		if !IsPage(a.Get("pathname").String()) || a.Call("hasAttribute", "data-reload").Bool() {
			ev.Call("stopPropagation")
		}
		return nil
	})
	app.Window().Get("document").Call("addEventListener", "click", handler)
}
