package notify

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/fault"
)

// Refusals of a subscription.
var (
	ErrBadSubscription = fault.New(fault.Invalid, "bad_subscription", "notify.error.subscription")
	ErrPushService     = fault.New(fault.Invalid, "push_service_not_allowed", "notify.error.subscription")
	ErrBadKind         = fault.New(fault.Invalid, "bad_kind", "error.badRequest")
)

// Pusher sends Web Push messages (RFC 8030), encrypted for the device (RFC
// 8291) and signed with Companion's VAPID key (RFC 8292).
type Pusher struct {
	PublicKey, PrivateKey string
	// Subject is the contact the push services may reach (mailto: or https:).
	Subject string
	// Services are the push services' hosts a subscription may name (a
	// host, or a suffix starting with a dot); Companion posts to nothing
	// else. Loopback allows plain http to 127.0.0.1 (tests and the sandbox).
	Services []string
	Loopback bool
	Client   *http.Client
}

// VAPIDKeys are the sandbox's VAPID keys, made once and kept in rdb at key
// so every process signs with the same (one value, so a pair is never
// split between two processes that made theirs at once).
func VAPIDKeys(ctx context.Context, rdb redis.UniversalClient, key string) (public, private string, err error) {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		return "", "", err
	}
	if err := rdb.SetNX(ctx, key, pub+" "+priv, 0).Err(); err != nil {
		return "", "", err
	}
	pair, err := rdb.Get(ctx, key).Result()
	if err != nil {
		return "", "", err
	}
	public, private, _ = strings.Cut(pair, " ")
	return public, private, nil
}

// Subscription is one device's push subscription (PushSubscription.toJSON).
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
	// Added is when it was added (ms).
	Added int64 `json:"added,omitempty"`
}

// maxEndpoint bounds an endpoint's length.
const maxEndpoint = 1024

// Check refuses a subscription Companion must not post to: not a URL of an
// allowed push service, or keys that are not a P-256 point and a 16-byte
// secret.
func (p *Pusher) Check(sub Subscription) error {
	if len(sub.Endpoint) > maxEndpoint {
		return ErrBadSubscription
	}
	u, err := url.Parse(sub.Endpoint)
	if err != nil || u.Host == "" || u.User != nil {
		return ErrBadSubscription
	}
	pub, err1 := decodeKey(sub.Keys.P256dh)
	auth, err2 := decodeKey(sub.Keys.Auth)
	if err1 != nil || err2 != nil || len(pub) != 65 || pub[0] != 4 || len(auth) != 16 {
		return ErrBadSubscription
	}
	host := u.Hostname()
	if u.Scheme == "http" && p.Loopback {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	if u.Scheme != "https" || !slices.ContainsFunc(p.Services, func(s string) bool {
		return host == s || (strings.HasPrefix(s, ".") && strings.HasSuffix(host, s))
	}) {
		return ErrPushService
	}
	return nil
}

func decodeKey(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// Payload is what the service worker receives: no name, nothing clinical.
type Payload struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// URL is the page to open, on Companion's origin.
	URL string `json:"url"`
	// Tag collapses notifications of a kind on the device.
	Tag string `json:"tag"`
}

// pushTTL is how long a push service keeps a message for a device that is
// offline.
const pushTTL = 24 * time.Hour

// sent is what the push service said.
type sent int

const (
	delivered sent = iota
	gone           // 404 or 410: the subscription has expired or was removed
	retry          // 429, 5xx or no answer: try again later
	refused        // any other answer: trying again will not help
)

// Send pushes pl to sub, with topic collapsing undelivered ones of its kind.
func (p *Pusher) Send(ctx context.Context, sub Subscription, pl Payload, topic string) (sent, error) {
	b, err := json.Marshal(pl)
	if err != nil {
		return refused, err
	}
	ws := &webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}}
	res, err := webpush.SendNotificationWithContext(ctx, b, ws, &webpush.Options{
		HTTPClient: p.Client, Subscriber: p.Subject, Topic: topic, TTL: int(pushTTL / time.Second),
		Urgency: webpush.UrgencyNormal, VAPIDPublicKey: p.PublicKey, VAPIDPrivateKey: p.PrivateKey,
	})
	if err != nil {
		return retry, err
	}
	defer res.Body.Close()
	switch c := res.StatusCode; {
	case c >= 200 && c < 300:
		return delivered, nil
	case c == http.StatusNotFound || c == http.StatusGone:
		return gone, nil
	case c == http.StatusTooManyRequests || c >= 500:
		return retry, fmt.Errorf("push service answered %d", c)
	default:
		return refused, fmt.Errorf("push service answered %d", c)
	}
}

// endpointID names a subscription without repeating its endpoint (a
// capability URL) in job IDs and logs.
func endpointID(endpoint string) string {
	h := sha256.Sum256([]byte(endpoint))
	return hex.EncodeToString(h[:8])
}
