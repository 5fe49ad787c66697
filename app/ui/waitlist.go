package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// waitlistQuestion is /appointments/{id}/waitlist: how much earlier, and
// with whom, before joining the practice's list for an earlier time.
func (p *appointmentPage) waitlistQuestion(v *api.AppointmentView) []app.UI {
	l := p.store.L()
	a := v.Appointment
	clinician := "any"
	if v.Answers.SameClinician {
		clinician = "same"
	}
	msg, errUI := fieldError(p.store, v.Errors, "before")
	group := app.Div().Class("nhsuk-form-group")
	input := app.Input().Class("nhsuk-input nhsuk-date-input__input").Type("date").ID("before-0").Name("before").
		Value(attr(v.Answers.Before)).Aria("describedby", "before-hint")
	if msg != "" {
		group = group.Class("nhsuk-form-group--error")
		input = input.Class("nhsuk-input--error").Aria("describedby", "before-hint before-error")
	}
	return []app.UI{
		backLink("/appointments/"+a.ID, l.T("form.back")),
		formSummary(p.store, v.Errors),
		app.Span().Class("nhsuk-caption-l").Text(l.T("waitlist.for", "Name", v.Patient)),
		app.H1().Text(p.Title()),
		app.P().Text(l.T("waitlist.lead", "When", formatTime(l, a.Slot.Start))),
		app.Form().Action("/appointments/"+attr(a.ID)+"/waitlist").Method("post").Attr("novalidate", true).Body(
			radios(p.store, v.Errors, "clinician", l.T("waitlist.clinician.legend"), []choice{
				{"any", l.T("waitlist.clinician.any"), ""},
				{"same", l.T("waitlist.clinician.same", "Clinician", a.Slot.Clinician), ""},
			}, clinician),
			group.Body(
				el.Label().Class("nhsuk-label nhsuk-label--m").Attr("for", "before-0").Text(l.T("waitlist.before.label")),
				app.Div().Class("nhsuk-hint").ID("before-hint").Text(l.T("waitlist.before.hint")),
				errUI,
				input,
			),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("waitlist.submit")),
		),
	}
}

// waitlistPart is the appointment page's part about the list: the earlier
// time offered, with accept and decline; being on the list, with a way
// off; or a link to join.
func (p *appointmentPage) waitlistPart(v *api.AppointmentView) []app.UI {
	l := p.store.L()
	a := v.Appointment
	action := func(what, label, class string, fields ...app.UI) app.UI {
		return app.Form().Action("/appointments/" + attr(a.ID) + "/waitlist/" + what).Method("post").Body(
			append(fields, app.Button().Class("nhsuk-button "+class).Type("submit").Text(label))...)
	}
	e := v.Waitlist
	switch {
	case e != nil && e.Offer != nil:
		o := e.Offer
		return []app.UI{app.Div().Class("nhsuk-notification-banner").ID("offer").Attr("role", "region").Aria("labelledby", "offer-title").Body(
			app.Div().Class("nhsuk-notification-banner__header").Body(
				app.H2().Class("nhsuk-notification-banner__title").ID("offer-title").Text(l.T("waitlist.offer.title")),
			),
			app.Div().Class("nhsuk-notification-banner__content").Body(
				app.P().Class("nhsuk-notification-banner__heading").Text(l.T("waitlist.offer.body", "When", formatTime(l, o.Slot.Start))),
				app.P().Text(appointmentLine(l, o.Slot)),
				app.P().Text(l.T("waitlist.offer.until", "Time", clock(o.Expires))),
				action("accept", l.T("waitlist.offer.accept"), "", app.Input().Type("hidden").Name("slot").Value(attr(o.Slot.ID))),
				action("decline", l.T("waitlist.offer.decline"), "nhsuk-button--secondary"),
			),
		)}
	case e != nil:
		text := l.T("waitlist.on.any")
		if e.Before != "" {
			text = l.T("waitlist.on.before", "Date", formatDate(l, e.Before))
		}
		return []app.UI{
			app.H2().Text(l.T("waitlist.heading")),
			app.P().ID("waiting").Text(text),
			action("leave", l.T("waitlist.leave"), "nhsuk-button--secondary"),
		}
	case v.CanWait:
		return []app.UI{app.P().Body(app.A().Href("/appointments/" + attr(a.ID) + "/waitlist").Text(l.T("waitlist.join")))}
	}
	return nil
}

// waitlistNotice is what the page says first after joining the list, or
// when the earlier time offered has gone.
func (p *appointmentPage) waitlistNotice(v *api.AppointmentView) app.UI {
	l := p.store.L()
	switch v.Notice {
	case "waitlist_joined":
		return successBanner(l.T("form.success"), l.T("waitlist.joined"))
	case "offer_gone":
		return app.Div().Class("nhsuk-inset-text").ID("offer-gone").Body(
			app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.information")),
			app.P().Text(l.T("waitlist.gone")),
		)
	}
	return nil
}

// offerBanner is an earlier time held for the person, on the home page.
func offerBanner(s *Store, o api.WaitlistOffer) app.UI {
	l := s.L()
	id := "offer-" + o.AppointmentID
	return app.Div().Class("nhsuk-notification-banner").Attr("role", "region").Aria("labelledby", attr(id+"-title")).
		DataSet("offer", attr(o.AppointmentID)).Body(
		app.Div().Class("nhsuk-notification-banner__header").Body(
			app.H2().Class("nhsuk-notification-banner__title").ID(attr(id+"-title")).Text(l.T("waitlist.offer.title")),
		),
		app.Div().Class("nhsuk-notification-banner__content").Body(
			app.P().Class("nhsuk-notification-banner__heading").Text(l.T("waitlist.offer.body", "When", formatTime(l, o.Slot.Start))),
			app.P().Text(l.T("waitlist.offer.until", "Time", clock(o.Expires))),
			app.P().Body(app.A().Class("nhsuk-notification-banner__link").Href("/appointments/"+attr(o.AppointmentID)).Text(l.T("waitlist.offer.see"))),
		),
	)
}
