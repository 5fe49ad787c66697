package ui

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// Offline reading: the app keeps the state of the last-seen appointments,
// prescriptions and record summary, encrypted for the person and the
// profile in use (web/offline.js), and when a page cannot be fetched it
// draws the copy kept for that profile, if any, under a banner saying when
// it was fetched, with the page's actions disabled. The copies are wiped
// when nobody is signed in, at sign-out, at timeout and when the server
// sends the browser to sign in. The service worker still caches only
// static assets.

// offlineKept are the pages kept for reading offline: the lists, and each
// message opened (a message's address has no query: a reply's
// confirmation, ?replied=1, is not kept).
var offlineKept = map[string]bool{"/appointments": true, "/prescriptions": true, "/record": true, "/messages": true}

// keptOffline reports whether the page at target is kept for reading
// offline.
func keptOffline(target string) bool {
	if rest, ok := strings.CutPrefix(target, "/messages/"); ok && rest != "" && !strings.ContainsAny(rest, "/?") {
		return true
	}
	return offlineKept[target]
}

// offlineMissing marks Store.offline when no copy was kept for the page.
const offlineMissing = -1

// offlineScope is whose a copy is: the person and the profile in use.
func offlineScope(st api.PageState) string {
	if st.User == nil {
		return ""
	}
	return st.User.PatientID + ":" + profileInUse(st)
}

func offlineStore() app.Value {
	if !app.IsClient {
		return nil
	}
	if o := app.Window().Get("companionOffline"); o.Truthy() {
		return o
	}
	return nil
}

// keepOffline keeps st, the state of the page at target, when it is one of
// offlineKept; a state with nobody signed in wipes every copy.
func keepOffline(target string, st api.PageState) {
	o := offlineStore()
	switch {
	case o == nil:
	case st.User == nil:
		o.Call("wipe")
	case keptOffline(target) && st.Status < 400 && st.Error == nil:
		if b, err := json.Marshal(st); err == nil {
			o.Call("save", offlineScope(st), target, string(b))
		}
	}
}

// wipeOffline deletes every copy, then calls then (if not nil).
func wipeOffline(then func()) {
	o := offlineStore()
	if o == nil {
		if then != nil {
			then()
		}
		return
	}
	p := o.Call("wipe")
	if then != nil {
		p.Then(func(app.Value) { then() })
	}
}

// loadOffline is the copy of the page at target kept for the profile of
// st, and when it was fetched (Unix ms). It waits for IndexedDB: call it off
// the UI goroutine.
func loadOffline(ctx context.Context, st api.PageState, target string) (api.PageState, int64, bool) {
	o := offlineStore()
	scope := offlineScope(st)
	if o == nil || scope == "" || !keptOffline(target) {
		return api.PageState{}, 0, false
	}
	got := make(chan app.Value, 1)
	o.Call("load", scope, target).Then(func(v app.Value) { got <- v })
	var v app.Value
	select {
	case v = <-got:
	case <-ctx.Done():
		return api.PageState{}, 0, false
	}
	if !v.Truthy() {
		return api.PageState{}, 0, false
	}
	var kept api.PageState
	if err := json.Unmarshal([]byte(v.Get("json").String()), &kept); err != nil || offlineScope(kept) != scope {
		return api.PageState{}, 0, false
	}
	return kept, int64(v.Get("at").Float()), true
}

// online reports whether the browser thinks it has a network.
func online() bool {
	return !app.IsClient || app.Window().Get("navigator").Get("onLine").Bool()
}

// showOffline draws the copy kept for target (or, with none kept, the
// page's heading) under the offline banner.
func (p *dataPage) showOffline(ctx app.Context, target string, kept api.PageState, at int64, found bool) {
	s := p.Store
	if found {
		s.handOver(kept)
		s.offline = at
	} else {
		path, query := api.SplitTarget(target)
		st := s.State.Fresh(path)
		st.Query = query
		s.handOver(st)
		s.offline = offlineMissing
	}
	s.arrivals++
	p.Page = orError(s, p.Build)
	p.Update()
	navigated(ctx, true)
	ctx.Defer(func(app.Context) { disableActions() })
}

// disableActions disables the page's forms while it shows an offline copy:
// the banner says why.
func disableActions() {
	buttons := app.Window().Get("document").Call("querySelectorAll", "#maincontent form button, #maincontent form input[type=submit]")
	for i := 0; i < buttons.Length(); i++ {
		b := buttons.Index(i)
		b.Set("disabled", true)
		b.Call("setAttribute", "aria-describedby", "offline-body")
	}
}

// offlineBanner says the page is a copy from when it was fetched, or that
// none was kept, and that actions need the network.
func offlineBanner(s *Store) app.UI {
	if s.offline == 0 {
		return nil
	}
	l := s.L()
	body := l.T("offline.missing")
	if s.offline != offlineMissing {
		body = l.T("offline.kept", "When", formatTime(l, s.offline))
	}
	return app.Div().ID("offline").Class("nhsuk-warning-callout").Body(
		app.H2().Class("nhsuk-warning-callout__label").Body(
			app.Span().Attr("role", "text").Text(l.T("offline.heading")),
		),
		app.P().ID("offline-body").Text(body),
	)
}

// unsentBanner says a form was not sent for want of a network. It comes
// after the page's content, below the button pressed, so drawing it moves
// none of the page's elements and the answers typed stay as they are.
func unsentBanner(s *Store) app.UI {
	if !s.unsent {
		return nil
	}
	l := s.L()
	return app.Div().ID("unsent").Class("nhsuk-warning-callout").Attr("role", "alert").Body(
		app.H2().Class("nhsuk-warning-callout__label").Body(
			app.Span().Attr("role", "text").Text(l.T("offline.heading")),
		),
		app.P().Text(l.T("offline.unsent")),
	)
}
