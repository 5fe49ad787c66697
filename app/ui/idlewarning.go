package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// warnBefore is how long before the idle timeout the warning appears.
const warnBefore = 2 * time.Minute

// idleWarning tells a signed-in person shortly before their session times out
// and lets them stay signed in; at the timeout it sends them to sign in again,
// to come back to the page they were on. It needs the WebAssembly app; without
// it the server's own timeout still applies and the next request asks them to
// sign in.
type idleWarning struct {
	app.Compo
	Store *Store

	deadline time.Time
	showing  bool
	failed   bool
	stop     chan struct{}
}

// OnMount starts watching the clock.
func (w *idleWarning) OnMount(ctx app.Context) {
	u := w.Store.State.User
	if u == nil || u.IdleDeadline == 0 {
		return
	}
	w.deadline = time.UnixMilli(u.IdleDeadline)
	w.stop = make(chan struct{})
	stop := w.stop
	ctx.Async(func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				ctx.Dispatch(func(app.Context) { w.tick() })
			}
		}
	})
}

// OnDismount stops the clock.
func (w *idleWarning) OnDismount() {
	if w.stop != nil {
		close(w.stop)
		w.stop = nil
	}
}

func (w *idleWarning) tick() {
	now := time.Now()
	switch {
	case !now.Before(w.deadline):
		to := "/auth/login?reason=timeout&return=" + app.Window().Get("encodeURIComponent").Invoke(app.Window().URL().Path).String()
		wipeOffline(func() { app.Window().Get("location").Call("assign", to) })
	case now.After(w.deadline.Add(-warnBefore)) && !w.showing:
		w.showing = true // Dispatch re-renders the component afterwards
	}
}

func (w *idleWarning) stay(ctx app.Context, e app.Event) {
	e.PreventDefault()
	ctx.Async(func() {
		var k api.KeepAlive
		err := api.NewClient("").Post(ctx, "/auth/keepalive", nil, &k)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				w.failed = true
				return
			}
			w.deadline = time.UnixMilli(k.IdleDeadline)
			w.showing, w.failed = false, false
		})
	})
}

// Render shows the warning when it is due.
func (w *idleWarning) Render() app.UI {
	if !w.showing {
		return app.Div().Class("companion-idle").Hidden(true)
	}
	l := w.Store.L()
	msg := l.T("idle.body")
	if w.failed {
		msg = l.T("idle.failed")
	}
	return app.Div().Class("companion-idle nhsuk-warning-callout").Attr("role", "alertdialog").
		Aria("labelledby", "idle-heading").Aria("describedby", "idle-body").Body(
		app.H2().Class("nhsuk-warning-callout__label").ID("idle-heading").Body(
			app.Span().Attr("role", "text").Text(l.T("idle.heading")),
		),
		app.P().ID("idle-body").Text(msg),
		app.Form().Action("/auth/keepalive").Method("post").OnSubmit(w.stay).Body(
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("idle.stay")),
		),
	)
}
