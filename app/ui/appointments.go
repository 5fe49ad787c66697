package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// appointmentsPage lists the patient's appointments: upcoming, past and
// cancelled, with the way to book another.
type appointmentsPage struct {
	app.Compo
	store *Store
}

func newAppointmentsPage(s *Store) Page { return &appointmentsPage{store: s} }

// Title is the page title.
func (p *appointmentsPage) Title() string { return p.store.L().T("appointments.title") }

// Render draws the page.
func (p *appointmentsPage) Render() app.UI {
	l := p.store.L()
	d := p.store.State.Diary
	content := []app.UI{}
	if d == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	if a := p.store.State.ActingFor; a != nil {
		content = append(content, app.Span().Class("nhsuk-caption-l").Text(a.Name))
	}
	if d.Notice == "cancelled" {
		content = append(content, successBanner(l.T("form.success"), l.T("appointments.cancelled")))
	}
	content = append(content, app.H1().Text(p.Title()))
	if d.Limit > 0 && len(d.Upcoming) >= d.Limit {
		content = append(content, app.Div().Class("nhsuk-inset-text").Body(
			app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.information")),
			app.P().Text(l.N("appointments.limit", d.Limit)),
		))
	} else {
		content = append(content, app.A().Class("nhsuk-button").Href("/appointments/book").
			Attr("role", "button").Attr("draggable", "false").Text(l.T("appointments.book")))
	}
	content = append(content, app.H2().Text(l.T("appointments.upcoming")))
	if len(d.Upcoming) == 0 {
		content = append(content, app.P().Text(l.T("appointments.none")))
	}
	for _, a := range d.Upcoming {
		content = append(content, p.card(a, true))
	}
	if len(d.Past) > 0 {
		content = append(content, app.H2().Text(l.T("appointments.past")))
		for _, a := range d.Past {
			content = append(content, p.card(a, false))
		}
	}
	if len(d.Cancelled) > 0 {
		items := make([]app.UI, 0, len(d.Cancelled))
		for _, a := range d.Cancelled {
			items = append(items, p.card(a, false))
		}
		content = append(content, el.Details().Class("nhsuk-details").Body(
			el.Summary().Class("nhsuk-details__summary").Body(
				app.Span().Class("nhsuk-details__summary-text").Text(l.N("appointments.cancelledCount", len(d.Cancelled))),
			),
			app.Div().Class("nhsuk-details__text").Body(items...),
		))
	}
	content = append(content, app.P().Text(l.T("appointments.call", "Practice", d.Practice, "Phone", d.Phone)))
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// card is one appointment in a list.
func (p *appointmentsPage) card(a api.Appointment, upcoming bool) app.UI {
	l := p.store.L()
	heading := formatTime(l, a.Slot.Start)
	body := []app.UI{
		el.H3().Class("nhsuk-card__heading nhsuk-heading-s").Body(
			app.If(upcoming, app.A().Class("nhsuk-card__link").Href("/appointments/"+attr(a.ID)).Text(heading)).
				Else(app.Text(heading)),
		),
		app.P().Class("nhsuk-card__description").Text(appointmentLine(l, a.Slot)),
	}
	if a.Status == "cancelled" {
		body = append(body, app.P().Body(el.Strong().Class("nhsuk-tag nhsuk-tag--grey").Text(l.T("appointments.status.cancelled"))))
	}
	card := app.Div().Class("nhsuk-card")
	if upcoming {
		card = card.Class("nhsuk-card--clickable")
	}
	return card.DataSet("appointment", attr(a.ID)).Body(app.Div().Class("nhsuk-card__content").Body(body...))
}

// successBanner is the NHS notification banner for something done.
func successBanner(title, text string) app.UI {
	return app.Div().Class("nhsuk-notification-banner nhsuk-notification-banner--success").Attr("role", "alert").
		Aria("labelledby", "notification-title").Body(
		app.Div().Class("nhsuk-notification-banner__header").Body(
			app.H2().Class("nhsuk-notification-banner__title").ID("notification-title").Text(title),
		),
		app.Div().Class("nhsuk-notification-banner__content").Body(
			app.P().Class("nhsuk-notification-banner__heading").Text(text),
		),
	)
}
