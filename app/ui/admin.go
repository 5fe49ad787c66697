package ui

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// adminPage is the staff start page: who is signed in, the feature flags they
// may change (their own practices; everything for a national admin), and the
// history of changes. Every change needs a reason.
type adminPage struct {
	app.Compo
	store *Store
}

func newAdminPage(s *Store) Page { return &adminPage{store: s} }

// Title is the page title.
func (p *adminPage) Title() string { return p.store.L().T("admin.title") }

// Render draws the page.
func (p *adminPage) Render() app.UI {
	l := p.store.L()
	st := p.store.State.Staff
	content := []app.UI{}
	if st != nil && st.InvalidForm != "" {
		content = append(content, errorSummary(l.T("form.errorSummary"), "#reason-"+st.InvalidForm, l.T("admin.error.reason")))
	}
	content = append(content, app.H1().Text(p.Title()))
	if st == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
	}
	roles := make([]string, 0, len(st.Roles))
	for _, r := range st.Roles {
		roles = append(roles, roleName(p.store, r))
	}
	content = append(content,
		el.Dl().Class("nhsuk-summary-list").Body(
			summaryRow(l.T("admin.name"), st.Name),
			summaryRow(l.T("admin.roles"), strings.Join(roles, ", ")),
			app.If(len(st.Practices) > 0, summaryRow(l.T("admin.practices"), strings.Join(st.Practices, ", "))),
		),
	)
	if len(st.Practices) > 0 {
		links := make([]app.UI, 0, len(st.Practices))
		for _, ods := range st.Practices {
			links = append(links, app.Li().Body(app.A().Href("/admin/inbox?practice="+attr(ods)).Text(l.T("admin.inbox.link", "Practice", ods))))
		}
		if strings.Contains(" "+strings.Join(st.Roles, " ")+" ", " site_admin ") {
			boards := make([]app.UI, 0, len(st.Practices))
			for _, ods := range st.Practices {
				boards = append(boards, app.Li().Body(app.A().Href("/admin/monitoring?practice="+attr(ods)).Text(l.T("admin.monitoring.link", "Practice", ods))))
			}
			content = append(content, app.H2().Text(l.T("inbox.title")), el.Ul().Class("nhsuk-list").Body(links...),
				app.H2().Text(l.T("monitoring.board.title")), el.Ul().Class("nhsuk-list").Body(boards...))
		}
		msgs := make([]app.UI, 0, len(st.Practices))
		for _, ods := range st.Practices {
			msgs = append(msgs, app.Li().Body(app.A().Href("/admin/messages?practice="+attr(ods)).Text(l.T("admin.messages.link", "Practice", ods))))
		}
		content = append(content, app.H2().Text(l.T("outbox.title")), el.Ul().Class("nhsuk-list").Body(msgs...))
	}
	content = append(content,
		app.H2().Text(l.T("admin.flags.heading")),
		app.P().Text(l.T("admin.flags.lead")),
	)
	for _, f := range st.Flags {
		content = append(content, p.flag(st, f))
	}
	content = append(content, app.H2().ID("history").Text(l.T("admin.history.heading")))
	if len(st.History) == 0 {
		content = append(content, app.P().Text(l.T("admin.history.none")))
	} else {
		rows := make([]app.UI, 0, len(st.History))
		for _, h := range st.History {
			rows = append(rows, el.Tr().Class("nhsuk-table__row").Body(
				el.Td().Class("nhsuk-table__cell").Text(formatTime(l, h.Time)),
				el.Td().Class("nhsuk-table__cell").Text(flagLabel(p.store, h.Flag)),
				el.Td().Class("nhsuk-table__cell").Text(h.Actor),
				el.Td().Class("nhsuk-table__cell").Text(h.Before+" → "+h.After),
				el.Td().Class("nhsuk-table__cell").Text(h.Reason),
			))
		}
		// A region that may scroll sideways must be reachable by keyboard.
		content = append(content, app.Div().Class("companion-table-scroll").Attr("role", "region").
			Aria("label", attr(l.T("admin.history.heading"))).TabIndex(0).Body(
			el.Table().Class("nhsuk-table").Body(
				el.Caption().Class("nhsuk-table__caption nhsuk-u-visually-hidden").Text(l.T("admin.history.heading")),
				el.THead().Class("nhsuk-table__head").Body(el.Tr().Class("nhsuk-table__row").Body(
					el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("admin.history.when")),
					el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("admin.history.flag")),
					el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("admin.history.who")),
					el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("admin.history.change")),
					el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("admin.history.reason")),
				)),
				el.TBody().Class("nhsuk-table__body").Body(rows...),
			),
		))
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// flag is one flag's card: its state where the staff member may act, and a
// form for each change they may make.
func (p *adminPage) flag(st *api.Staff, f api.FlagView) app.UI {
	l := p.store.L()
	var forms []app.UI
	if f.Kill {
		forms = append(forms, el.Strong().Class("nhsuk-tag nhsuk-tag--red").Text(l.T("admin.kill.on")))
	}
	for _, ods := range sortedBoolKeys(f.Practices) {
		on := f.Practices[ods]
		state, next, action := l.T("admin.state.off"), "on", l.T("admin.switchOn")
		if on {
			state, next, action = l.T("admin.state.on"), "off", l.T("admin.switchOff")
		}
		forms = append(forms, p.changeForm(st, f.Name, "practice", ods, next,
			l.T("admin.practice.state", "Practice", ods, "State", state), action))
	}
	if st.National {
		next, action := "on", l.T("admin.kill.engage")
		if f.Kill {
			next, action = "off", l.T("admin.kill.release")
		}
		forms = append(forms, p.changeForm(st, f.Name, "kill", "", next, l.T("admin.kill.legend"), action))
		forms = append(forms, p.percentageForm(st, f))
	}
	return app.Div().Class("nhsuk-card").ID("flag-" + attr(f.Name)).Body(
		app.Div().Class("nhsuk-card__content").Body(
			el.H3().Class("nhsuk-card__heading").Text(flagLabel(p.store, f.Name)),
			app.Div().Body(forms...),
		),
	)
}

func (p *adminPage) formID(name, scope, practice string) string {
	return name + "-" + scope + "-" + practice
}

// reasonField is the required reason, with its error when it came back empty.
func (p *adminPage) reasonField(st *api.Staff, id string) app.UI {
	l := p.store.L()
	invalid := st.InvalidForm == id
	group := app.Div().Class("nhsuk-form-group")
	input := app.Input().Class("nhsuk-input").ID("reason-"+attr(id)).Name("reason").Type("text").
		Attr("maxlength", "500").Attr("autocomplete", "off")
	var msg app.UI
	if invalid {
		group = group.Class("nhsuk-form-group--error")
		input = input.Class("nhsuk-input--error").Aria("describedby", "reason-"+attr(id)+"-error")
		msg = app.Span().Class("nhsuk-error-message").ID("reason-"+attr(id)+"-error").Body(
			app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("form.errorPrefix")),
			app.Text(l.T("admin.error.reason")),
		)
	}
	return group.Body(
		el.Label().Class("nhsuk-label").Attr("for", "reason-"+attr(id)).Text(l.T("admin.reason")),
		msg,
		input,
	)
}

func (p *adminPage) changeForm(st *api.Staff, name, scope, practice, value, legend, action string) app.UI {
	id := p.formID(name, scope, practice)
	return app.Form().Action("/admin/flags/" + attr(name)).Method("post").Body(
		el.FieldSet().Class("nhsuk-fieldset").Body(
			el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--s").Text(legend),
			app.Input().Type("hidden").Name("scope").Value(attr(scope)),
			app.Input().Type("hidden").Name("practice").Value(attr(practice)),
			app.Input().Type("hidden").Name("value").Value(attr(value)),
			p.reasonField(st, id),
			app.Button().Class("nhsuk-button nhsuk-button--secondary nhsuk-button--small").Type("submit").Text(action),
		),
	)
}

func (p *adminPage) percentageForm(st *api.Staff, f api.FlagView) app.UI {
	l := p.store.L()
	id := p.formID(f.Name, "percentage", "")
	return app.Form().Action("/admin/flags/" + attr(f.Name)).Method("post").Body(
		el.FieldSet().Class("nhsuk-fieldset").Body(
			el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--s").
				Text(l.T("admin.rollout.legend", "Percentage", f.Percentage)),
			app.Input().Type("hidden").Name("scope").Value("percentage"),
			app.Div().Class("nhsuk-form-group").Body(
				el.Label().Class("nhsuk-label").Attr("for", "value-"+attr(id)).Text(l.T("admin.rollout.label")),
				app.Input().Class("nhsuk-input nhsuk-input--width-3").ID("value-"+attr(id)).Name("value").
					Type("number").Attr("min", "0").Attr("max", "100").Attr("inputmode", "numeric").Value(strconv.Itoa(f.Percentage)),
			),
			p.reasonField(st, id),
			app.Button().Class("nhsuk-button nhsuk-button--secondary nhsuk-button--small").Type("submit").Text(l.T("admin.rollout.save")),
		),
	)
}

// flagLabel is a flag's name as people read it.
func flagLabel(s *Store, name string) string {
	l := s.L()
	switch name {
	case "appointments":
		return l.T("feature.appointments")
	case "appointment_waitlist":
		return l.T("feature.appointment_waitlist")
	case "prescriptions":
		return l.T("feature.prescriptions")
	case "record":
		return l.T("feature.record")
	case "fhir_export":
		return l.T("feature.fhir_export")
	case "linked_profiles":
		return l.T("feature.linked_profiles")
	case "online_consultation":
		return l.T("feature.online_consultation")
	case "remote_monitoring":
		return l.T("feature.remote_monitoring")
	}
	return name
}

// errorSummary is the NHS error summary linking to the field at fault.
func errorSummary(title, href, message string) app.UI {
	return app.Div().Class("nhsuk-error-summary").Aria("labelledby", "error-summary-title").Attr("role", "alert").TabIndex(-1).Body(
		app.H2().Class("nhsuk-error-summary__title").ID("error-summary-title").Text(title),
		app.Div().Class("nhsuk-error-summary__body").Body(
			el.Ul().Class("nhsuk-list nhsuk-error-summary__list").Body(
				app.Li().Body(app.A().Href(attr(href)).Text(message)),
			),
		),
	)
}

// roleName is a role as people read it; unknown roles show as such.
func roleName(s *Store, r string) string {
	l := s.L()
	switch r {
	case "site_admin":
		return l.T("admin.role.siteAdmin")
	case "messaging":
		return l.T("admin.role.messaging")
	case "national_admin":
		return l.T("admin.role.nationalAdmin")
	}
	return l.T("admin.role.unknown")
}

func summaryRow(key, value string) app.UI {
	return app.Div().Class("nhsuk-summary-list__row").Body(
		el.Dt().Class("nhsuk-summary-list__key").Text(key),
		el.Dd().Class("nhsuk-summary-list__value").Text(value),
	)
}
