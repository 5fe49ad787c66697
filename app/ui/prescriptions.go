package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
)

// prescriptionsPage is the patient's repeat prescriptions: what is on its
// way with each status and date, what can be ordered, and where it goes.
type prescriptionsPage struct {
	app.Compo
	store *Store
}

// PrescriptionsPage builds the prescriptions page from the server's state.
func PrescriptionsPage(s *Store) Page { return &prescriptionsPage{store: s} }

// Title is the page title.
func (p *prescriptionsPage) Title() string { return p.store.L().T("rx.title") }

// Render draws the page.
func (p *prescriptionsPage) Render() app.UI {
	l := p.store.L()
	v := p.store.State.Prescriptions
	if v == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	var content []app.UI
	if len(v.Ordered) > 0 {
		names := make([]string, 0, len(v.Ordered))
		for _, rq := range v.Ordered {
			names = append(names, rq.Name)
		}
		content = append(content, successBanner(l.T("form.success"),
			l.T("rx.ordered", "Medicines", listText(l, names), "Pharmacy", v.Ordered[0].Pharmacy.Name)))
	}
	if v.Notice == "pharmacy_changed" && v.Pharmacy != nil {
		content = append(content, successBanner(l.T("form.success"), l.T("rx.pharmacy.changed", "Pharmacy", v.Pharmacy.Name)))
	}
	content = append(content, app.Span().Class("nhsuk-caption-l").Text(v.Patient), app.H1().Text(p.Title()))
	orderable := false
	for _, rp := range v.Repeats {
		orderable = orderable || rp.Orderable()
	}
	if orderable {
		content = append(content, app.A().Class("nhsuk-button").Href("/prescriptions/order").
			Attr("role", "button").Attr("draggable", "false").Text(l.T("rx.order")))
	}

	var current, past []api.PrescriptionRequest
	for _, rq := range v.Requests {
		if rq.Pending || rq.Status == "ready_to_collect" || rq.Status == "rejected" {
			current = append(current, rq)
		} else {
			past = append(past, rq)
		}
	}
	content = append(content, app.H2().Text(l.T("rx.requests.heading")))
	if len(current) == 0 {
		content = append(content, app.P().Text(l.T("rx.requests.none")))
	}
	for _, rq := range current {
		content = append(content, requestCard(l, rq))
	}

	content = append(content, app.H2().Text(l.T("rx.repeats.heading")))
	if len(v.Repeats) == 0 {
		content = append(content, app.P().Text(l.T("rx.repeats.none")))
	}
	for _, rp := range v.Repeats {
		content = append(content, p.repeatCard(rp, v))
	}

	if len(past) > 0 {
		cards := make([]app.UI, 0, len(past))
		for _, rq := range past {
			cards = append(cards, requestCard(l, rq))
		}
		content = append(content, el.Details().Class("nhsuk-details").Body(
			el.Summary().Class("nhsuk-details__summary").Body(
				app.Span().Class("nhsuk-details__summary-text").Text(l.N("rx.past", len(past))),
			),
			app.Div().Class("nhsuk-details__text").Body(cards...),
		))
	}

	content = append(content, app.H2().Text(l.T("rx.pharmacy.heading")))
	if v.Pharmacy != nil {
		content = append(content, pharmacyAddress(v.Pharmacy))
	} else {
		content = append(content, app.P().Text(l.T("rx.pharmacy.none")))
	}
	content = append(content,
		app.P().Body(app.A().Href("/prescriptions/pharmacy").Text(l.T("rx.pharmacy.change"))),
		app.P().Text(l.T("rx.call", "Practice", v.Practice, "Phone", v.Phone)),
	)
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// repeatCard is one repeat medicine and whether it can be ordered.
func (p *prescriptionsPage) repeatCard(rp api.Repeat, v *api.Prescriptions) app.UI {
	l := p.store.L()
	details := []app.UI{
		summaryRow(l.T("rx.repeat.dose"), rp.Dose),
		summaryRow(l.T("rx.repeat.quantity"), rp.Quantity),
	}
	if rp.LastIssued != "" {
		details = append(details, summaryRow(l.T("rx.repeat.lastIssued"), formatDate(l, rp.LastIssued)))
	}
	if rp.ReviewDate != "" {
		details = append(details, summaryRow(l.T("rx.repeat.review"), formatDate(l, rp.ReviewDate)))
	}
	return app.Div().Class("nhsuk-card").DataSet("repeat", attr(rp.ID)).DataSet("state", attr(rp.State)).Body(
		app.Div().Class("nhsuk-card__content").Body(
			el.H3().Class("nhsuk-card__heading nhsuk-heading-s").Text(rp.Name),
			el.Dl().Class("nhsuk-summary-list").Body(details...),
			app.P().Class("nhsuk-card__description").Text(repeatStateText(l, rp, v.Practice, v.Phone, v.EarlyDays)),
		),
	)
}

// repeatStateText says whether a medicine can be ordered now, and if not,
// why and what to do.
func repeatStateText(l *i18n.Localizer, rp api.Repeat, practice, phone string, earlyDays int) string {
	switch rp.State {
	case "requested":
		return l.T("rx.state.requested")
	case "review_due":
		return l.T("rx.state.reviewDue", "Practice", practice, "Phone", phone)
	case "early":
		return l.T("rx.state.early", "Due", formatDate(l, rp.Due), "Days", earlyDays)
	}
	return l.T("rx.state.orderable")
}

// requestCard is one prescription request with its history.
func requestCard(l *i18n.Localizer, rq api.PrescriptionRequest) app.UI {
	steps := make([]app.UI, 0, len(rq.History))
	for _, h := range rq.History {
		line := []app.UI{el.Strong().Text(rxStatusName(l, h.Status)), app.Text(" " + formatTime(l, h.At))}
		if h.Reason != "" {
			line = append(line, app.Br(), app.Text(l.T("rx.reason", "Reason", h.Reason)))
		}
		steps = append(steps, app.Li().Body(line...))
	}
	body := []app.UI{
		el.H3().Class("nhsuk-card__heading nhsuk-heading-s").Text(rq.Name),
		app.P().Body(el.Strong().Class("nhsuk-tag " + rxStatusColour(rq.Status)).Text(rxStatusName(l, rq.Status))),
		app.P().Text(l.T("rx.request.pharmacy", "Pharmacy", rq.Pharmacy.Name)),
		el.H4().Class("nhsuk-heading-xs").Text(l.T("rx.request.history")),
		el.Ol().Class("nhsuk-list nhsuk-list--number").Body(steps...),
	}
	if rq.Note != "" {
		body = append(body, app.P().Text(l.T("rx.request.note", "Note", rq.Note)))
	}
	return app.Div().Class("nhsuk-card").DataSet("request", attr(rq.ID)).DataSet("status", attr(rq.Status)).Body(
		app.Div().Class("nhsuk-card__content").Body(body...),
	)
}

var rxStatusKeys = map[string]string{
	"requested":        key("rx.status.requested"),
	"approved":         key("rx.status.approved"),
	"rejected":         key("rx.status.rejected"),
	"sent_to_pharmacy": key("rx.status.sent_to_pharmacy"),
	"ready_to_collect": key("rx.status.ready_to_collect"),
	"dispensed":        key("rx.status.dispensed"),
}

// rxStatusName is a request status as people read it.
func rxStatusName(l *i18n.Localizer, status string) string {
	return label(l, rxStatusKeys, status, key("rx.status.requested"))
}

// rxStatusColour is the tag colour of a status: green when there is
// something to collect, red when the practice said no.
func rxStatusColour(status string) string {
	switch status {
	case "ready_to_collect":
		return "nhsuk-tag--green"
	case "rejected":
		return "nhsuk-tag--red"
	case "dispensed":
		return "nhsuk-tag--grey"
	}
	return "nhsuk-tag--blue"
}

// pharmacyAddress is a pharmacy's name, address and phone.
func pharmacyAddress(ph *api.Pharmacy) app.UI {
	lines := []app.UI{el.Strong().Text(ph.Name)}
	for _, a := range append(append([]string{}, ph.Address...), ph.Postcode) {
		lines = append(lines, app.Br(), app.Text(a))
	}
	if ph.Phone != "" {
		lines = append(lines, app.Br(), app.Text(ph.Phone))
	}
	return app.P().DataSet("pharmacy", attr(ph.ODS)).Body(lines...)
}

// pharmacyLine is a pharmacy on one line, for hints and summaries.
func pharmacyLine(ph api.Pharmacy) string {
	return strings.Join(append(append([]string{}, ph.Address...), ph.Postcode), ", ")
}

// listText joins names as a sentence does ("A, B and C").
func listText(l *i18n.Localizer, names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return l.T("list.and", "Items", strings.Join(names[:len(names)-1], ", "), "Last", names[len(names)-1])
}
