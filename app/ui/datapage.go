package ui

import (
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// dataPage is a page whose data only the server assembles (who the person
// may act for, their appointments, record, prescriptions): the app draws
// it from the state the server page would have been drawn from, fetched
// from /api/v1/pages through the typed client when the app navigated here
// itself, and handed over in the page when the server rendered it. Forms on
// it are sent the same way (see send).
//
// Every data page is this one type, so go-app keeps the one mounted and
// hands it the next page's fields (they are exported for that): it draws
// the page's own tree (Page.Render), which is why data pages keep no state
// of their own and bind no event handlers.
type dataPage struct {
	app.Compo
	Store *Store
	Build func(*Store) Page
	Page  Page
	// sending is set while a form is on its way: a second press of the
	// button sends nothing more.
	sending bool
	// ctx is the page's context while it is mounted.
	ctx app.Context
}

func newDataPage(s *Store, build func(*Store) Page) Page {
	return &dataPage{Store: s, Build: build, Page: orError(s, build)}
}

// Title is the page's title.
func (p *dataPage) Title() string { return p.Page.Title() }

// Render draws the page: with its data once it is in hand, and until then
// its heading alone.
//
// Each page that arrives is drawn afresh, never over the last one's
// elements: go-app would otherwise reuse them in place, and what a person
// did to a control (a radio button chosen on the previous step) would
// stay with the element into the next page. Alternating the wrapping
// component's type between arrivals makes go-app mount new elements.
func (p *dataPage) Render() app.UI {
	if p.Store.arrivals%2 == 0 {
		return &drawnEven{Root: p.Page.Render()}
	}
	return &drawnOdd{Root: p.Page.Render()}
}

// drawnEven and drawnOdd wrap a data page's tree (see dataPage.Render).
type drawnEven struct {
	app.Compo
	Root app.UI
}

func (c *drawnEven) Render() app.UI { return c.Root }

type drawnOdd struct {
	app.Compo
	Root app.UI
}

func (c *drawnOdd) Render() app.UI { return c.Root }

// OnMount makes this the page forms are sent from.
func (p *dataPage) OnMount(ctx app.Context) { p.Store.current, p.ctx = p, ctx }

// OnDismount lets go of it.
func (p *dataPage) OnDismount() {
	if p.Store.current == p {
		p.Store.current = nil
	}
}

// OnNav fetches the page's data unless the state in hand is this very
// page's (the server rendered it, or it came with a form's answer).
func (p *dataPage) OnNav(ctx app.Context) {
	u := ctx.Page().URL()
	p.Store.navigate(u.Path)
	target := u.RequestURI()
	if p.Store.holds(target) {
		keepOffline(target, p.Store.State)
		navigated(ctx, false)
		ctx.Defer(p.watchLinks)
		return
	}
	if st, ok := p.Store.takePrefetched(target); ok {
		p.show(ctx, "GET", st)
		return
	}
	p.fetch(ctx, "GET", target, nil, "", nil)
}

// fetch asks for the page at target and shows the answer. A network
// failure is tried again with backoff (a form with the same
// Idempotency-Key, so it is acted on once); after the last try a page is
// drawn from the copy kept for reading offline (or says none was kept),
// and a form stays on the page unsent, saying so, while the browser has no
// network, or is sent by the browser itself, as without WebAssembly. With
// no network at all a page is not tried.
func (p *dataPage) fetch(ctx app.Context, method, target string, form url.Values, key string, native app.Value) {
	seq := p.Store.seq
	ctx.Async(func() {
		var ans api.PageAnswer
		err := errOffline
		if method == "POST" || online() {
			ans, err = p.Store.client().Page(ctx, method, target, form, key)
		}
		for wait := 500 * time.Millisecond; err != nil && err != errOffline && !isStatus(err) && wait <= retryFor(method); wait *= 2 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			ans, err = p.Store.client().Page(ctx, method, target, form, key)
		}
		// A page that cannot be fetched is drawn from the copy kept for
		// reading offline, if there is one.
		var kept api.PageState
		var at int64
		found := false
		if err != nil && !isStatus(err) && method == "GET" {
			kept, at, found = loadOffline(ctx, p.Store.State, target)
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.sending = false
			if p.Store.seq != seq {
				return // the person has moved on
			}
			switch {
			case err != nil && native != nil && !online():
				// Still no network: the answers stay on the page, unsent,
				// and the banner says to send them again once back online.
				p.Store.unsent = true
				p.Update()
			case err != nil && native != nil:
				native.Call("submit")
			case err != nil && !isStatus(err):
				p.showOffline(ctx, target, kept, at, found)
			case err != nil:
				app.Window().Get("location").Call("reload")
			case ans.Redirect != "":
				p.redirect(ctx, method, ans.Redirect)
			default:
				p.show(ctx, method, *ans.State)
			}
		})
	})
}

// retryFor is how long the last wait before a try may be: a form is tried
// for about 7.5 s, a page twice.
func retryFor(method string) time.Duration {
	if method == "POST" {
		return 4 * time.Second
	}
	return time.Second
}

// errOffline is a fetch not tried because the browser has no network.
var errOffline = errors.New("offline")

func isStatus(err error) bool {
	var se *api.StatusError
	return errors.As(err, &se)
}

// redirect goes where the server page would have sent the browser: within
// the app when the app draws that page (after a form, a new history entry,
// as the browser makes after a form; otherwise in place of this one), to
// the server otherwise (signing in).
func (p *dataPage) redirect(ctx app.Context, method, to string) {
	u, err := url.Parse(to)
	if err != nil || u.Host != "" || !IsPage(u.Path) {
		leave := func() { app.Window().Get("location").Call("assign", to) }
		if err == nil && u.Host == "" && u.Path == "/auth/login" {
			wipeOffline(leave) // the session has ended
			return
		}
		leave()
		return
	}
	if method == "POST" {
		ctx.NavigateTo(u)
		return
	}
	replaceRoute(u)
}

// show draws st, the answer for this page (or for a form sent from it).
func (p *dataPage) show(ctx app.Context, method string, st api.PageState) {
	s := p.Store
	s.handOver(st)
	s.arrivals++
	s.offline, s.unsent = 0, false
	if method == "GET" {
		keepOffline((&url.URL{Path: st.Path, RawQuery: st.Query}).RequestURI(), st)
	}
	here := ctx.Page().URL()
	if target := (&url.URL{Path: st.Path, RawQuery: st.Query}); method == "POST" && target.Path != here.Path {
		// A form's answer drawn at another page's address, as the browser
		// shows it after a form.
		app.Window().Get("history").Call("pushState", nil, "", target.String())
		s.keep = true
		replaceRoute(target)
		return
	}
	p.Page = orError(s, p.Build) // the page, or the error page the state asks for
	p.Update()
	navigated(ctx, true)
	ctx.Defer(p.watchLinks)
}

// replaceRoute draws u in place of the current history entry: go-app
// routes on popstate without adding an entry.
func replaceRoute(u *url.URL) {
	w := app.Window()
	w.Get("history").Call("replaceState", nil, "", u.String())
	w.Call("dispatchEvent", app.Window().Get("PopStateEvent").New("popstate"))
}

var navigations int

// navigated is called once a page drawn by the app has its content: it
// moves focus to the new page's heading (after a page change, as a full
// page load leaves a screen reader at the start of the content), says the
// page's title in a live region, and counts the navigation on <html
// data-nav> for tests.
func navigated(ctx app.Context, changed bool) {
	if !app.IsClient {
		return
	}
	ctx.Defer(func(app.Context) {
		if changed {
			focusHeading()
			announce(app.Window().Get("document").Get("title").String())
		}
		navigations++
		app.Window().Get("document").Get("documentElement").Get("dataset").Set("nav", strconv.Itoa(navigations))
	})
}

// focusHeading moves focus to the page's main heading, or to the main
// content when it has none.
func focusHeading() {
	doc := app.Window().Get("document")
	app.Window().Call("scrollTo", 0, 0)
	target := doc.Call("querySelector", "#maincontent h1")
	if !target.Truthy() {
		target = doc.Call("getElementById", "maincontent")
	}
	if !target.Truthy() {
		return
	}
	if !target.Call("hasAttribute", "tabindex").Bool() {
		target.Call("setAttribute", "tabindex", "-1")
	}
	target.Call("focus", map[string]any{"preventScroll": true})
}

// announce says text in a polite live region outside the app's own tree,
// made the first time it is needed.
func announce(text string) {
	doc := app.Window().Get("document")
	region := doc.Call("getElementById", "companion-announce")
	if !region.Truthy() {
		region = doc.Call("createElement", "div")
		region.Set("id", "companion-announce")
		region.Set("className", "nhsuk-u-visually-hidden")
		region.Call("setAttribute", "aria-live", "polite")
		region.Call("setAttribute", "aria-atomic", "true")
		doc.Get("body").Call("appendChild", region)
	}
	region.Set("textContent", "")
	var say app.Func
	say = app.FuncOf(func(app.Value, []app.Value) any {
		region.Set("textContent", text)
		say.Release()
		return nil
	})
	app.Window().Call("setTimeout", say, 100)
}

// send sends a form of this page to action, from the UI goroutine.
func (p *dataPage) send(action string, values url.Values, key string, form app.Value) {
	p.ctx.Dispatch(func(ctx app.Context) { p.fetch(ctx, "POST", action, values, key, form) })
}
