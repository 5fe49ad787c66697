package wire

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/keep"
	"github.com/nhs-companion/companion/server/notify"
	"github.com/nhs-companion/companion/server/prefs"
	"github.com/nhs-companion/companion/server/prescribing"
)

// pushTimeout bounds one request to a push service.
const pushTimeout = 10 * time.Second

// wireNotify assembles notifications: the queue and in-app entries in rdb,
// people's choices kept durably, pushes signed with the configured VAPID
// keys (in sandbox, a pair made once and shared through Redis).
func wireNotify(ctx context.Context, cfg config.Config, rdb redis.UniversalClient, gate *access.Gate,
	kept keep.Store, pref prefs.Preferences, cat *i18n.Catalogue, log *slog.Logger) (*notify.Service, error) {
	pub, priv := cfg.Push.PublicKey, cfg.Push.PrivateKey
	if pub == "" {
		var err error
		if pub, priv, err = notify.VAPIDKeys(ctx, rdb, "companion:push:vapid"); err != nil {
			return nil, err
		}
	}
	client := &http.Client{Timeout: pushTimeout,
		// A push service answers; it never sends Companion elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if pub == "" || priv == "" {
		return nil, errors.New("no VAPID keys")
	}
	return &notify.Service{
		Gate: gate, Queue: notify.NewQueue(rdb, "companion:notify:"),
		Inbox: notify.NewInbox(rdb, "companion:notify:"), Kept: kept, Prefs: pref, Catalogue: cat, Log: log,
		Push: &notify.Pusher{PublicKey: pub, PrivateKey: priv, Subject: cfg.Push.Subject, Services: cfg.Push.Services,
			Loopback: cfg.Env == config.EnvSandbox, Client: client},
		Checks: map[notify.Kind]notify.Checker{
			notify.AppointmentTomorrow: booking.RemindCheck,
			notify.PrescriptionReady:   prescribing.WatchCheck,
		},
	}, nil
}
