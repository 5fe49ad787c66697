package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
)

// contactPage is contacting the GP practice online, one question per page:
// what it is about, the emergency questions (for a medical problem), the
// details, then check and send. When the practice is closed or full it says
// why, when it opens again, and what to do if it is urgent. Every step is a
// plain form; the answers are kept on the server between steps.
type contactPage struct {
	app.Compo
	store *Store
}

// ContactPage builds the contact pages from the server's state.
func ContactPage(s *Store) Page { return &contactPage{store: s} }

// Title is the page title: the step's question.
func (p *contactPage) Title() string {
	l := p.store.L()
	f := p.store.State.Contact
	if f == nil {
		return l.T("contact.title")
	}
	switch f.Step {
	case api.ContactScreen:
		return l.T("contact.screen.title")
	case api.ContactDetails:
		return labelled(p.store, contactDetailsTitles, f.Kind, key("contact.details.title.admin"))
	case api.ContactCheck:
		return l.T("contact.check.title")
	case api.ContactUrgent:
		return l.T("contact.urgent.title")
	case api.ContactSent:
		return l.T("contact.sent.title")
	}
	return l.T("contact.title")
}

var contactDetailsTitles = map[string]string{
	"medical":    key("contact.details.title.medical"),
	"medication": key("contact.details.title.medication"),
	"admin":      key("contact.details.title.admin"),
}

var contactKindKeys = map[string]string{
	"medical":    key("contact.kind.medical"),
	"medication": key("contact.kind.medication"),
	"admin":      key("contact.kind.admin"),
}

var contactKindHintKeys = map[string]string{
	"medical":    key("contact.kind.medical.hint"),
	"medication": key("contact.kind.medication.hint"),
	"admin":      key("contact.kind.admin.hint"),
}

// contactAnswerKeys are the answers to a request's structured questions,
// by question and value.
var contactAnswerKeys = map[string]map[string]string{
	"duration": {"days": key("contact.duration.days"), "week": key("contact.duration.week"),
		"month": key("contact.duration.month"), "longer": key("contact.duration.longer")},
	"trend": {"better": key("contact.trend.better"), "same": key("contact.trend.same"), "worse": key("contact.trend.worse")},
	"topic": {"fit_note": key("contact.topic.fit_note"), "letter": key("contact.topic.letter"),
		"test_result": key("contact.topic.test_result"), "other": key("contact.topic.other")},
}

// ContactAnswer is the answer value to the question ("duration", "trend"
// or "topic") as people read it.
func ContactAnswer(l *i18n.Localizer, question, value string) string {
	return label(l, contactAnswerKeys[question], value, key("contact.topic.other"))
}

// ContactKindName is a kind of request as people read it.
func ContactKindName(l *i18n.Localizer, kind string) string {
	return label(l, contactKindKeys, kind, key("contact.kind.admin"))
}

// Render draws the step.
func (p *contactPage) Render() app.UI {
	f := p.store.State.Contact
	if f == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	var content []app.UI
	switch f.Step {
	case api.ContactScreen:
		content = p.screen(f)
	case api.ContactDetails:
		content = p.details(f)
	case api.ContactCheck:
		content = p.check(f)
	case api.ContactUrgent:
		content = p.urgent(f)
	case api.ContactSent:
		content = p.sent(f)
	default:
		content = p.start(f)
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

func (p *contactPage) caption(f *api.ContactForm) app.UI {
	return app.Span().Class("nhsuk-caption-l").Text(p.store.L().T("contact.for", "Name", f.Patient))
}

func (p *contactPage) form(step api.ContactStep, body ...app.UI) app.UI {
	fields := append([]app.UI{app.Input().Type("hidden").Name("step").Value(string(step))}, body...)
	return app.Form().Action("/contact").Method("post").Attr("novalidate", true).Body(fields...)
}

// urgentHelp is what to do when it cannot wait for the practice.
func (p *contactPage) urgentHelp() app.UI {
	l := p.store.L()
	return urgentCard(l.T("contact.urgentHelp.heading"), l.T("urgent.body111"), l.T("urgent.body999"))
}

// closed says why the practice takes no requests now and when it will.
func (p *contactPage) closed(av api.ContactAvailability) []app.UI {
	l := p.store.L()
	var why string
	switch av.Why {
	case "bank_holiday":
		why = l.T("contact.closed.bankHoliday", "Practice", av.Practice, "Holiday", bankHolidayName(l, av.BankHoliday))
	case "suspended":
		why = l.T("contact.closed.suspended", "Practice", av.Practice, "Reason", av.Suspended)
	default:
		why = l.T("contact.closed.hours", "Practice", av.Practice)
	}
	body := []app.UI{
		app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.information")),
		app.H2().Class("nhsuk-heading-m").Text(l.T("contact.closed.heading")),
		app.P().Text(why),
	}
	if av.Reopens > 0 {
		body = append(body, app.P().Text(l.T("contact.closed.reopens", "When", formatTime(l, av.Reopens))))
	}
	body = append(body, app.P().Text(l.T("contact.closed.hoursAre", "Hours", av.Hours)))
	return []app.UI{
		app.Div().Class("nhsuk-inset-text").ID("contact-closed").DataSet("why", attr(av.Why)).Body(body...),
		app.P().Text(l.T("contact.call", "Practice", av.Practice, "Phone", av.Phone)),
	}
}

// bankHolidayKeys translate the bank holidays' names (as gov.uk gives them
// in English); one-off holidays keep their English name.
var bankHolidayKeys = map[string]string{
	"New Year’s Day":         key("bankHoliday.newYear"),
	"Good Friday":            key("bankHoliday.goodFriday"),
	"Easter Monday":          key("bankHoliday.easterMonday"),
	"Early May bank holiday": key("bankHoliday.earlyMay"),
	"Spring bank holiday":    key("bankHoliday.spring"),
	"Summer bank holiday":    key("bankHoliday.summer"),
	"Christmas Day":          key("bankHoliday.christmas"),
	"Boxing Day":             key("bankHoliday.boxingDay"),
}

// bankHolidayName is a bank holiday's name in the page's language.
func bankHolidayName(l *i18n.Localizer, name string) string {
	const substitute = " (substitute day)"
	if base, ok := strings.CutSuffix(name, substitute); ok {
		return l.T("bankHoliday.substitute", "Name", bankHolidayName(l, base))
	}
	if k, ok := bankHolidayKeys[name]; ok {
		return l.T(k)
	}
	return name
}
