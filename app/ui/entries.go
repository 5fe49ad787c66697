package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// notifyText is what a notification of kind says: the same words as its
// push, for the person or for someone they act for.
func notifyText(s *Store, kind string) string {
	keys, ok := api.NotifyText[kind]
	if !ok {
		return "" // a kind newer than this app
	}
	if s.State.ActingFor != nil {
		return s.L().T(keys.Other)
	}
	return s.L().T(keys.Self)
}

// entries lists the unread notifications of the profile in use, each a
// link that opens it (and marks it read).
func entries(s *Store, list []api.NotifyEntry) app.UI {
	l := s.L()
	items := make([]app.UI, 0, len(list))
	for _, e := range list {
		text := notifyText(s, e.Kind)
		if text == "" {
			continue
		}
		items = append(items, app.Li().DataSet("entry", attr(e.Kind)).Body(
			app.A().Href(attr(e.Open)).DataSet("noprefetch", "").Text(text),
			app.Span().Class("nhsuk-body-s nhsuk-u-display-block nhsuk-u-secondary-text-color").Text(formatTime(l, e.At)),
		))
	}
	if len(items) == 0 {
		return nil
	}
	return app.Div().ID("notify-entries").Body(
		app.H2().Text(l.T("home.entries.heading")),
		el.Ul().Class("nhsuk-list nhsuk-list--border").Body(items...),
	)
}
