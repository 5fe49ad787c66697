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
