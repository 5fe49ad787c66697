//go:build js

package i18n

// In the browser app the server has already chosen the language (the page
// it rendered says which), so the app needs none of x/text's matching: a
// catalogue's file name is taken as it is (the server's build checks it),
// and a choice is honoured only when it names a catalogue.

func canonical(locale string) (string, error) { return locale, nil }

type negotiator struct{}

func newNegotiator([]string) negotiator { return negotiator{} }

func (negotiator) negotiate(c *Catalogue, choice, _ string) string {
	if c.Supported(choice) {
		return choice
	}
	return DefaultLocale
}
