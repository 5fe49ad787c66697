// Package wire assembles a Companion server from its configuration: Redis,
// the GP system, catalogues, assets, sign-in, the features and metrics.
// cmd/companion and the integration tests use it, so tests run exactly what
// production runs.
package wire

import (
	"context"
	"fmt"
	"github.com/nhs-companion/companion/internal/roundtrip"
	"io"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/admission"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/booking"
	"github.com/nhs-companion/companion/server/coalesce"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
	"github.com/nhs-companion/companion/server/identity"
	"github.com/nhs-companion/companion/server/logs"
	"github.com/nhs-companion/companion/server/messaging"
	"github.com/nhs-companion/companion/server/monitoring"
	"github.com/nhs-companion/companion/server/prescribing"
	"github.com/nhs-companion/companion/server/profiles"
	"github.com/nhs-companion/companion/server/ratelimit"
	"github.com/nhs-companion/companion/server/record"
	"github.com/nhs-companion/companion/server/reqstate"
	"github.com/nhs-companion/companion/server/safety"
	"github.com/nhs-companion/companion/server/staff"
	"github.com/nhs-companion/companion/server/web"
)

// GPSystem builds the GP-system adapter GP_SYSTEM names.
func GPSystem(ctx context.Context, cfg config.Config, rdb redis.UniversalClient) (gp.System, error) {
	switch cfg.GPSystem {
	case "sandbox":
		s := sandbox.New(rdb, "companion:", time.Now)
		s.SetPrescriptionStep(cfg.SandboxPrescriptionStep)
		if err := s.Seed(ctx); err != nil {
			return nil, err
		}
		return s, nil
	case "fhir":
		// Reaching it is not needed to start: /readyz reports whether it
		// answers, and it may come back.
		return fhirSystem(cfg.FHIR)
	}
	return nil, fmt.Errorf("GP_SYSTEM %q: Companion has no such adapter", cfg.GPSystem)
}

// Build returns a ready server using rdb for everything kept in Redis. Logs
// go to logOut.
func Build(ctx context.Context, cfg config.Config, rdb redis.UniversalClient, logOut io.Writer) (*server.Server, error) {
	log := logs.New(logOut, cfg.LogLevel)
	gpSys, err := GPSystem(ctx, cfg, rdb)
	if err != nil {
		return nil, err
	}
	cat := i18n.MustDefault()
	l := cat.Localizer(i18n.DefaultLocale)
	assets, err := web.LoadAssets(cfg.WebDir, web.Manifest{
		Name: l.T("service.name"), ShortName: l.T("service.name"), Description: l.T("home.lead"), Lang: l.Locale(),
	})
	if err != nil {
		return nil, err
	}
	renderer := &web.Renderer{Catalogue: cat, Assets: assets,
		NHSApp: web.NHSApp{JSURL: cfg.NHSApp.JSURL, Origin: cfg.NHSApp.Origin, Home: cfg.NHSApp.Home}}
	hours, err := consult.ParseWindows(cfg.ContactHours)
	if err != nil {
		return nil, fmt.Errorf("CONTACT_HOURS: %w", err)
	}
	contactDefaults := consult.DefaultSettings
	contactDefaults.Windows, contactDefaults.BankHolidaysOpen = hours, cfg.ContactBankHolidaysOpen
	durable, err := openDurable(ctx, cfg, rdb, log)
	if err != nil {
		return nil, err
	}
	flagStore := flags.NewStoreIn(durable.flags, rdb, "companion:", 500*time.Millisecond, log)
	if cfg.Env == config.EnvSandbox {
		if err := flagStore.SeedDefaults(ctx, SandboxFlags()); err != nil {
			return nil, err
		}
		if err := seedPlans(ctx, durable.plans, time.Now()); err != nil {
			return nil, err
		}
	}
	go flagStore.Watch(ctx)
	authParts, err := wireAuth(ctx, cfg, rdb, gpSys, cat, renderer, durable.audit)
	if err != nil {
		return nil, err
	}
	metrics := web.NewMetrics()
	metrics.Registry.MustRegister(flagStore.Evaluations)
	// What each request costs the stores (docs/capacity.md reads these).
	redisCount := newRedisCounter()
	rdb.AddHook(redisCount)
	rdb.AddHook(roundtrip.Hook{})
	metrics.Registry.MustRegister(redisCount.commands)
	if durable.db != nil {
		metrics.Registry.MustRegister(durable.db.Statements)
	}
	safetyLog := safety.New(rdb, "companion:safety:", time.Now, log)
	metrics.Registry.MustRegister(safetyLog.Events)
	gate := &access.Gate{GP: gpSys, IDs: authParts.PatientIDs, Flags: flagStore, Safety: safetyLog, Now: time.Now}
	trail := &audit.Trail{Log: authParts.Audit, Logger: log}
	idem := reqstate.NewIdempotency(rdb, "companion:idem:", log)
	claims := booking.NewClaims(rdb, "companion:claimed:")
	holds := booking.NewHolds(rdb, "companion:hold:", cfg.SlotHold, claims)
	contact := &consult.Service{
		Store: consult.NewStore(rdb, "companion:contact:", contactDefaults, cfg.ContactMaxSuspension).KeepIn(durable.kept),
		Idem:  idem, Audit: trail, Log: log, Safety: safetyLog,
	}
	notifier, err := wireNotify(ctx, cfg, rdb, gate, durable.kept, durable.prefs, cat, log)
	if err != nil {
		return nil, err
	}
	srv := &server.Server{
		Config: cfg, Logger: log, Redis: rdb, GP: gpSys, Access: gate, Catalogue: cat, Assets: assets,
		Renderer: renderer, Metrics: metrics, Auth: authParts, Flags: flagStore, Audit: trail,
		Identity: &identity.SignIn{GP: gpSys, IDs: authParts.PatientIDs, Audit: trail, Safety: safetyLog, Log: log},
		Safety:   safetyLog,
		Limits:   ratelimit.New(rdb, log),
		Prefs:    durable.prefs,
		Drafts:   reqstate.NewDrafts(rdb, "companion:draft:", draftTTL),
		Booking: &booking.Service{
			Slots:     coalesce.New[[]gp.Slot](rdb, "companion:slots:", cfg.SlotCacheTTL),
			Claims:    claims,
			Holds:     holds,
			Waitlist:  booking.NewWaitlist(rdb, "companion:waitlist:", cfg.WaitlistOffer, holds),
			Admission: admission.New(rdb, "companion:admission:", admission.Options{Limit: cfg.BookingConcurrency}),
			Idem:      idem, Audit: trail, Log: log, Notify: notifier,
		},
		Prescribing: &prescribing.Service{Directory: gpSys, Idem: idem, Audit: trail,
			Reads: prescribing.NewReadState(durable.kept), Notify: notifier},
		Contact:    contact,
		Records:    &record.Service{Audit: trail},
		Profiles:   &profiles.Service{Gate: gate, Audit: authParts.Audit},
		Messaging:  &messaging.Service{GP: gpSys, IDs: authParts.PatientIDs, Audit: trail, Idem: idem, Notify: notifier},
		Monitoring: &monitoring.Service{GP: gpSys, Plans: durable.plans, IDs: authParts.PatientIDs, Audit: trail, Idem: idem},
		Staff: &staff.Service{GP: gpSys, Flags: flagStore, Contact: contact, IDs: authParts.PatientIDs,
			Audit: trail, Safety: safetyLog, MaxSuspension: cfg.ContactMaxSuspension, Notify: notifier},
		Notify: notifier,
	}
	if durable.db != nil {
		srv.Database = durable.db
	}
	// Offers from the waitlist pass on when they expire, looked at or not.
	go srv.Booking.SweepWaitlist(ctx, waitlistSweep)
	if cfg.Push.Tick > 0 {
		go notifier.Run(ctx, cfg.Push.Tick)
	}
	return srv, nil
}

// waitlistSweep is how often each process passes on expired waitlist
// offers (every process may: each offer is passed on once).
const waitlistSweep = 2 * time.Second

// SandboxFlags are the sandbox's starting rules, which show what flags are
// for: everything on at the pilot practice; at the other practice,
// appointments, prescriptions and linked profiles on, the record, its FHIR
// export, online consultation, the appointment waitlist and messages off.
func SandboxFlags() map[flags.Name]flags.Rule {
	both := func(pilot, other bool) flags.Rule {
		return flags.Rule{Practices: map[string]bool{sandbox.PilotPractice: pilot, sandbox.NonPilotPractice: other}}
	}
	return map[flags.Name]flags.Rule{
		flags.Appointments:        both(true, true),
		flags.AppointmentWaitlist: both(true, false),
		flags.Prescriptions:       both(true, true),
		flags.LinkedProfiles:      both(true, true),
		flags.Record:              both(true, false),
		flags.FHIRExport:          both(true, false),
		flags.OnlineConsultation:  both(true, false),
		flags.Messages:            both(true, false),
		flags.RemoteMonitoring:    both(true, false),
	}
}

// draftTTL is how long an unfinished form is kept after its last step: the
// default idle timeout of a session.
const draftTTL = 30 * time.Minute
