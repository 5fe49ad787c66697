package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// adminPage is the staff start page: who is signed in and what they may
// administer. Pilot-site feature flags are managed from here (issue 8).
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
	content := []app.UI{app.H1().Text(p.Title())}
	if st != nil {
		roles := make([]string, 0, len(st.Roles))
		for _, r := range st.Roles {
			roles = append(roles, roleName(p.store, r))
		}
		content = append(content,
			app.Dl().Class("nhsuk-summary-list").Body(
				summaryRow(l.T("admin.name"), st.Name),
				summaryRow(l.T("admin.roles"), strings.Join(roles, ", ")),
				app.If(len(st.Practices) > 0, summaryRow(l.T("admin.practices"), strings.Join(st.Practices, ", "))),
			),
		)
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// roleName is a role as people read it; unknown roles show as such.
func roleName(s *Store, r string) string {
	l := s.L()
	switch r {
	case "site_admin":
		return l.T("admin.role.siteAdmin")
	case "national_admin":
		return l.T("admin.role.nationalAdmin")
	}
	return l.T("admin.role.unknown")
}

func summaryRow(key, value string) app.UI {
	return app.Div().Class("nhsuk-summary-list__row").Body(
		app.Dt().Class("nhsuk-summary-list__key").Text(key),
		app.Dd().Class("nhsuk-summary-list__value").Text(value),
	)
}
