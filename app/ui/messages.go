package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// messagesPage is the profile's messages from their practice, newest
// first, or one message opened, with its reply form when the practice asks
// for a reply.
type messagesPage struct {
	app.Compo
	store *Store
}

// MessagesPage builds the messages pages from the server's state.
func MessagesPage(s *Store) Page { return &messagesPage{store: s} }

// Title is the page title: the message's subject when one is open.
func (p *messagesPage) Title() string {
	if m := p.store.State.Messages; m != nil && m.Open != nil {
		return m.Open.Subject
	}
	return p.store.L().T("messages.title")
}

// Render draws the page.
func (p *messagesPage) Render() app.UI {
	v := p.store.State.Messages
	switch {
	case v == nil:
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	case v.Open != nil:
		return &shell{Store: p.store, PageTitle: p.Title(), Content: p.message(v, v.Open)}
	}
	l := p.store.L()
	content := []app.UI{app.Span().Class("nhsuk-caption-l").Text(v.Patient), app.H1().Text(p.Title())}
	if len(v.Messages) == 0 {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: append(content, app.P().Text(l.T("messages.none")))}
	}
	items := make([]app.UI, 0, len(v.Messages))
	for _, m := range v.Messages {
		heading := []app.UI{app.A().Class("nhsuk-card__link").Href("/messages/"+attr(m.ID)).DataSet("noprefetch", "true").Text(m.Subject)}
		if !m.Read {
			heading = append([]app.UI{el.Strong().Class("nhsuk-tag nhsuk-tag--blue companion-unread-tag").Text(l.T("messages.unread")), app.Text(" ")}, heading...)
		}
		items = append(items, app.Li().Class("nhsuk-card nhsuk-card--clickable").DataSet("message", attr(m.ID)).
			DataSet("read", attr(map[bool]string{true: "true", false: "false"}[m.Read])).Body(
			app.Div().Class("nhsuk-card__content").Body(
				app.H2().Class("nhsuk-card__heading nhsuk-heading-s").Body(heading...),
				app.P().Class("nhsuk-card__description").Text(l.T("messages.from", "Sender", m.Sender, "When", formatTime(l, m.Sent))),
			)))
	}
	content = append(content, el.Ul().Class("nhsuk-list companion-messages").Body(items...))
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// message is one message, opened.
func (p *messagesPage) message(v *api.MessagesPage, m *api.Message) []app.UI {
	l := p.store.L()
	content := []app.UI{backLink("/messages", l.T("messages.back"))}
	if v.Replied && m.Reply != "" {
		content = append(content, successBanner(l.T("form.success"), l.T("messages.replied")))
	}
	content = append(content,
		formSummary(p.store, v.Errors),
		app.Span().Class("nhsuk-caption-l").Text(m.Sender),
		app.H1().Text(m.Subject),
		app.P().Class("nhsuk-body-s").Text(l.T("messages.sent", "When", formatTime(l, m.Sent))),
		app.Div().Class("companion-message-body").Body(TextBlocks(m.Body)...),
	)
	switch {
	case !m.ReplyAsked:
	case m.Reply != "":
		content = append(content,
			app.H2().Text(l.T("messages.yourReply")),
			app.P().ID("reply-sent").Text(m.Reply),
			app.P().Class("nhsuk-body-s").Text(l.T("messages.sent", "When", formatTime(l, m.Replied))))
	default:
		content = append(content, p.replyForm(v, m))
	}
	return content
}

// replyForm is the reply: one of the practice's keywords, or the person's
// own words.
func (p *messagesPage) replyForm(v *api.MessagesPage, m *api.Message) app.UI {
	l := p.store.L()
	var field app.UI
	if len(m.Keywords) > 0 {
		choices := make([]choice, 0, len(m.Keywords))
		for _, k := range m.Keywords {
			choices = append(choices, choice{value: k, label: k})
		}
		field = radios(p.store, v.Errors, "reply", l.T("messages.reply.choose"), choices, v.Reply)
	} else {
		field = textareaField(p.store, v.Errors, "reply", l.T("messages.reply.label"),
			l.T("messages.reply.hint", "Max", v.ReplyMax), v.Reply, 5)
	}
	return app.Form().Action("/messages/"+attr(m.ID)+"/reply").Method("post").Attr("novalidate", true).Body(
		app.H2().Text(l.T("messages.reply.heading")),
		app.Div().Class("nhsuk-inset-text").Body(
			app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.information")),
			app.P().Text(l.T("messages.reply.urgent")),
		),
		field,
		app.Button().Class("nhsuk-button").Type("submit").Text(l.T("messages.reply.submit")),
	)
}

// TextBlocks draws a message body as the server read it: paragraphs,
// lists, bold and https links.
func TextBlocks(blocks []api.TextBlock) []app.UI {
	out := make([]app.UI, 0, len(blocks))
	for _, b := range blocks {
		switch b.List {
		case "ul", "ol":
			items := make([]app.UI, 0, len(b.Items))
			for _, it := range b.Items {
				items = append(items, app.Li().Body(textRuns(it)...))
			}
			list := el.Ul().Class("nhsuk-list nhsuk-list--bullet")
			if b.List == "ol" {
				list = el.Ol().Class("nhsuk-list nhsuk-list--number")
			}
			out = append(out, list.Body(items...))
		default:
			out = append(out, app.P().Body(textRuns(b.Runs)...))
		}
	}
	return out
}

func textRuns(runs []api.TextRun) []app.UI {
	out := make([]app.UI, 0, len(runs))
	for _, r := range runs {
		switch {
		case r.Href != "":
			out = append(out, app.A().Href(attr(r.Href)).Attr("rel", "noopener noreferrer").Text(r.Text))
		case r.Bold:
			out = append(out, el.Strong().Text(r.Text))
		default:
			out = append(out, app.Text(r.Text))
		}
	}
	return out
}
