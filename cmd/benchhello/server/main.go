// Command server serves the benchmark floor with go-app's own Handler, as a
// go-app hello world ships by default, except that its icons are local so the
// page makes no request off the machine. It serves ./web from its working
// directory on ADDR:PORT.
package main

import (
	"log"
	"net"
	"net/http"
	"os"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

type hello struct{ app.Compo }

func (h *hello) Render() app.UI { return app.H1().Text("Hello") }

func main() {
	app.Route("/", &hello{})
	h := &app.Handler{
		Name:  "Hello",
		Title: "Hello",
		Icon:  app.Icon{Default: "/web/icon.png", Large: "/web/icon.png", SVG: "/web/icon.svg"},
	}
	addr := net.JoinHostPort(os.Getenv("ADDR"), os.Getenv("PORT"))
	log.Fatal(http.ListenAndServe(addr, h))
}
