package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// inboxPage is a practice's online requests, for its staff: who each is
// from, what they asked, a reply to mark it responded, and the practice's
// safeguards (pause requests with a reason, for a limited time).
type inboxPage struct {
	app.Compo
	store *Store
}

func newInboxPage(s *Store) Page { return &inboxPage{store: s} }

// Title is the page title.
func (p *inboxPage) Title() string { return p.store.L().T("inbox.title") }

// Render draws the page.
func (p *inboxPage) Render() app.UI {
	l := p.store.L()
	b := p.store.State.Inbox
	if b == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	content := []app.UI{
		backLink("/admin", l.T("form.back")),
		formSummary(p.store, b.Errors),
		app.Span().Class("nhsuk-caption-l").Text(b.PracticeName),
		app.H1().Text(p.Title()),
		inboxReadings(p.store, b),
		p.safetyEvents(b),
		p.status(b),
		p.settings(b),
		app.H2().Text(l.T("inbox.requests")),
	}
	if len(b.Items) == 0 {
		content = append(content, app.P().Text(l.T("inbox.none")))
	}
	for _, it := range b.Items {
		content = append(content, p.item(b, it))
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// status is whether the practice takes requests now, and the pause form.
func (p *inboxPage) status(b *api.Inbox) app.UI {
	l := p.store.L()
	av := b.Availability
	state := l.T("inbox.open", "Hours", av.Hours)
	if !av.Open {
		state = l.T("inbox.closed", "Hours", av.Hours)
	}
	body := []app.UI{app.H2().Text(l.T("inbox.status")), app.P().ID("inbox-state").Text(state)}
	if av.Why == "suspended" {
		return app.Div().Body(append(body,
			app.P().Text(l.T("inbox.paused", "Until", formatTime(l, av.Reopens), "Reason", av.Suspended)),
			app.Form().Action("/admin/contact/resume").Method("post").Body(
				app.Input().Type("hidden").Name("practice").Value(attr(b.Practice)),
				app.Button().Class("nhsuk-button nhsuk-button--secondary").Type("submit").Text(l.T("inbox.resume")),
			))...)
	}
	msg, errUI := fieldError(p.store, b.Errors, "suspend")
	group := app.Div().Class("nhsuk-form-group")
	input := app.Input().Class("nhsuk-input").ID("suspend-0").Name("reason").Type("text").Aria("describedby", "suspend-hint")
	if msg != "" {
		group = group.Class("nhsuk-form-group--error")
		input = input.Class("nhsuk-input--error").Aria("describedby", "suspend-hint suspend-error")
	}
	var options []app.UI
	for _, m := range []int{30, 60, 120, 240, 480} {
		if m <= b.MaxSuspension {
			options = append(options, el.Option().Attr("value", itoa(m)).Text(l.N("inbox.minutes", m)))
		}
	}
	return app.Div().Body(append(body,
		app.Form().Action("/admin/contact/suspend").Method("post").Attr("novalidate", true).Body(
			app.Input().Type("hidden").Name("practice").Value(attr(b.Practice)),
			el.H3().Class("nhsuk-heading-s").Text(l.T("inbox.pause.heading")),
			group.Body(
				el.Label().Class("nhsuk-label").Attr("for", "suspend-0").Text(l.T("inbox.pause.reason")),
				app.Div().Class("nhsuk-hint").ID("suspend-hint").Text(l.T("inbox.pause.hint")),
				errUI,
				input,
			),
			app.Div().Class("nhsuk-form-group").Body(
				el.Label().Class("nhsuk-label").Attr("for", "minutes").Text(l.T("inbox.pause.for")),
				el.Select().Class("nhsuk-select").ID("minutes").Attr("name", "minutes").Body(options...),
			),
			app.Button().Class("nhsuk-button nhsuk-button--warning").Type("submit").Text(l.T("inbox.pause.submit")),
		))...)
}

// item is one request, with the reply form while it waits.
func (p *inboxPage) item(b *api.Inbox, it api.InboxItem) app.UI {
	l := p.store.L()
	c := it.Request
	rows := []app.UI{
		summaryRow(l.T("inbox.patient"), it.Patient+" ("+formatDate(l, it.BirthDate)+")"),
		summaryRow(l.T("contact.check.kind"), ContactKindName(l, c.Kind)),
		summaryRow(l.T("inbox.sent"), formatTime(l, c.Sent)),
		summaryRow(l.T("inbox.replyBy"), formatTime(l, c.ReplyBy)),
	}
	if it.ByProxy {
		rows = append(rows, summaryRow(l.T("inbox.from"), l.T("inbox.byProxy")))
	}
	for _, a := range c.Answers {
		rows = append(rows, summaryRow(a.Question, a.Answer))
	}
	rows = append(rows, summaryRow(l.T("contact.check.text"), c.Text))
	body := []app.UI{
		el.H3().Class("nhsuk-card__heading nhsuk-heading-s").Text(ContactKindName(l, c.Kind) + ": " + it.Patient),
		app.P().Body(contactStatusTag(p.store, c.Status)),
		el.Dl().Class("nhsuk-summary-list").Body(rows...),
	}
	if c.Status == "responded" {
		body = append(body, app.P().Text(l.T("inbox.replied", "When", formatTime(l, c.Responded), "Reply", c.Reply)))
	} else {
		field := "reply-" + c.ID
		msg, errUI := fieldError(p.store, b.Errors, field)
		group := app.Div().Class("nhsuk-form-group")
		textarea := app.Textarea().Class("nhsuk-textarea").ID(attr(field + "-0")).Name("reply").Rows(4)
		if msg != "" {
			group = group.Class("nhsuk-form-group--error")
			textarea = textarea.Class("nhsuk-textarea--error").Aria("describedby", attr(field+"-error"))
		}
		body = append(body, app.Form().Action("/admin/inbox/"+attr(c.ID)+"/respond").Method("post").Attr("novalidate", true).Body(
			app.Input().Type("hidden").Name("practice").Value(attr(b.Practice)),
			group.Body(
				el.Label().Class("nhsuk-label").Attr("for", attr(field+"-0")).Text(l.T("inbox.reply.label", "Name", it.Patient)),
				errUI,
				textarea,
			),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("inbox.reply.submit")),
		))
	}
	return app.Div().Class("nhsuk-card").ID(attr("request-"+c.ID)).DataSet("request", attr(c.ID)).DataSet("status", attr(c.Status)).Body(
		app.Div().Class("nhsuk-card__content").Body(body...),
	)
}

// contactStatusTag is a request's status as a tag.
func contactStatusTag(s *Store, status string) app.UI {
	l := s.L()
	if status == "responded" {
		return el.Strong().Class("nhsuk-tag nhsuk-tag--green").Text(l.T("contact.status.responded"))
	}
	return el.Strong().Class("nhsuk-tag nhsuk-tag--blue").Text(l.T("contact.status.received"))
}

// settings is the form for the practice's opening windows, daily caps and
// per-patient limit; every change needs a reason.
func (p *inboxPage) settings(b *api.Inbox) app.UI {
	l := p.store.L()
	set := b.Settings
	input := func(id, name, label, hint, value, class string) app.UI {
		msg, errUI := fieldError(p.store, b.Errors, id)
		group := app.Div().Class("nhsuk-form-group")
		in := app.Input().Class("nhsuk-input " + class).ID(id + "-0").Name(name).Type("text").Value(attr(value))
		describedBy := ""
		if hint != "" {
			describedBy = id + "-hint"
		}
		if msg != "" {
			group = group.Class("nhsuk-form-group--error")
			in = in.Class("nhsuk-input--error")
			describedBy += " " + id + "-error"
		}
		if describedBy != "" {
			in = in.Aria("describedby", describedBy)
		}
		body := []app.UI{el.Label().Class("nhsuk-label").Attr("for", id+"-0").Text(label)}
		if hint != "" {
			body = append(body, app.Div().Class("nhsuk-hint").ID(id+"-hint").Text(hint))
		}
		return group.Body(append(body, errUI, in)...)
	}
	fields := []app.UI{
		app.Input().Type("hidden").Name("practice").Value(attr(b.Practice)),
		input("hours", "hours", l.T("inbox.settings.hours"), l.T("inbox.settings.hoursHint"), set.Hours, "nhsuk-u-width-two-thirds"),
		app.Div().Class("nhsuk-form-group").Body(app.Div().Class("nhsuk-checkboxes").Body(
			app.Div().Class("nhsuk-checkboxes__item").Body(
				checkedIf(app.Input().Class("nhsuk-checkboxes__input").ID("bank_holidays_open").Name("bank_holidays_open").Type("checkbox").Value("on"), set.BankHolidaysOpen),
				el.Label().Class("nhsuk-label nhsuk-checkboxes__label").Attr("for", "bank_holidays_open").Text(l.T("inbox.settings.bankHolidays")),
			),
		)),
	}
	for _, k := range []string{"medical", "medication", "admin"} {
		fields = append(fields, input("cap-"+k, "cap-"+k, l.T("inbox.settings.cap", "Kind", ContactKindName(l, k)), l.T("inbox.settings.zeroHint"), itoa(set.Caps[k]), "nhsuk-input--width-4"))
	}
	fields = append(fields,
		input("patient_daily", "patient_daily", l.T("inbox.settings.patientDaily"), l.T("inbox.settings.zeroHint"), itoa(set.PatientDaily), "nhsuk-input--width-4"),
		input("settings-reason", "reason", l.T("inbox.settings.reason"), "", "", ""),
		app.Button().Class("nhsuk-button nhsuk-button--secondary").Type("submit").Text(l.T("inbox.settings.submit")),
	)
	return app.Div().ID("settings").Body(
		app.H2().Text(l.T("inbox.settings.heading")),
		app.Form().Action("/admin/contact/settings").Method("post").Attr("novalidate", true).Body(fields...),
	)
}
