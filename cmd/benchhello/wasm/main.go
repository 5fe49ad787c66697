// Command wasm is the WebAssembly side of the benchmark floor: the smallest
// go-app app (one route, one component), built in the same run as Companion so
// `make bench-web` can report Companion's figures against it.
package main

import "github.com/maxence-charriere/go-app/v9/pkg/app"

type hello struct{ app.Compo }

func (h *hello) Render() app.UI { return app.H1().Text("Hello") }

func main() {
	app.Route("/", &hello{})
	app.RunWhenOnBrowser()
}
