package ui

import (
	"net/url"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// InstallForms sends the forms of the pages the app draws through
// /api/v1/pages instead of the browser: a question page's GET form is a
// navigation in the app; a POST form goes with an Idempotency-Key (the
// form's own idempotency_key, made by the server when the form was shown,
// or one made for the form when first sent), is tried again with backoff
// when the network fails, and its answer is drawn in the app. A second
// press while it is on its way sends nothing. Forms to anywhere else
// (signing out, switching profile, the server's own pages) are the
// browser's, as without WebAssembly; signing out first wipes the copies
// kept for reading offline, as does any page with nobody signed in.
func InstallForms(s *Store) {
	if !app.IsClient {
		return
	}
	if s.State.User == nil {
		wipeOffline(nil)
	}
	handler := app.FuncOf(func(this app.Value, args []app.Value) any {
		ev := args[0]
		form := ev.Get("target")
		if !form.Truthy() || form.Get("tagName").String() != "FORM" {
			return nil
		}
		action, err := url.Parse(form.Get("action").String())
		if err != nil || action.Host != app.Window().Get("location").Get("host").String() {
			return nil
		}
		if action.Path == "/auth/logout" || action.Path == "/auth/logout-everywhere" {
			ev.Call("preventDefault")
			wipeOffline(func() { form.Call("submit") })
			return nil
		}
		p := s.current
		if p == nil || !IsPage(action.Path) {
			return nil
		}
		if s.offline != 0 {
			ev.Call("preventDefault") // the banner says why
			return nil
		}
		method := "GET"
		if form.Get("method").String() == "post" {
			method = "POST"
		}
		ev.Call("preventDefault")
		if p.sending {
			return nil
		}
		values := formValues(form, ev.Get("submitter"))
		if method == "GET" {
			target := &url.URL{Path: action.Path, RawQuery: values.Encode()}
			app.Window().Call("goappNav", target.String())
			return nil
		}
		key := values.Get("idempotency_key")
		if key == "" {
			ds := form.Get("dataset")
			if k := ds.Get("idempotencyKey"); k.Truthy() {
				key = k.String()
			} else {
				key = app.Window().Get("crypto").Call("randomUUID").String()
				ds.Set("idempotencyKey", key)
			}
		}
		p.sending = true
		p.send(action.Path, values, key, form)
		return nil
	})
	app.Window().Get("document").Call("addEventListener", "submit", handler)
}

// formValues is what the browser would send for form, with the button that
// sent it.
func formValues(form, submitter app.Value) url.Values {
	var data app.Value
	if submitter.Truthy() {
		data = app.Window().Get("FormData").New(form, submitter)
	} else {
		data = app.Window().Get("FormData").New(form)
	}
	out := url.Values{}
	entries := app.Window().Get("Array").Call("from", data.Call("entries"))
	for i := 0; i < entries.Length(); i++ {
		e := entries.Index(i)
		if v := e.Index(1); v.Type() == app.TypeString {
			out.Add(e.Index(0).String(), v.String())
		}
	}
	return out
}
