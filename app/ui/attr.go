package ui

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// attr makes s safe to use as an attribute value in a server render.
//
// go-app v9.8.0 writes attribute values with strconv.Quote, which escapes for
// Go, not HTML: a `"` becomes `\"` and ends the attribute early, so text a
// person typed could inject markup. On the server, attr turns the characters
// Quote would touch into numeric character references, which Quote leaves
// alone and the browser decodes back. In the browser go-app sets attributes
// through the DOM, so the value is used as it is.
//
// Every attribute whose value is not a constant must go through attr.
func attr(s string) string {
	if app.IsClient {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"', r == '\\', r == '&', r == '<', r == '>', r == '\'':
			b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
		case r == ' ' || (r < unicode.MaxASCII && unicode.IsPrint(r)) || (r >= unicode.MaxASCII && strconv.IsPrint(r)):
			b.WriteRune(r)
		default:
			b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
		}
	}
	return b.String()
}
