//go:build js && wasm

// Command pwa is Companion's WebAssembly entry. It must only register routes
// and run go-app in the browser: referencing app.Handler or net/http server
// code here nearly triples app.wasm.
package main

import (
	"encoding/json"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/i18n"
)

func main() {
	store := &ui.Store{Catalogue: i18n.MustDefault(), State: handedOver()}
	// Record what the person has done to the server's page before go-app
	// replaces it; the shell puts it back.
	store.Takeover = ui.CaptureTakeover()
	ui.Register(store)
	ui.InstallServerLinks()
	ui.InstallForms(store)
	app.RunWhenOnBrowser()
}

// handedOver reads the state the server rendered the page with.
func handedOver() api.PageState {
	var st api.PageState
	el := app.Window().GetElementByID("companion-state")
	if el.Truthy() {
		_ = json.Unmarshal([]byte(el.Get("textContent").String()), &st)
	}
	if st.Locale == "" {
		st.Locale = i18n.DefaultLocale
	}
	if st.Path == "" {
		st.Path = app.Window().URL().Path
	}
	return st
}
