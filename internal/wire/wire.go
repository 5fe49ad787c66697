// Package wire assembles a Companion server from its configuration: Redis,
// the GP system, catalogues, assets, sign-in and metrics. cmd/companion and
// the integration tests use it, so tests run exactly what production runs.
package wire

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/admission"
	"github.com/nhs-companion/companion/server/coalesce"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// Build returns a ready server using rdb for everything kept in Redis. Logs
// go to logOut.
func Build(ctx context.Context, cfg config.Config, rdb redis.UniversalClient, logOut io.Writer) (*server.Server, error) {
	log := server.NewLogger(logOut, cfg.LogLevel)
	gpSys := sandbox.New(rdb, "companion:", time.Now)
	gpSys.SetPrescriptionStep(cfg.SandboxPrescriptionStep)
	if err := gpSys.Seed(ctx); err != nil {
		return nil, err
	}
	cat := i18n.MustDefault()
	l := cat.Localizer(i18n.DefaultLocale)
	assets, err := server.LoadAssets(cfg.WebDir, server.Manifest{
		Name: l.T("service.name"), ShortName: l.T("service.name"), Description: l.T("home.lead"), Lang: l.Locale(),
	})
	if err != nil {
		return nil, err
	}
	renderer := &server.Renderer{Catalogue: cat, Assets: assets}
	hours, err := consult.ParseWindows(cfg.ContactHours)
	if err != nil {
		return nil, fmt.Errorf("CONTACT_HOURS: %w", err)
	}
	contactDefaults := consult.DefaultSettings
	contactDefaults.Windows, contactDefaults.BankHolidaysOpen = hours, cfg.ContactBankHolidaysOpen
	flagStore := flags.NewStore(rdb, "companion:", 500*time.Millisecond, log)
	if cfg.GPSystem == "sandbox" {
		if err := flagStore.SeedDefaults(ctx, SandboxFlags()); err != nil {
			return nil, err
		}
	}
	go flagStore.Watch(ctx)
	authParts, err := wireAuth(ctx, cfg, rdb, gpSys, cat, renderer)
	if err != nil {
		return nil, err
	}
	metrics := server.NewMetrics()
	metrics.Registry.MustRegister(flagStore.Evaluations)
	gate := &access.Gate{GP: gpSys, IDs: authParts.PatientIDs, Flags: flagStore, Now: time.Now}
	return &server.Server{
		Config: cfg, Logger: log, Redis: rdb, GP: gpSys, Access: gate, Catalogue: cat, Assets: assets,
		Renderer: renderer, Metrics: metrics, Auth: authParts, Flags: flagStore,
		Slots:     coalesce.New[[]gp.Slot](rdb, "companion:slots:", cfg.SlotCacheTTL),
		Admission: admission.New(rdb, "companion:admission:", admission.Options{Limit: cfg.BookingConcurrency}),
		Consult:   consult.NewStore(rdb, "companion:contact:", contactDefaults, cfg.ContactMaxSuspension),
		Staff:     gpSys,
	}, nil
}

// SandboxFlags are the sandbox's starting rules, which show what flags are
// for: everything on at the pilot practice; at the other practice,
// appointments, prescriptions and linked profiles on, the record, its FHIR
// export and online consultation off.
func SandboxFlags() map[flags.Name]flags.Rule {
	both := func(pilot, other bool) flags.Rule {
		return flags.Rule{Practices: map[string]bool{sandbox.PilotPractice: pilot, sandbox.NonPilotPractice: other}}
	}
	return map[flags.Name]flags.Rule{
		flags.Appointments:       both(true, true),
		flags.Prescriptions:      both(true, true),
		flags.LinkedProfiles:     both(true, true),
		flags.Record:             both(true, false),
		flags.FHIRExport:         both(true, false),
		flags.OnlineConsultation: both(true, false),
	}
}
