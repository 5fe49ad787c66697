// Command companion is Companion's web server. With no configuration it runs
// in sandbox mode: an in-process Redis (miniredis) and the sandbox GP system
// seeded with the sandbox cast. See the README for every variable.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/internal/wire"
	"github.com/nhs-companion/companion/server/logs"
	"github.com/nhs-companion/companion/server/web"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "audit-verify" {
		if err := auditVerify(context.Background(), os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "companion audit-verify:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "companion:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return err
	}
	bootLog := logs.New(os.Stdout, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	rdb, closeRedis, err := openRedis(cfg, bootLog)
	if err != nil {
		return err
	}
	defer closeRedis()

	srv, err := wire.Build(ctx, cfg, rdb, os.Stdout)
	if err != nil {
		return err
	}
	log := srv.Logger
	assets := srv.Assets

	site := &http.Server{
		Addr:              cfg.ListenAddr(),
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		TLSConfig:         web.TLSConfig(),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", site.Addr)
	if err != nil {
		return err
	}
	servers := []*http.Server{site}
	errc := make(chan error, 2)
	go func() {
		if cfg.TLSCertFile != "" {
			errc <- site.ServeTLS(ln, cfg.TLSCertFile, cfg.TLSKeyFile)
			return
		}
		errc <- site.Serve(web.SecureErrors(ln))
	}()
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		switch {
		case err == nil:
			msrv := &http.Server{Handler: srv.Metrics.Handler(), ReadHeaderTimeout: 10 * time.Second}
			servers = append(servers, msrv)
			go func() { errc <- msrv.Serve(mln) }()
			log.Info("metrics listening", "addr", mln.Addr().String())
		case cfg.Env == config.EnvProduction:
			return fmt.Errorf("metrics listener: %w", err)
		default:
			log.Warn("metrics listener not started", "addr", cfg.MetricsAddr, "err", err)
		}
	}
	wasmRaw, wasmGz, wasmBr := assets.Size("/web/app.wasm")
	log.Info("companion listening",
		"url", "http://"+ln.Addr().String(), "env", cfg.Env, "sandbox_parts", cfg.SandboxParts(),
		"app_wasm_bytes", wasmRaw, "app_wasm_gzip_bytes", wasmGz, "app_wasm_brotli_bytes", wasmBr)

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			errs = append(errs, err)
		}
	}
	log.Info("stopped")
	return errors.Join(errs...)
}

// openRedis connects to REDIS_CLUSTER_ADDRS or REDIS_URL, or in sandbox
// mode starts an in-process Redis-compatible server.
func openRedis(cfg config.Config, log *slog.Logger) (redis.UniversalClient, func(), error) {
	if len(cfg.RedisClusterAddrs) > 0 {
		c := redis.NewClusterClient(&redis.ClusterOptions{
			Addrs: cfg.RedisClusterAddrs,
			// After a failover the dead master's slots are served by its
			// replica, but nothing tells the client so until it reads the
			// cluster's shape again (60 s by default): read it every
			// second, so the service comes back by itself as soon as the
			// cluster has.
			ClusterStateReloadInterval: time.Second,
			// A master that has gone is answered for quickly (503), not
			// waited on.
			DialTimeout: 2 * time.Second,
			// Off: redis-server 7 does not know them, and go-redis v9.23's
			// fallback rewrites options a node's connections share (a data
			// race when one connection is taken apart, as the sandbox GP
			// system's replicated writes do).
			MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		})
		return c, func() { c.Close() }, nil
	}
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		c := redis.NewClient(opt)
		return c, func() { c.Close() }, nil
	}
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return nil, nil, fmt.Errorf("start sandbox redis: %w", err)
	}
	log.Info("sandbox redis started (in-process, not persisted)")
	c := redis.NewClient(&redis.Options{Addr: m.Addr()})
	return c, func() { c.Close(); m.Close() }, nil
}
