package ui

import (
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// homePage is the start page. Signed out, it says what Companion does and
// starts sign-in; signed in, it greets the person.
type homePage struct {
	app.Compo
	store *Store

	// notifications are the unread changes for the profile in use: handed
	// over by the server, or fetched when the app navigated here itself.
	notifications []api.Notification
	// contacts are the recent requests to the practice, likewise.
	contacts []api.ContactRequest
	// offers are earlier appointment times held for the person, likewise.
	offers []api.WaitlistOffer
	// entries are the unread notifications, likewise.
	entries []api.NotifyEntry
}

func newHomePage(s *Store) Page {
	p := &homePage{store: s}
	if s.HandedOver("/") {
		p.notifications, p.contacts, p.offers = s.State.Notifications, s.State.ContactRequests, s.State.WaitlistOffers
		p.entries = s.State.Entries
	}
	return p
}

// OnNav fetches the notifications and recent requests when the app
// navigated here itself.
func (p *homePage) OnNav(ctx app.Context) {
	s := p.store
	u := s.State.User
	if s.HandedOver("/") || u == nil {
		return
	}
	pid := u.PatientID
	if s.State.ActingFor != nil {
		pid = s.State.ActingFor.PatientID
	}
	base := "/api/v1/patients/" + url.PathEscape(pid)
	ctx.Async(func() {
		var out []api.NotifyEntry
		err := api.NewClient("").Get(ctx, base+"/entries", &out)
		ctx.Dispatch(func(app.Context) {
			if err == nil {
				p.entries = out
			}
		})
	})
	if s.State.Features["prescriptions"] && u.ProofingLevel == "P9" && can(s, "prescriptions") {
		ctx.Async(func() {
			var out []api.Notification
			err := api.NewClient("").Get(ctx, base+"/notifications", &out)
			ctx.Dispatch(func(app.Context) {
				if err == nil {
					p.notifications = out
				}
			})
		})
	}
	if s.State.Features["appointment_waitlist"] && can(s, "appointments") {
		ctx.Async(func() {
			var out []api.WaitlistOffer
			err := api.NewClient("").Get(ctx, base+"/waitlist-offers", &out)
			ctx.Dispatch(func(app.Context) {
				if err == nil {
					p.offers = out
				}
			})
		})
	}
	if s.State.Features["online_consultation"] && can(s, "appointments") {
		ctx.Async(func() {
			var out api.ContactList
			err := api.NewClient("").Get(ctx, base+"/contact-requests", &out)
			since := time.Now().Add(-api.ContactRecent).UnixMilli()
			ctx.Dispatch(func(app.Context) {
				if err != nil {
					return
				}
				p.contacts = nil
				for _, c := range out.Requests {
					if c.Sent > since || c.Responded > since {
						p.contacts = append(p.contacts, c)
					}
				}
			})
		})
	}
}

// Title is the page title.
func (p *homePage) Title() string { return p.store.L().T("service.name") }

// Render draws the page.
func (p *homePage) Render() app.UI {
	l := p.store.L()
	var content []app.UI
	if u := p.store.State.User; u != nil {
		content = append(content,
			app.H1().Text(l.T("home.signedIn.heading", "Name", u.Name)),
		)
		// What arrives after the page (when the app navigated here) goes
		// into containers that are always there, so its arrival never
		// shifts the links after it, nor takes the focus from one.
		var news []app.UI
		for _, o := range p.offers {
			news = append(news, offerBanner(p.store, o))
		}
		for _, n := range p.notifications {
			news = append(news, notificationBanner(p.store, n))
		}
		if e := entries(p.store, p.entries); e != nil {
			news = append(news, e)
		}
		content = append(content, app.Div().Class("companion-news").Body(news...))
		if u.ProofingLevel != "P9" {
			content = append(content, proveIdentity(p.store))
		}
		content = append(content, tasks(p.store))
		var requests app.UI
		if len(p.contacts) > 0 {
			requests = contactRequests(p.store, p.contacts)
		}
		content = append(content, app.Div().Class("companion-news").Body(requests), services(p.store))
	} else {
		content = append(content,
			app.H1().Text(l.T("home.heading")),
			app.P().Class("nhsuk-lede-text").Text(l.T("home.lead")),
			el.Ul().Class("nhsuk-list nhsuk-list--bullet").Body(
				app.Li().Text(l.T("home.task.appointments")),
				app.Li().Text(l.T("home.task.prescriptions")),
				app.Li().Text(l.T("home.task.record")),
				app.Li().Text(l.T("home.task.contact")),
				app.Li().Text(l.T("home.task.proxy")),
			),
			app.P().Text(l.T("home.signIn.hint")),
			app.A().Class("nhsuk-button nhsuk-button--login").Href("/auth/login").
				Attr("role", "button").Attr("draggable", "false").Text(l.T("home.signIn.button")),
		)
	}
	content = append(content, urgentCard(l.T("urgent.heading"), l.T("urgent.body111"), l.T("urgent.body999")))
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// proveIdentity tells someone who signed in with medium identity proofing
// (P5) why clinical services are closed to them and how to open them.
func proveIdentity(s *Store) app.UI {
	l := s.L()
	return app.Div().Class("nhsuk-inset-text").ID("prove-identity").Body(
		app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.information")),
		app.H2().Class("nhsuk-heading-m").Text(l.T("p5.heading")),
		app.P().Text(l.T("p5.body")),
		app.P().Text(l.T("p5.how")),
	)
}

// can reports whether the person may do something for the profile in use:
// everything for themselves, what the relationship grants otherwise.
func can(s *Store, perm string) bool {
	a := s.State.ActingFor
	if a == nil {
		return true
	}
	for _, p := range a.Permissions {
		if p == perm {
			return true
		}
	}
	return false
}

// tasks links to what the person can do now, for the profile in use.
func tasks(s *Store) app.UI {
	l := s.L()
	var items []app.UI
	link := func(href, label, hint string) {
		items = append(items, app.Div().Class("nhsuk-card nhsuk-card--clickable").Body(
			app.Div().Class("nhsuk-card__content").Body(
				el.H3().Class("nhsuk-card__heading nhsuk-heading-s").Body(app.A().Class("nhsuk-card__link").Href(href).Text(label)),
				app.P().Class("nhsuk-card__description").Text(hint),
			)))
	}
	if s.State.Features["appointments"] && can(s, "appointments") {
		link("/appointments", l.T("home.link.appointments"), l.T("home.link.appointments.hint"))
	}
	p9 := s.State.User != nil && s.State.User.ProofingLevel == "P9"
	if s.State.Features["prescriptions"] && p9 && can(s, "prescriptions") {
		link("/prescriptions", l.T("home.link.prescriptions"), l.T("home.link.prescriptions.hint"))
	}
	if s.State.Features["online_consultation"] && can(s, "appointments") {
		link("/contact", l.T("home.link.contact"), l.T("home.link.contact.hint"))
	}
	if s.State.Features["record"] && p9 && (can(s, "record_summary") || can(s, "full_record")) {
		link("/record", l.T("home.link.record"), l.T("home.link.record.hint"))
	}
	if s.State.Features["remote_monitoring"] && p9 && can(s, "monitoring") {
		link("/monitoring", l.T("home.link.monitoring"), l.T("home.link.monitoring.hint"))
	}
	if s.State.Features["linked_profiles"] {
		link("/profiles", l.T("home.link.profiles"), l.T("home.link.profiles.hint"))
	}
	if s.State.ActingFor == nil {
		link("/activity", l.T("home.link.activity"), l.T("home.link.activity.hint"))
	}
	return app.Div().Body(append([]app.UI{app.H2().Text(l.T("home.tasks.heading"))}, items...)...)
}

// services says which pilot features the person's practice offers online.
func services(s *Store) app.UI {
	l := s.L()
	features := []struct{ flag, label string }{
		{"appointments", l.T("feature.appointments")},
		{"prescriptions", l.T("feature.prescriptions")},
		{"record", l.T("feature.record")},
		{"fhir_export", l.T("feature.fhir_export")},
		{"online_consultation", l.T("feature.online_consultation")},
		{"linked_profiles", l.T("feature.linked_profiles")},
	}
	rows := make([]app.UI, 0, len(features))
	for _, f := range features {
		status := l.T("services.unavailable")
		if s.State.Features[f.flag] {
			status = l.T("services.available")
		}
		rows = append(rows, app.Div().Class("nhsuk-summary-list__row").DataSet("feature", f.flag).Body(
			el.Dt().Class("nhsuk-summary-list__key").Text(f.label),
			el.Dd().Class("nhsuk-summary-list__value").Text(status),
		))
	}
	return app.Div().Body(
		app.H2().Text(l.T("services.heading")),
		el.Dl().Class("nhsuk-summary-list").Body(rows...),
	)
}

// urgentCard is the NHS "urgent" care card telling people where to get help
// now, because Companion is never the route for an emergency.
func urgentCard(heading, body111, body999 string) app.UI {
	return app.Div().Class("nhsuk-card nhsuk-card--care nhsuk-card--care--urgent").Body(
		app.Div().Class("nhsuk-card__heading-container").Body(
			app.H2().Class("nhsuk-card__heading").Text(heading),
		),
		app.Div().Class("nhsuk-card__content").Body(
			app.P().Text(body111),
			app.P().Text(body999),
		),
	)
}

var notificationKeys = map[string]string{
	"approved":         key("notice.rx.approved"),
	"rejected":         key("notice.rx.rejected"),
	"sent_to_pharmacy": key("notice.rx.sent_to_pharmacy"),
	"ready_to_collect": key("notice.rx.ready_to_collect"),
	"dispensed":        key("notice.rx.dispensed"),
}

// notificationBanner is the NHS notification banner for a change the person
// has not read, with a button to mark it read.
func notificationBanner(s *Store, n api.Notification) app.UI {
	l := s.L()
	id := "notification-" + n.ID
	text := labelled(s, notificationKeys, n.Status, key("notice.rx.approved"),
		"Medicines", listText(l, n.Medicines), "Pharmacy", n.Pharmacy, "Reason", n.Reason)
	return app.Div().Class("nhsuk-notification-banner").Attr("role", "region").Aria("labelledby", attr(id+"-title")).
		DataSet("notification", attr(n.ID)).Body(
		app.Div().Class("nhsuk-notification-banner__header").Body(
			app.H2().Class("nhsuk-notification-banner__title").ID(attr(id+"-title")).Text(l.T("notice.rx.title")),
		),
		app.Div().Class("nhsuk-notification-banner__content").Body(
			app.P().Class("nhsuk-notification-banner__heading").Text(text),
			app.P().Class("nhsuk-body-s").Text(formatTime(l, n.At)),
			app.P().Body(app.A().Class("nhsuk-notification-banner__link").Href("/prescriptions").Text(l.T("notice.rx.view"))),
			app.Form().Action("/notifications/"+attr(url.PathEscape(n.ID))+"/read").Method("post").Body(
				app.Button().Class("nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0").Type("submit").
					Body(app.Text(l.T("notice.read")), app.Span().Class("nhsuk-u-visually-hidden").Text(" "+text)),
			),
		),
	)
}

// contactRequests lists the recent requests to the practice, with their
// status and the practice's reply.
func contactRequests(s *Store, list []api.ContactRequest) app.UI {
	l := s.L()
	items := []app.UI{app.H2().Text(l.T("home.contact.heading"))}
	for _, c := range list {
		body := []app.UI{
			el.H3().Class("nhsuk-card__heading nhsuk-heading-s").Text(ContactKindName(l, c.Kind)),
			app.P().Body(contactStatusTag(s, c.Status)),
			app.P().Class("nhsuk-card__description").Text(l.T("home.contact.sent", "When", formatTime(l, c.Sent))),
		}
		if c.Status == "responded" {
			body = append(body, app.P().Body(el.Strong().Text(l.T("home.contact.reply"))), app.P().Text(c.Reply))
		} else {
			body = append(body, app.P().Text(l.T("home.contact.replyBy", "When", formatTime(l, c.ReplyBy))))
		}
		items = append(items, app.Div().Class("nhsuk-card").DataSet("contact", attr(c.ID)).DataSet("status", attr(c.Status)).Body(
			app.Div().Class("nhsuk-card__content").Body(body...)))
	}
	return app.Div().ID("contact-requests").Body(items...)
}
