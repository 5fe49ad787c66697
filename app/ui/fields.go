package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
)

// checkRow is one answer on a check-answers page (the NHS summary list),
// with its Change link, or with an empty actions cell (nil) when it cannot
// be changed.
func checkRow(key string, value app.UI, action app.UI) app.UI {
	if action == nil {
		action = el.Dd().Class("nhsuk-summary-list__actions")
	}
	return app.Div().Class("nhsuk-summary-list__row").Body(
		el.Dt().Class("nhsuk-summary-list__key").Text(key),
		el.Dd().Class("nhsuk-summary-list__value").Body(value),
		action,
	)
}

// changeLink is a check-answers row's Change link; hidden names what it
// changes for screen readers, since every row's link says "Change".
func changeLink(l *i18n.Localizer, href, hidden string) app.UI {
	return el.Dd().Class("nhsuk-summary-list__actions").Body(
		app.A().Href(attr(href)).Body(app.Text(l.T("form.change")), app.Span().Class("nhsuk-u-visually-hidden").Text(" "+hidden)),
	)
}

// textareaField is a question answered in the person's own words: label,
// hint, the field's error if any, and the textarea (id field-0, which the
// error summary links to).
func textareaField(s *Store, errs []api.FieldError, field, label, hint, value string, rows int) app.UI {
	msg, errUI := fieldError(s, errs, field)
	group := app.Div().Class("nhsuk-form-group")
	textarea := textareaOf(value).Class("nhsuk-textarea").ID(field+"-0").Name(field).Rows(rows).Aria("describedby", field+"-hint")
	if msg != "" {
		group = group.Class("nhsuk-form-group--error")
		textarea = textarea.Class("nhsuk-textarea--error").Aria("describedby", field+"-hint "+field+"-error")
	}
	return group.Body(
		el.Label().Class("nhsuk-label nhsuk-label--s").Attr("for", field+"-0").Text(label),
		app.Div().Class("nhsuk-hint").ID(field+"-hint").Text(hint),
		errUI,
		textarea,
	)
}

// textareaOf is a textarea holding value. On the server the value is the
// element's escaped content: browsers ignore a value attribute on a
// textarea, and go-app writes one unescaped, so text a person typed could
// close the element and inject markup. In the browser it is the value.
func textareaOf(value string) app.HTMLTextarea {
	if app.IsClient {
		return app.Textarea().Text(value)
	}
	// (Leading line breaks are not kept: the HTML parser drops the first,
	// and every answer is trimmed before it is used anyway.)
	return app.Textarea().Body(app.Text(value))
}
