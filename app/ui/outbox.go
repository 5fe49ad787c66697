package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// outboxPage is a practice's messages to its patients, for its staff: the
// form to write to a patient, then what was sent, whether each was read
// (and by the patient or someone acting for them) and the replies.
type outboxPage struct {
	app.Compo
	store *Store
}

// StaffMessages is a practice's messages to its patients.
func StaffMessages(s *Store) Page { return &outboxPage{store: s} }

// Title is the page title.
func (p *outboxPage) Title() string { return p.store.L().T("outbox.title") }

// SplitKeywords reads the keywords field: comma-separated, blanks dropped.
func SplitKeywords(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// Render draws the page.
func (p *outboxPage) Render() app.UI {
	l := p.store.L()
	b := p.store.State.Outbox
	if b == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	content := []app.UI{backLink("/admin", l.T("form.back"))}
	if b.Sent != "" {
		content = append(content, app.Div().ID("sent").Body(successBanner(l.T("form.success"), l.T("outbox.sent"))))
	}
	content = append(content,
		formSummary(p.store, b.Errors),
		app.Span().Class("nhsuk-caption-l").Text(b.PracticeName),
		app.H1().Text(p.Title()),
		p.writeOrCheck(b),
		app.H2().Text(l.T("outbox.list")),
	)
	if len(b.Items) == 0 {
		content = append(content, app.P().Text(l.T("outbox.none")))
	}
	for _, m := range b.Items {
		content = append(content, p.item(m))
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// input is a one-line field with its label, hint and error.
func (p *outboxPage) input(errs []api.FieldError, field, label, hint, value, class string) app.UI {
	msg, errUI := fieldError(p.store, errs, field)
	group := app.Div().Class("nhsuk-form-group")
	in := app.Input().Class("nhsuk-input " + class).ID(field + "-0").Name(field).Type("text").Value(attr(value))
	describedBy := ""
	if hint != "" {
		describedBy = field + "-hint"
	}
	if msg != "" {
		group, in = group.Class("nhsuk-form-group--error"), in.Class("nhsuk-input--error")
		describedBy = strings.TrimSpace(describedBy + " " + field + "-error")
	}
	if describedBy != "" {
		in = in.Aria("describedby", describedBy)
	}
	body := []app.UI{el.Label().Class("nhsuk-label nhsuk-label--s").Attr("for", field+"-0").Text(label)}
	if hint != "" {
		body = append(body, app.Div().Class("nhsuk-hint").ID(field+"-hint").Text(hint))
	}
	return group.Body(append(body, errUI, in)...)
}

// writeOrCheck is the form, or the message about to be sent with whom it
// goes to, to send or change.
func (p *outboxPage) writeOrCheck(b *api.Outbox) app.UI {
	if b.Check == nil {
		return p.form(b)
	}
	l := p.store.L()
	c, f := b.Check, b.Form
	reply := l.T("outbox.reply.none")
	switch {
	case len(c.Keywords) > 0:
		reply = l.T("outbox.reply.keywords") + ": " + strings.Join(c.Keywords, ", ")
	case c.ReplyAsked:
		reply = l.T("outbox.reply.text")
	}
	kind := "none"
	if f.Reply != nil {
		kind = "text"
		if len(f.Reply.Keywords) > 0 {
			kind = "keywords"
		}
	}
	hidden := func(name, value string) app.UI { return app.Input().Type("hidden").Name(name).Value(attr(value)) }
	return app.Div().ID("check").Body(
		app.H2().Text(l.T("outbox.check")),
		el.Dl().Class("nhsuk-summary-list").Body(
			summaryRow(l.T("inbox.patient"), c.Patient+" ("+formatDate(l, c.BirthDate)+")"),
			summaryRow(l.T("outbox.nhsNumber"), f.NHSNumber[:3]+" "+f.NHSNumber[3:6]+" "+f.NHSNumber[6:]),
			summaryRow(l.T("outbox.subject"), c.Subject),
			summaryRow(l.T("outbox.reply"), reply),
		),
		el.H3().Class("nhsuk-heading-s").Text(l.T("outbox.body")),
		app.Div().Class("nhsuk-inset-text companion-message-body").Body(TextBlocks(c.Body)...),
		app.Form().Action("/admin/messages").Method("post").Body(
			hidden("practice", b.Practice), hidden("nhs_number", f.NHSNumber), hidden("subject", f.Subject),
			hidden("body", f.Body), hidden("reply", kind), hidden("keywords", b.Keywords), hidden("confirmed", "yes"), hidden("idempotency_key", b.Key),
			app.Div().Class("nhsuk-button-group").Body(
				app.Button().Class("nhsuk-button").Type("submit").Text(l.T("outbox.send", "Name", c.Patient)),
				app.Button().Class("nhsuk-button nhsuk-button--secondary").Type("submit").Name("change").Value("1").Text(l.T("outbox.change")),
			),
		),
	)
}

// form writes to one of the practice's patients.
func (p *outboxPage) form(b *api.Outbox) app.UI {
	l := p.store.L()
	f := b.Form
	reply := "none"
	if f.Reply != nil {
		reply = "text"
		if len(f.Reply.Keywords) > 0 || b.Keywords != "" {
			reply = "keywords"
		}
	}
	return app.Form().Action("/admin/messages").Method("post").Attr("novalidate", true).Body(
		app.H2().Text(l.T("outbox.write")),
		app.Input().Type("hidden").Name("practice").Value(attr(b.Practice)),
		p.input(b.Errors, "nhs_number", l.T("outbox.nhsNumber"), l.T("outbox.nhsNumber.hint"), f.NHSNumber, "nhsuk-input--width-10"),
		p.input(b.Errors, "subject", l.T("outbox.subject"), l.T("outbox.subject.hint"), f.Subject, ""),
		textareaField(p.store, b.Errors, "body", l.T("outbox.body"), l.T("outbox.body.hint", "Max", b.BodyMax), f.Body, 8),
		radios(p.store, b.Errors, "reply", l.T("outbox.reply"), []choice{
			{value: "none", label: l.T("outbox.reply.none")},
			{value: "text", label: l.T("outbox.reply.text")},
			{value: "keywords", label: l.T("outbox.reply.keywords")},
		}, reply),
		p.input(b.Errors, "keywords", l.T("outbox.keywords"), l.T("outbox.keywords.hint"), b.Keywords, ""),
		app.Button().Class("nhsuk-button").Type("submit").Text(l.T("outbox.submit")),
	)
}

// item is one message sent, with its receipt and reply.
func (p *outboxPage) item(m api.SentMessage) app.UI {
	l := p.store.L()
	read := l.T("outbox.unread")
	if m.Read != 0 {
		read = formatTime(l, m.Read)
		if m.ReadByProxy {
			read = l.T("outbox.readByProxy", "When", read)
		}
	}
	rows := []app.UI{
		summaryRow(l.T("inbox.patient"), m.Patient+" ("+formatDate(l, m.BirthDate)+")"),
		summaryRow(l.T("inbox.sent"), formatTime(l, m.Sent)),
		summaryRow(l.T("outbox.read"), read),
	}
	switch {
	case m.Reply != "":
		reply := l.T("outbox.repliedAt", "When", formatTime(l, m.Replied))
		if m.RepliedByProxy {
			reply = l.T("outbox.repliedByProxy", "When", formatTime(l, m.Replied))
		}
		rows = append(rows, summaryRow(l.T("outbox.replyRow"), m.Reply+" ("+reply+")"))
	case m.ReplyAsked:
		rows = append(rows, summaryRow(l.T("outbox.replyRow"), l.T("outbox.awaiting")))
	}
	state, tag := "unread", el.Strong().Class("nhsuk-tag nhsuk-tag--grey").Text(l.T("outbox.status.unread"))
	switch {
	case m.Reply != "":
		state, tag = "replied", el.Strong().Class("nhsuk-tag nhsuk-tag--green").Text(l.T("outbox.status.replied"))
	case m.Read != 0:
		state, tag = "read", el.Strong().Class("nhsuk-tag nhsuk-tag--blue").Text(l.T("outbox.status.read"))
	}
	return app.Div().Class("nhsuk-card").ID(attr("message-"+m.ID)).DataSet("message", attr(m.ID)).DataSet("state", state).Body(
		app.Div().Class("nhsuk-card__content").Body(
			el.H3().Class("nhsuk-card__heading nhsuk-heading-s").Text(m.Subject+": "+m.Patient),
			app.P().Body(tag),
			el.Dl().Class("nhsuk-summary-list").Body(rows...),
			el.Details().Class("nhsuk-details").Body(
				el.Summary().Class("nhsuk-details__summary").Body(app.Span().Class("nhsuk-details__summary-text").Text(l.T("outbox.showBody"))),
				app.Div().Class("nhsuk-details__text").Body(TextBlocks(m.Body)...),
			),
		),
	)
}
