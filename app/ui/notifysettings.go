package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// notifySettingsPage is /settings/notifications: which kinds of
// notification to have pushed (a form that works without WebAssembly), and
// pushes on this device turned on or off (which needs the browser's push
// service, so only the app offers it; web/push.js does the work).
type notifySettingsPage struct {
	app.Compo
	store *Store
}

// NotifySettingsPage builds the page from the server's state.
func NotifySettingsPage(s *Store) Page { return &notifySettingsPage{store: s} }

// Title is the page title.
func (p *notifySettingsPage) Title() string { return p.store.L().T("notify.settings.title") }

// Render draws the page.
func (p *notifySettingsPage) Render() app.UI {
	l := p.store.L()
	v := p.store.State.Notify
	content := []app.UI{backLink("/settings", l.T("form.back")), app.H1().Text(p.Title())}
	if v == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
	}
	if v.Saved {
		content = append(content, successBanner(l.T("form.success"), l.T("notify.settings.saved")))
	}
	content = append(content, app.P().Text(l.T("notify.settings.lead")))
	items := make([]app.UI, 0, len(v.Kinds))
	for _, k := range v.Kinds {
		label, ok := api.NotifyKindLabel[k.Kind]
		if !ok {
			continue // a kind newer than this app: the next load has it
		}
		id := "kind-" + attr(k.Kind)
		items = append(items, app.Div().Class("nhsuk-checkboxes__item").Body(
			checkedIf(app.Input().Class("nhsuk-checkboxes__input").ID(id).Name("kinds").Type("checkbox").Value(attr(k.Kind)), k.On),
			el.Label().Class("nhsuk-label nhsuk-checkboxes__label").Attr("for", id).Text(l.T(label)),
		))
	}
	content = append(content,
		app.Form().Action("/settings/notifications").Method("post").Body(
			app.Div().Class("nhsuk-form-group").Body(
				el.FieldSet().Class("nhsuk-fieldset").Aria("describedby", "kinds-hint").Body(
					el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--m").Body(
						app.H2().Class("nhsuk-fieldset__heading").Text(l.T("notify.settings.kinds"))),
					app.Div().Class("nhsuk-hint").ID("kinds-hint").Text(l.T("notify.settings.kindsHint")),
					app.Div().Class("nhsuk-checkboxes").Body(items...),
				),
			),
			app.Button().Class("nhsuk-button").Type("submit").Name("action").Value("save").Text(l.T("notify.settings.save")),
		),
		app.H2().Text(l.T("notify.settings.devices")),
		&pushDevice{Store: p.store, Key: v.Key, Devices: v.Devices},
	)
	if v.Devices > 0 {
		content = append(content, app.Form().Action("/settings/notifications").Method("post").Body(
			app.Button().Class("nhsuk-button nhsuk-button--secondary").Type("submit").Name("action").Value("push_off").
				Text(l.T("notify.settings.offEverywhere")),
		))
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// pushDevice is this device's part of the page, a component of its own
// (data pages keep no state): how many devices get pushes, and a button
// to turn them on or off here when the browser can, or why it cannot.
type pushDevice struct {
	app.Compo
	Store   *Store
	Key     string
	Devices int

	// device is this device's push state: "" until known, then "on",
	// "off", "denied", "unsupported" or "failed" (web/push.js).
	device string
	busy   bool
}

func pushJS() app.Value { return app.Window().Get("companionPush") }

// OnMount asks the browser whether this device has pushes on.
func (c *pushDevice) OnMount(ctx app.Context) {
	if js := pushJS(); js.Truthy() {
		js.Call("state").Then(func(v app.Value) {
			ctx.Dispatch(func(app.Context) { c.device = v.String() })
		})
	}
}

// toggle turns pushes on this device on or off, then reads again how many
// devices get them.
func (c *pushDevice) toggle(ctx app.Context, _ app.Event) {
	js := pushJS()
	if !js.Truthy() || c.busy {
		return
	}
	c.busy = true
	call := js.Call("on", c.Key)
	if c.device == "on" {
		call = js.Call("off")
	}
	call.Then(func(r app.Value) {
		state := r.String()
		ctx.Async(func() {
			var out api.NotifySettings
			err := api.NewClient("").Get(ctx, "/api/v1/notify/settings", &out)
			ctx.Dispatch(func(app.Context) {
				c.device, c.busy = state, false
				if err == nil {
					c.Devices = out.Devices
				}
			})
		})
	})
}

// deviceStatus are the catalogue keys saying where this device stands.
var deviceStatus = map[string]string{
	"on":          key("notify.device.on"),
	"off":         key("notify.device.off"),
	"denied":      key("notify.device.denied"),
	"failed":      key("notify.device.failed"),
	"unsupported": key("notify.device.unsupported"),
}

// Render draws the device's part.
func (c *pushDevice) Render() app.UI {
	l := c.Store.L()
	status := ""
	switch c.device {
	case "on", "off", "denied", "failed", "unsupported":
		status = l.T(deviceStatus[c.device])
	default:
		if !app.IsClient {
			status = l.T("notify.device.needsApp")
		}
	}
	body := []app.UI{
		app.P().ID("push-devices").Text(l.N("notify.settings.deviceCount", c.Devices)),
		app.P().ID("push-device").Attr("role", "status").Text(status),
	}
	if c.device == "on" || c.device == "off" || c.device == "failed" {
		label := l.T("notify.device.turnOn")
		if c.device == "on" {
			label = l.T("notify.device.turnOff")
		}
		body = append(body, app.Button().ID("push-toggle").Class("nhsuk-button nhsuk-button--secondary").Type("button").
			Aria("busy", map[bool]string{true: "true", false: "false"}[c.busy]).OnClick(c.toggle).Text(label))
	}
	return app.Div().ID("push-device-part").Body(body...)
}
