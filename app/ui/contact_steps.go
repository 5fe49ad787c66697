package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
)

func (p *contactPage) start(f *api.ContactForm) []app.UI {
	l := p.store.L()
	av := f.Availability
	content := []app.UI{formSummary(p.store, f.Errors), p.caption(f), app.H1().Text(p.Title()),
		app.P().Class("nhsuk-lede-text").Text(l.T("contact.lead", "Practice", av.Practice))}
	if !av.Open {
		content = append(content, p.closed(av)...)
		return append(content, p.urgentHelp())
	}
	var choices []choice
	var unavailable []app.UI
	for _, k := range av.Kinds {
		if k.Open {
			choices = append(choices, choice{k.Kind, ContactKindName(l, k.Kind), labelled(p.store, contactKindHintKeys, k.Kind, key("contact.kind.admin.hint"))})
			continue
		}
		why := l.T("contact.kind.full")
		if k.Why == "patient_limit" {
			why = l.T("contact.kind.patientLimit")
		}
		unavailable = append(unavailable, app.Li().DataSet("kind", attr(k.Kind)).Body(el.Strong().Text(ContactKindName(l, k.Kind)), app.Text(": "+why)))
	}
	if len(choices) > 0 {
		content = append(content, p.form(api.ContactStart,
			radios(p.store, f.Errors, "kind", l.T("contact.kind.legend"), choices, f.Kind),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("form.continue")),
		))
	}
	if len(unavailable) > 0 {
		content = append(content, app.H2().Class("nhsuk-heading-m").Text(l.T("contact.kind.unavailable")),
			el.Ul().Class("nhsuk-list nhsuk-list--bullet").Body(unavailable...),
			app.P().Text(l.T("contact.call", "Practice", av.Practice, "Phone", av.Phone)))
	}
	return append(content, p.urgentHelp())
}

// radioItems are the radios of a question, the chosen one checked; each
// input's id is field-n, which error summaries link to.
func radioItems(field string, choices []choice, chosen string) []app.UI {
	items := make([]app.UI, 0, len(choices))
	for i, c := range choices {
		id := field + "-" + itoa(i)
		input := checkedIf(app.Input().Class("nhsuk-radios__input").ID(id).Name(field).Type("radio").Value(attr(c.value)), c.value == chosen)
		item := []app.UI{input, el.Label().Class("nhsuk-label nhsuk-radios__label").Attr("for", id).Text(c.label)}
		if c.hint != "" {
			input.Aria("describedby", id+"-hint")
			item = append(item, app.Div().Class("nhsuk-hint nhsuk-radios__hint").ID(id+"-hint").Text(c.hint))
		}
		items = append(items, app.Div().Class("nhsuk-radios__item").Body(item...))
	}
	return items
}

// radios is a question answered by one of several choices, with its legend.
func radios(s *Store, errs []api.FieldError, field, legend string, choices []choice, chosen string) app.UI {
	msg, errUI := fieldError(s, errs, field)
	group := app.Div().Class("nhsuk-form-group")
	if msg != "" {
		group = group.Class("nhsuk-form-group--error")
	}
	fieldset := el.FieldSet().Class("nhsuk-fieldset").Body(
		el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--m").Text(legend),
		errUI,
		app.Div().Class("nhsuk-radios").Body(radioItems(field, choices, chosen)...),
	)
	if msg != "" {
		fieldset = fieldset.Aria("describedby", field+"-error")
	}
	return group.Body(fieldset)
}

func (p *contactPage) screen(f *api.ContactForm) []app.UI {
	l := p.store.L()
	msg, errUI := fieldError(p.store, f.Errors, "screen")
	var questions []app.UI
	for i, q := range f.Questions {
		name := "q-" + q.ID
		answer := f.Screening[q.ID]
		group := app.Div().Class("nhsuk-form-group")
		if msg != "" && answer == "" {
			group = group.Class("nhsuk-form-group--error")
		}
		yes, no := "screen-"+itoa(2*i), "screen-"+itoa(2*i+1)
		questions = append(questions, group.DataSet("question", attr(q.ID)).Body(
			el.FieldSet().Class("nhsuk-fieldset").Body(
				el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--s").Text(q.Text),
				app.Div().Class("nhsuk-radios nhsuk-radios--inline").Body(
					app.Div().Class("nhsuk-radios__item").Body(
						checkedIf(app.Input().Class("nhsuk-radios__input").ID(yes).Name(name).Type("radio").Value("yes"), answer == "yes"),
						el.Label().Class("nhsuk-label nhsuk-radios__label").Attr("for", yes).Text(l.T("form.yes")),
					),
					app.Div().Class("nhsuk-radios__item").Body(
						checkedIf(app.Input().Class("nhsuk-radios__input").ID(no).Name(name).Type("radio").Value("no"), answer == "no"),
						el.Label().Class("nhsuk-label nhsuk-radios__label").Attr("for", no).Text(l.T("form.no")),
					),
				),
			),
		))
	}
	return []app.UI{
		backLink("/contact", l.T("form.back")),
		formSummary(p.store, f.Errors),
		p.caption(f),
		app.H1().Text(p.Title()),
		app.P().Text(l.T("contact.screen.lead")),
		errUI,
		p.form(api.ContactScreen, append(questions, app.Button().Class("nhsuk-button").Type("submit").Text(l.T("form.continue")))...),
	}
}

// textField is the request's own words.
func (p *contactPage) textField(f *api.ContactForm, labelKey string) app.UI {
	l := p.store.L()
	return textareaField(p.store, f.Errors, "text", l.T(labelKey), l.T("contact.text.hint", "Max", f.TextMax), f.Text, 6)
}

func (p *contactPage) details(f *api.ContactForm) []app.UI {
	l := p.store.L()
	back := "/contact"
	if f.Kind == "medical" {
		back = api.ContactURL(api.ContactScreen)
	}
	var fields []app.UI
	switch f.Kind {
	case "medical":
		fields = append(fields,
			radios(p.store, f.Errors, "duration", l.T("contact.duration.question"), []choice{
				{"days", ContactAnswer(l, "duration", "days"), ""}, {"week", ContactAnswer(l, "duration", "week"), ""},
				{"month", ContactAnswer(l, "duration", "month"), ""}, {"longer", ContactAnswer(l, "duration", "longer"), ""},
			}, f.Duration),
			radios(p.store, f.Errors, "trend", l.T("contact.trend.question"), []choice{
				{"better", l.T("contact.trend.better"), ""}, {"same", l.T("contact.trend.same"), ""}, {"worse", l.T("contact.trend.worse"), ""},
			}, f.Trend),
			p.textField(f, "contact.text.medical"),
		)
	case "medication":
		msg, errUI := fieldError(p.store, f.Errors, "medicine")
		group := app.Div().Class("nhsuk-form-group")
		input := app.Input().Class("nhsuk-input").ID("medicine-0").Name("medicine").Type("text").Attr("autocomplete", "off").Value(attr(f.Medicine))
		if msg != "" {
			group = group.Class("nhsuk-form-group--error")
			input = input.Class("nhsuk-input--error").Aria("describedby", "medicine-error")
		}
		fields = append(fields,
			group.Body(el.Label().Class("nhsuk-label nhsuk-label--s").Attr("for", "medicine-0").Text(l.T("contact.medicine.label")), errUI, input),
			p.textField(f, "contact.text.medication"),
		)
	default:
		fields = append(fields,
			radios(p.store, f.Errors, "topic", l.T("contact.topic.question"), []choice{
				{"fit_note", l.T("contact.topic.fit_note"), ""}, {"letter", l.T("contact.topic.letter"), ""},
				{"test_result", l.T("contact.topic.test_result"), ""}, {"other", l.T("contact.topic.other"), ""},
			}, f.Topic),
			p.textField(f, "contact.text.admin"),
		)
	}
	fields = append(fields, app.Button().Class("nhsuk-button").Type("submit").Text(l.T("form.continue")))
	return []app.UI{
		backLink(back, l.T("form.back")),
		formSummary(p.store, f.Errors),
		p.caption(f),
		app.H1().Text(p.Title()),
		p.form(api.ContactDetails, fields...),
	}
}

// answerText is a structured answer in the page's language.
func answerText(l *i18n.Localizer, f *api.ContactForm) [][2]string {
	var out [][2]string
	switch f.Kind {
	case "medical":
		out = append(out, [2]string{l.T("contact.duration.question"), ContactAnswer(l, "duration", f.Duration)},
			[2]string{l.T("contact.trend.question"), ContactAnswer(l, "trend", f.Trend)})
	case "medication":
		out = append(out, [2]string{l.T("contact.medicine.label"), f.Medicine})
	case "admin":
		out = append(out, [2]string{l.T("contact.topic.question"), ContactAnswer(l, "topic", f.Topic)})
	}
	return out
}

func (p *contactPage) check(f *api.ContactForm) []app.UI {
	l := p.store.L()
	rows := []app.UI{
		checkRow(l.T("contact.check.patient"), app.Text(f.Patient), nil),
		checkRow(l.T("contact.check.kind"), app.Text(ContactKindName(l, f.Kind)), changeLink(l, "/contact", l.T("contact.check.kind"))),
	}
	for _, a := range answerText(l, f) {
		rows = append(rows, checkRow(a[0], app.Text(a[1]), changeLink(l, api.ContactURL(api.ContactDetails), a[0])))
	}
	rows = append(rows, checkRow(l.T("contact.check.text"), app.Text(f.Text), changeLink(l, api.ContactURL(api.ContactDetails), l.T("contact.check.text"))))
	return []app.UI{
		backLink(api.ContactURL(api.ContactDetails), l.T("form.back")),
		formSummary(p.store, f.Errors),
		p.caption(f),
		app.H1().Text(p.Title()),
		el.Dl().Class("nhsuk-summary-list").Body(rows...),
		app.P().Text(l.T("contact.check.promise", "Practice", f.Availability.Practice)),
		p.form(api.ContactCheck,
			app.Input().Type("hidden").Name("idempotency_key").Value(attr(f.IdempotencyKey)),
			app.Button().Class("nhsuk-button").ID("check-0").Type("submit").Text(l.T("contact.check.submit")),
		),
	}
}

func (p *contactPage) urgent(f *api.ContactForm) []app.UI {
	l := p.store.L()
	card := app.Div().Class("nhsuk-card nhsuk-card--care nhsuk-card--care--emergency").ID("urgent-advice").DataSet("advice", attr(f.Advice))
	heading, lines := l.T("contact.urgent.999.heading"), []string{l.T("contact.urgent.999.body"), l.T("contact.urgent.999.more")}
	if f.Advice == "111" {
		card = app.Div().Class("nhsuk-card nhsuk-card--care nhsuk-card--care--urgent").ID("urgent-advice").DataSet("advice", attr(f.Advice))
		heading, lines = l.T("contact.urgent.111.heading"), []string{l.T("contact.urgent.111.body"), l.T("contact.urgent.111.more")}
	}
	body := make([]app.UI, 0, len(lines))
	for _, t := range lines {
		body = append(body, app.P().Text(t))
	}
	return []app.UI{
		p.caption(f),
		app.H1().Text(p.Title()),
		card.Body(
			app.Div().Class("nhsuk-card__heading-container").Body(
				app.H2().Class("nhsuk-card__heading").Body(
					app.Span().Attr("role", "text").Body(
						app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("contact.urgent.prefix")),
						app.Text(heading),
					),
				),
				app.Span().Class("nhsuk-card--care__arrow").Aria("hidden", "true"),
			),
			app.Div().Class("nhsuk-card__content").Body(body...),
		),
		app.P().Text(l.T("contact.urgent.notSent", "Practice", f.Availability.Practice)),
		app.P().Body(app.A().Href("/").Text(l.T("notFound.home"))),
	}
}

func (p *contactPage) sent(f *api.ContactForm) []app.UI {
	l := p.store.L()
	c := f.Sent
	return []app.UI{
		app.Div().Class("nhsuk-panel nhsuk-panel--confirmation").ID("contact-sent").Body(
			app.H1().Class("nhsuk-panel__title").Text(p.Title()),
			app.Div().Class("nhsuk-panel__body").Text(l.T("contact.sent.replyBy", "When", formatTime(l, c.ReplyBy))),
		),
		app.H2().Class("nhsuk-heading-m").Text(l.T("contact.sent.next")),
		app.P().Text(l.T("contact.sent.body", "Practice", f.Availability.Practice, "Name", f.Patient)),
		app.P().Text(l.T("contact.sent.home")),
		p.urgentHelp(),
		app.P().Body(app.A().Href("/").Text(l.T("notFound.home"))),
	}
}
