package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Push configures Web Push (VAPID_*, PUSH_*).
type Push struct {
	PublicKey  string // VAPID_PUBLIC_KEY: base64url P-256 point; empty in sandbox makes a pair
	PrivateKey string // VAPID_PRIVATE_KEY: base64url P-256 scalar
	Subject    string // VAPID_SUBJECT: a mailto: or https: contact for the push services
	// Services are the push services' hosts subscriptions may name
	// (PUSH_SERVICES; a leading dot allows any subdomain).
	Services []string
	// Tick is how often each process looks for due notifications
	// (NOTIFY_TICK; 0 turns the worker off, for tests that drive it).
	Tick time.Duration
}

// defaultPushServices are the push services of the browsers people use:
// Chrome and Edge on Android and desktop, Firefox, Safari and Windows.
const defaultPushServices = "fcm.googleapis.com,updates.push.services.mozilla.com,.push.apple.com,.notify.windows.com"

var pushVariables = []Variable{
	{"VAPID_PUBLIC_KEY", "(empty)", "Web Push VAPID public key (base64url, uncompressed P-256 point). Empty in sandbox generates a pair, shared through Redis by every process; required in production."},
	{"VAPID_PRIVATE_KEY", "(empty)", "The VAPID private key (base64url P-256 scalar) that signs every push."},
	{"VAPID_SUBJECT", "mailto:companion@example.nhs.uk", "The contact (`mailto:` or `https:`) push services may reach about Companion's pushes."},
	{"PUSH_SERVICES", defaultPushServices, "Push services' hosts a device's subscription may name, comma-separated (a leading dot allows subdomains). Companion posts to no other host."},
	{"NOTIFY_TICK", "1s", "How often each process looks for notifications due (`0` turns the worker off)."},
}

func loadPush(get func(name, def string) string) (Push, []error) {
	var errs []error
	p := Push{
		PublicKey:  get("VAPID_PUBLIC_KEY", ""),
		PrivateKey: get("VAPID_PRIVATE_KEY", ""),
		Subject:    get("VAPID_SUBJECT", "mailto:companion@example.nhs.uk"),
	}
	for _, s := range listSpacing.Split(strings.TrimSpace(get("PUSH_SERVICES", defaultPushServices)), -1) {
		if s != "" {
			p.Services = append(p.Services, strings.ToLower(s))
		}
	}
	if (p.PublicKey == "") != (p.PrivateKey == "") {
		errs = append(errs, errors.New("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together"))
	}
	if p.PublicKey != "" {
		pub, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(p.PublicKey, "="))
		priv, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(p.PrivateKey, "="))
		if err1 != nil || len(pub) != 65 || pub[0] != 4 || err2 != nil || len(priv) != 32 {
			errs = append(errs, errors.New("VAPID_PUBLIC_KEY must be a base64url uncompressed P-256 point and VAPID_PRIVATE_KEY a base64url 32-byte scalar"))
		}
	}
	if !strings.HasPrefix(p.Subject, "mailto:") && !strings.HasPrefix(p.Subject, "https:") {
		errs = append(errs, fmt.Errorf("VAPID_SUBJECT must start mailto: or https:, got %q", p.Subject))
	}
	tick, err := time.ParseDuration(get("NOTIFY_TICK", "1s"))
	if err != nil || tick < 0 {
		errs = append(errs, fmt.Errorf("NOTIFY_TICK must be a duration such as 1s (0 for off), got %q", get("NOTIFY_TICK", "")))
	}
	p.Tick = tick
	return p, errs
}
