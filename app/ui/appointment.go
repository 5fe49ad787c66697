package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
)

// appointmentPage is one appointment: after booking, its confirmation with
// what to bring and a calendar download; on /cancel, the question before
// cancelling it.
type appointmentPage struct {
	app.Compo
	store *Store
}

// AppointmentPage builds one appointment's page from the server's state.
func AppointmentPage(s *Store) Page { return &appointmentPage{store: s} }

// Title is the page title.
func (p *appointmentPage) Title() string {
	l := p.store.L()
	v := p.store.State.Appointment
	switch {
	case v == nil:
		return l.T("appointment.title")
	case v.Booked:
		return l.T("appointment.booked.title")
	case v.Changed:
		return l.T("appointment.changed.title")
	case v.Confirm:
		return l.T("cancel.title")
	case v.Asking:
		return l.T("waitlist.title")
	}
	return l.T("appointment.title")
}

// appointmentLine is "GP appointment with Dr … (GP), in person".
func appointmentLine(l *i18n.Localizer, s api.Slot) string {
	return l.T("appointment.line", "Type", SlotTypeName(l, s.Type), "Clinician", s.Clinician, "Role", s.ClinicianRole, "Mode", ModeName(l, s.Mode))
}

// Render draws the page.
func (p *appointmentPage) Render() app.UI {
	l := p.store.L()
	v := p.store.State.Appointment
	if v == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	a := v.Appointment
	details := el.Dl().Class("nhsuk-summary-list").Body(
		summaryRow(l.T("book.check.patient"), v.Patient),
		summaryRow(l.T("book.check.when"), formatTime(l, a.Slot.Start)),
		summaryRow(l.T("book.check.type"), SlotTypeName(l, a.Slot.Type)),
		summaryRow(l.T("book.check.with"), a.Slot.Clinician+" ("+a.Slot.ClinicianRole+")"),
		summaryRow(l.T("book.check.how"), ModeName(l, a.Slot.Mode)),
		summaryRow(l.T("book.check.where"), v.Practice+", "+v.Address),
		app.If(a.Reason != "", summaryRow(l.T("book.check.reason"), a.Reason)),
	)
	var content []app.UI
	switch {
	case v.Asking:
		content = p.waitlistQuestion(v)
	case v.Confirm:
		content = []app.UI{
			backLink("/appointments/"+a.ID, l.T("form.back")),
			app.H1().Text(l.T("cancel.question", "Name", v.Patient)),
			details,
			app.Form().Action("/appointments/" + attr(a.ID) + "/cancel").Method("post").Body(
				app.Button().Class("nhsuk-button nhsuk-button--warning").Type("submit").Text(l.T("cancel.submit")),
			),
			app.P().Body(app.A().Href("/appointments").Text(l.T("cancel.keep"))),
		}
	default:
		if v.Booked || v.Changed {
			id, body := "booked", key("appointment.booked.body")
			if v.Changed {
				id, body = "changed", key("appointment.changed.body")
			}
			content = append(content, app.Div().Class("nhsuk-panel").ID(id).Body(
				app.H1().Class("nhsuk-panel__heading").Text(p.Title()),
				app.Div().Class("nhsuk-panel__body").Text(l.T(body, "Name", v.Patient, "When", formatTime(l, a.Slot.Start))),
			))
		} else {
			content = append(content, backLink("/appointments", l.T("appointments.title")), p.waitlistNotice(v), app.H1().Text(p.Title()))
		}
		content = append(content, details)
		content = append(content, p.waitlistPart(v)...)
		if a.Status == "booked" && !a.Past {
			content = append(content,
				app.H2().Text(l.T("appointment.bring.heading")),
				el.Ul().Class("nhsuk-list nhsuk-list--bullet").Body(
					app.Li().Text(l.T("appointment.bring.medicines")),
					app.Li().Text(l.T("appointment.bring.questions")),
					app.Li().Text(l.T(bringKey(a.Slot.Mode))),
				),
				app.P().Body(app.A().Href("/appointments/"+attr(a.ID)+"/calendar.ics").Attr("download", "appointment.ics").DataSet("nhsapp-calendar", "").
					Text(l.T("appointment.calendar"))),
			)
		}
		if a.Cancellable {
			content = append(content,
				app.P().Body(app.A().Href("/appointments/book?change="+attr(a.ID)).Text(l.T("appointment.change"))),
				app.P().Body(app.A().Href("/appointments/"+attr(a.ID)+"/cancel").Text(l.T("appointment.cancel"))))
		} else if a.Status == "booked" && !a.Past {
			content = append(content, app.P().Text(l.T("appointment.tooLateToCancel", "Phone", v.Phone)))
		}
		content = append(content, app.P().Body(app.A().Href("/appointments").Text(l.T("appointment.all"))))
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// bringKey is the advice that depends on how the appointment happens.
func bringKey(mode string) string {
	switch mode {
	case "telephone":
		return key("appointment.bring.telephone")
	case "video":
		return key("appointment.bring.video")
	}
	return key("appointment.bring.inPerson")
}
