package session

import "strings"

// Device summarises a User-Agent for the sessions list, without keeping the
// full string.
func Device(ua string) string {
	browser := "Browser"
	for _, b := range []struct{ needle, name string }{
		{"Edg/", "Edge"}, {"SamsungBrowser", "Samsung Internet"}, {"Firefox/", "Firefox"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.needle) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ needle, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"Windows", "Windows"},
		{"Mac OS X", "Mac"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.needle) {
			return browser + " on " + o.name
		}
	}
	return browser
}
