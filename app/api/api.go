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
	// Query is the page's query string without lang, which the language
	// switcher keeps (the sign-in picker needs its parameters; ?wasm=false
	// stays off).
	Query string `json:"query,omitempty"`
	// Status is the HTTP status the page was served with (404 for not found).
	Status int `json:"status,omitempty"`
	// NHSAppHome is set when the page is inside the NHS App: the NHS App's
	// home page, where "back to the NHS App" goes when the App's own
	// JavaScript API cannot take it there.
	NHSAppHome string `json:"nhsapp_home,omitempty"`
	// NHSAppWebView is set inside the App's own web view (its user agent
	// says so), which shows who is signed in and signs them out itself; a
	// page that is only styled for the App (?from=nhsApp) still does both.
	NHSAppWebView bool `json:"nhsapp_webview,omitempty"`
	// User is the signed-in person, or nil when nobody is signed in.
	User *User `json:"user,omitempty"`
	// Staff is the signed-in member of staff on staff pages, or nil.
	Staff *Staff `json:"staff,omitempty"`
	// Error is what went wrong, on an error page.
	Error *ErrorBody `json:"error,omitempty"`
	// Features are the evaluated feature flags for the person's own record.
	Features map[string]bool `json:"features,omitempty"`
	// Sessions is the person's active sessions, on the settings page.
	Sessions []SessionInfo `json:"sessions,omitempty"`
	// Picker is the sandbox sign-in's account list, on its picker page.
	Picker *Picker `json:"picker,omitempty"`
	// ActingFor is the person the signed-in user is acting for, when it is
	// not themselves: every page names them in a banner.
	ActingFor *Profile `json:"acting_for,omitempty"`
	// Profiles are the people the user can act for, on the profiles page.
	Profiles []Profile `json:"profiles,omitempty"`
	// Activity is who accessed the user's record, on the activity page.
	Activity []ActivityEvent `json:"activity,omitempty"`
	// Diary is the appointments page's data.
	Diary *Diary `json:"diary,omitempty"`
	// Booking is the booking pages' data.
	Booking *Booking `json:"booking,omitempty"`
	// Appointment is one appointment's page.
	Appointment *AppointmentView `json:"appointment,omitempty"`
	// Record is the health record pages' data.
	Record *Record `json:"record,omitempty"`
	// Prescriptions is the prescriptions page's data.
	Prescriptions *Prescriptions `json:"prescriptions,omitempty"`
	// Order is the ordering pages' data.
	Order *OrderForm `json:"order,omitempty"`
	// PharmacyChoice is the change-pharmacy page's data.
	PharmacyChoice *PharmacyChoice `json:"pharmacy_choice,omitempty"`
	// Notifications are changes the person has not read yet, on the home
	// page.
	Notifications []Notification `json:"notifications,omitempty"`
	// WaitlistOffers are earlier appointment times held for the person, on
	// the home page.
	WaitlistOffers []WaitlistOffer `json:"waitlist_offers,omitempty"`
	// Contact is the contact-your-practice pages' data.
	Contact *ContactForm `json:"contact,omitempty"`
	// ContactRequests are the recent requests to the practice, on the home
	// page.
	ContactRequests []ContactRequest `json:"contact_requests,omitempty"`
	// Inbox is a practice's inbox, on the staff inbox page.
	Inbox *Inbox `json:"inbox,omitempty"`
	// Messages is the messages pages' data.
	Messages *MessagesPage `json:"messages,omitempty"`
	// Unread is how many of the profile's messages are not read yet, for
	// the header; nil when the profile has no messages to read (the
	// feature is off, or the relationship does not grant it).
	Unread *int `json:"unread,omitempty"`
	// Monitoring is the patient's monitoring pages' data.
	Monitoring *Monitoring `json:"monitoring,omitempty"`
	// MonitoringBoard is a practice's monitored patients, on its staff
	// pages.
	MonitoringBoard *MonitoringBoard `json:"monitoring_board,omitempty"`
	// Outbox is a practice's messages, on the staff messages page.
	Outbox *Outbox `json:"outbox,omitempty"`
	// Entries are unread notifications, on the home page.
	Entries []NotifyEntry `json:"entries,omitempty"`
	// Notify is the notification settings page's data.
	Notify *NotifySettings `json:"notify,omitempty"`
}

// Fresh is the state of another page at path before its own data arrives:
// only what every page shares (the language, who is signed in, their
// features, whom they act for, how many messages are unread, whether it
// is inside the NHS App) carries over; each page's data, query,
// status and error stay with the page they came from.
func (st PageState) Fresh(path string) PageState {
	return PageState{Locale: st.Locale, Path: path, User: st.User, Staff: st.Staff, Features: st.Features, ActingFor: st.ActingFor, Unread: st.Unread,
		NHSAppHome: st.NHSAppHome, NHSAppWebView: st.NHSAppWebView}
}

// Profile is someone the signed-in person can act for (or could, before the
// access ended), or themselves.
type Profile struct {
	PatientID  string `json:"patient_id"`
	Name       string `json:"name"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	// BirthDate is YYYY-MM-DD.
	BirthDate string `json:"birthdate"`
	// Relationship is "parent", "carer", … ("" for the person themselves).
	Relationship string   `json:"relationship,omitempty"`
	Permissions  []string `json:"permissions"`
	// Status is "active", or why access stopped: "suspended_age", "ended",
	// "revoked", "proxy_too_young".
	Status string `json:"status"`
	Self   bool   `json:"self,omitempty"`
	// Current marks the profile the person is acting for now.
	Current bool `json:"current,omitempty"`
}

// ActivityEvent is one access to a patient's record, for their history.
type ActivityEvent struct {
	Time int64 `json:"time"` // Unix ms
	// Action is the audited action ("view_appointments", "book", …).
	Action string `json:"action"`
	// Who is the name of the person who acted; empty when it was the
	// patient themselves.
	Who          string `json:"who,omitempty"`
	Relationship string `json:"relationship,omitempty"`
	Self         bool   `json:"self,omitempty"`
}

// User is the signed-in person as pages show them. It never carries the NHS
// number.
type User struct {
	// Name is the person's name as they would expect to see it.
	Name string `json:"name"`
	// ProofingLevel is NHS login's identity proofing level, "P5" or "P9".
	ProofingLevel string `json:"proofing_level"`
	// IdleDeadline is when the session ends without activity (Unix ms), for
	// the warning shown shortly before.
	IdleDeadline int64 `json:"idle_deadline,omitempty"`
	// IdleSeconds is the idle timeout, so the page can tell activity resets it.
	IdleSeconds int `json:"idle_seconds,omitempty"`
	// PatientID is the opaque ID of the person's own record (to switch back
	// to it).
	PatientID string `json:"patient_id,omitempty"`
}

// Me is GET /api/v1/me: who is signed in and what they may do.
type Me struct {
	Name          string `json:"name"`
	GivenName     string `json:"given_name"`
	FamilyName    string `json:"family_name"`
	BirthDate     string `json:"birthdate"`
	ProofingLevel string `json:"proofing_level"`
	// PatientID is the opaque ID of the person's own patient record.
	PatientID string `json:"patient_id"`
	// GPPractice is the ODS code of the practice they are registered with.
	GPPractice string `json:"gp_practice"`
	// Features are the pilot features switched on for their own record, by
	// flag name, so the app can hide what is off. The server enforces them.
	Features map[string]bool `json:"features"`
	// LinkedProfiles are the people they can act for (or could, with the
	// reason access stopped).
	LinkedProfiles []Profile `json:"linked_profiles"`
	// ActingFor is the patient ID of the profile they are acting for, ""
	// for their own.
	ActingFor string `json:"acting_for,omitempty"`
}

// SessionInfo describes one active session, for the settings page.
type SessionInfo struct {
	ID       string `json:"id"`
	Device   string `json:"device"`
	Started  int64  `json:"started"`   // Unix ms
	LastSeen int64  `json:"last_seen"` // Unix ms
	Current  bool   `json:"current"`
}

// Staff is a signed-in member of staff.
type Staff struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
	// Practices are the ODS codes a site admin looks after.
	Practices []string `json:"practices,omitempty"`
	// National is set for a national admin (kill switch, rollouts).
	National bool `json:"national,omitempty"`
	// Flags are the feature flags they may see and change.
	Flags []FlagView `json:"flags,omitempty"`
	// History is recent flag changes they may see, newest first.
	History []FlagChangeView `json:"history,omitempty"`
	// InvalidForm names the form that came back without a reason.
	InvalidForm string `json:"invalid_form,omitempty"`
}

// FlagView is a feature flag as a member of staff sees it.
type FlagView struct {
	Name       string          `json:"name"`
	Kill       bool            `json:"kill"`
	Percentage int             `json:"percentage"`
	Practices  map[string]bool `json:"practices"`
	ICBs       map[string]bool `json:"icbs,omitempty"`
}

// FlagChangeView is one audited flag change.
type FlagChangeView struct {
	Time   int64  `json:"time"` // Unix ms
	Flag   string `json:"flag"`
	Actor  string `json:"actor"`
	Reason string `json:"reason"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Picker is the sandbox NHS login's account picker.
type Picker struct {
	Action   string            `json:"action"`
	Params   map[string]string `json:"params"`
	Accounts []PickerAccount   `json:"accounts"`
	Invalid  bool              `json:"invalid,omitempty"`
}

// PickerAccount is one sandbox person on the picker.
type PickerAccount struct {
	Value       string `json:"value"`
	Name        string `json:"name"`
	Description string `json:"description"`
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
