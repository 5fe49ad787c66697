package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
)

// settingsPage lists the person's active sessions (device, started, last
// seen) and lets them end any of them, or all.
type settingsPage struct {
	app.Compo
	store *Store

	sessions []api.SessionInfo
	loaded   bool
	failed   bool
}

func newSettingsPage(s *Store) Page {
	p := &settingsPage{store: s}
	if s.HandedOver("/settings") && s.State.User != nil {
		p.sessions, p.loaded = s.State.Sessions, true
	}
	return p
}

// Title is the page title.
func (p *settingsPage) Title() string { return p.store.L().T("settings.title") }

// OnNav fetches the sessions when the app navigated here itself (the server
// handed them over otherwise).
func (p *settingsPage) OnNav(ctx app.Context) {
	if p.loaded {
		return
	}
	ctx.Async(func() {
		var out []api.SessionInfo
		err := api.NewClient("").Get(ctx, "/api/v1/sessions", &out)
		ctx.Dispatch(func(app.Context) {
			if se, ok := err.(*api.StatusError); ok && se.Status == 401 {
				app.Window().Get("location").Call("assign", "/auth/login?return=/settings")
				return
			}
			p.sessions, p.loaded, p.failed = out, err == nil, err != nil
		})
	})
}

// Render draws the page.
func (p *settingsPage) Render() app.UI {
	l := p.store.L()
	content := []app.UI{app.H1().Text(p.Title()),
		app.H2().Text(l.T("notify.settings.title")),
		app.P().Body(app.A().Href("/settings/notifications").Text(l.T("settings.notify.link"))),
		app.H2().Text(l.T("settings.activity.heading")),
		app.P().Body(app.A().Href("/activity").Text(l.T("settings.activity.link"))),
		app.H2().Text(l.T("settings.sessions.heading"))}
	switch {
	case p.failed:
		content = append(content, app.P().Text(l.T("error.internal")))
	case !p.loaded:
		content = append(content, app.P().Attr("role", "status").Text(l.T("shell.loading")))
	default:
		content = append(content,
			app.P().Text(l.N("settings.sessions.count", len(p.sessions))),
			el.Dl().Class("nhsuk-summary-list").Body(
				app.Range(p.sessions).Slice(func(i int) app.UI { return p.row(p.sessions[i]) }),
			),
			app.Form().Action("/auth/logout-everywhere").Method("post").Body(
				app.Button().Class("nhsuk-button nhsuk-button--secondary").Type("submit").Text(l.T("settings.signOutEverywhere")),
			),
		)
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

func (p *settingsPage) row(s api.SessionInfo) app.UI {
	l := p.store.L()
	device := s.Device
	if device == "" {
		device = l.T("settings.device.unknown")
	}
	detail := l.T("settings.session.detail", "Started", formatTime(l, s.Started), "LastSeen", formatTime(l, s.LastSeen))
	var action app.UI
	if s.Current {
		action = el.Strong().Class("nhsuk-tag").Text(l.T("settings.session.current"))
	} else {
		action = app.Form().Action("/settings/sessions/" + attr(s.ID) + "/end").Method("post").Body(
			app.Button().Class("nhsuk-button nhsuk-button--secondary nhsuk-button--small").Type("submit").Body(
				app.Text(l.T("settings.session.end")),
				app.Span().Class("nhsuk-u-visually-hidden").Text(" "+l.T("settings.session.endHidden", "Device", device)),
			),
		)
	}
	return app.Div().Class("nhsuk-summary-list__row").Body(
		el.Dt().Class("nhsuk-summary-list__key").Text(device),
		el.Dd().Class("nhsuk-summary-list__value").Text(detail),
		el.Dd().Class("nhsuk-summary-list__actions").Body(action),
	)
}

// formatTime shows a time in UK local time, as people there read it, with
// day and month named in the page's language ("Dydd Sul 22 Tachwedd 2026, 12:20").
func formatTime(l *i18n.Localizer, ms int64) string {
	t := time.UnixMilli(ms).In(ukTime())
	return l.T("date.dateTime", "Weekday", l.T(weekdayKeys[t.Weekday()]), "Day", t.Day(),
		"Month", l.T(monthKeys[t.Month()-1]), "Year", t.Year(), "Time", t.Format("15:04"))
}

// weekdayKeys are the catalogue keys of day names, Sunday first (time.Weekday).
var weekdayKeys = [7]string{"date.weekday.0", "date.weekday.1", "date.weekday.2", "date.weekday.3",
	"date.weekday.4", "date.weekday.5", "date.weekday.6"}

// monthKeys are the catalogue keys of month names, January first.
var monthKeys = [12]string{"date.month.1", "date.month.2", "date.month.3", "date.month.4", "date.month.5", "date.month.6",
	"date.month.7", "date.month.8", "date.month.9", "date.month.10", "date.month.11", "date.month.12"}
