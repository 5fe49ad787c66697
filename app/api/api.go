// Package api holds the JSON wire types shared by the server and the
// WebAssembly app, and the typed client the app uses to call the server.
//
// It must not import any server-only package: it is linked into app.wasm.
package api

// PageState is the data a page was rendered with on the server. The server
// writes it into the page as a JSON block so the WebAssembly app can take over
// the page from the same data, without a second fetch or a flash.
type PageState struct {
	// Locale is the BCP 47 tag of the language the page is in.
	Locale string `json:"locale"`
	// Path is the path the state was rendered for; data for another path is
	// never reused.
	Path string `json:"path"`
	// Status is the HTTP status the page was served with (404 for not found).
	Status int `json:"status,omitempty"`
	// User is the signed-in person, or nil when nobody is signed in.
	User *User `json:"user,omitempty"`
}

// User is the signed-in person as pages show them. It never carries the NHS
// number.
type User struct {
	// Name is the person's name as they would expect to see it.
	Name string `json:"name"`
}

// Error is the body of every JSON error response.
type Error struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody carries a stable machine-readable code and a message for people.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
