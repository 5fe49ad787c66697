package api

// NotifyEntry is an unread notification on the home page: what kind of
// thing happened, and the address that opens it (marking it read).
type NotifyEntry struct {
	// Kind is "appointment_tomorrow", "contact_reply", "message", …
	Kind string `json:"kind"`
	Key  string `json:"key"`
	// At is when it happened (Unix ms).
	At   int64  `json:"at"`
	Open string `json:"open"`
}

// NotifyText are the catalogue keys of what a notification of each kind
// says, as a push and on the home page: for the person themself and for
// someone acting for the patient. Both name nobody and say nothing
// clinical.
var NotifyText = map[string]struct{ Self, Other string }{
	"appointment_tomorrow": {key("notify.appointment_tomorrow.self"), key("notify.appointment_tomorrow.other")},
	"waitlist_offer":       {key("notify.waitlist_offer.self"), key("notify.waitlist_offer.other")},
	"prescription_ready":   {key("notify.prescription_ready.self"), key("notify.prescription_ready.other")},
	"contact_reply":        {key("notify.contact_reply.self"), key("notify.contact_reply.other")},
	"message":              {key("notify.message.self"), key("notify.message.other")},
}

// NotifyKindLabel are the catalogue keys naming each kind on the settings
// page.
var NotifyKindLabel = map[string]string{
	"appointment_tomorrow": key("notify.kind.appointment_tomorrow"),
	"waitlist_offer":       key("notify.kind.waitlist_offer"),
	"prescription_ready":   key("notify.kind.prescription_ready"),
	"contact_reply":        key("notify.kind.contact_reply"),
	"message":              key("notify.kind.message"),
}

// key marks a string as a catalogue key kept as data.
func key(k string) string { return k }

// NotifySettings is the notification settings page's data.
type NotifySettings struct {
	// Kinds are every kind, in order, with whether the person wants it
	// pushed.
	Kinds []NotifyKind `json:"kinds"`
	// Devices is how many of the person's devices get pushes.
	Devices int `json:"devices"`
	// Key is the VAPID public key a device subscribes with.
	Key string `json:"key"`
	// Saved is set after the choices were saved.
	Saved bool `json:"saved,omitempty"`
}

// NotifyKind is one kind of notification and whether it is on.
type NotifyKind struct {
	Kind string `json:"kind"`
	On   bool   `json:"on"`
}

// PushKey is the answer to GET /api/v1/push/key: the VAPID public key
// (base64url, uncompressed P-256 point) a device subscribes with.
type PushKey struct {
	Key string `json:"key"`
}
