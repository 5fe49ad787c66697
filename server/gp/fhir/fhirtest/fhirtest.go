// Package fhirtest starts a real FHIR R4 server for tests: Medplum's FHIR
// engine from npm (in ./medplum, run with Node.js), in memory, at
// http://127.0.0.1:<port>/fhir/R4, and seeds it with the sandbox cast.
// medplum/server.mjs says what the fixture adds to the engine (one request
// at a time, transactions rolled back on failure, validation on every
// write, paging links, ETags); this package's tests prove each.
//
// It is a test helper: only test helpers and _test.go files may import it.
// On first use it installs the engine's npm packages (`npm ci` in
// ./medplum), so tests need Node.js 20 and npm on PATH.
package fhirtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/internal/nodefixture"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// Server is a running FHIR server.
type Server struct {
	// BaseURL is the FHIR base, ending in /fhir/R4.
	BaseURL string
	proc    *nodefixture.Process
}

func spec() nodefixture.Spec {
	conf, _ := json.Marshal(map[string]any{"port": 0})
	return nodefixture.Spec{
		Name: "fhirtest", Dir: "server/gp/fhir/fhirtest/medplum", Script: "server.mjs", Package: "@medplum/fhir-router",
		Env: []string{"FHIR_CONFIG=" + string(conf)}, Timeout: 30 * time.Second,
	}
}

// MustStart starts an empty server and stops it when tb ends.
func MustStart(tb testing.TB) *Server {
	tb.Helper()
	p := nodefixture.MustStart(tb, spec())
	return &Server{BaseURL: p.Ready, proc: p}
}

// Start starts an empty server outside a test; the caller must Stop it.
func Start() (*Server, error) {
	p, err := nodefixture.Start(spec())
	if err != nil {
		return nil, fmt.Errorf("fhirtest: %w", err)
	}
	return &Server{BaseURL: p.Ready, proc: p}, nil
}

// Stop stops the server.
func (s *Server) Stop() { s.proc.Stop() }

// Save keeps the server's current data; Restore returns to it.
func (s *Server) Save(ctx context.Context) error { return s.hook(ctx, "save") }

// Restore returns the server to the data Save kept (empty if never saved).
func (s *Server) Restore(ctx context.Context) error { return s.hook(ctx, "restore") }

func (s *Server) hook(ctx context.Context, name string) error {
	root := strings.TrimSuffix(s.BaseURL, "/fhir/R4")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, root+"/_fixture/"+name, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fhirtest %s: %w", name, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		return fmt.Errorf("fhirtest %s: %s", name, res.Status)
	}
	return nil
}

// MustStartSeeded starts a server holding the sandbox cast, practices,
// pharmacies and the next fifteen days of free slots, copied from a
// sandbox seeded for the purpose (returned, for comparing), and saves
// that state for Restore.
func MustStartSeeded(tb testing.TB) (*Server, *sandbox.System) {
	tb.Helper()
	m := miniredis.RunT(tb)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	tb.Cleanup(func() { rdb.Close() })
	src := sandbox.New(rdb, "seed:", time.Now)
	ctx := context.Background()
	if err := src.Seed(ctx); err != nil {
		tb.Fatal(err)
	}
	srv := MustStart(tb)
	start := time.Now()
	if err := srv.Seed(ctx, src, sandbox.Cast(), time.Now(), time.Now().AddDate(0, 0, 15)); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("fhirtest: seeded in %v", time.Since(start).Round(time.Millisecond))
	if err := srv.Save(ctx); err != nil {
		tb.Fatal(err)
	}
	return srv, src
}

// Edit changes every resource a search finds ("Consent?status=active"), as
// a practice's own system would, and returns how many it changed.
func (s *Server) Edit(ctx context.Context, search string, change func(resource map[string]any)) (int, error) {
	var found struct {
		Entry []struct {
			Resource map[string]any `json:"resource"`
		} `json:"entry"`
	}
	if err := s.send(ctx, http.MethodGet, s.BaseURL+"/"+search, nil, &found); err != nil {
		return 0, err
	}
	for _, e := range found.Entry {
		change(e.Resource)
		body, err := json.Marshal(e.Resource)
		if err != nil {
			return 0, err
		}
		typ, _ := e.Resource["resourceType"].(string)
		id, _ := e.Resource["id"].(string)
		var out map[string]any
		if err := s.send(ctx, http.MethodPut, s.BaseURL+"/"+typ+"/"+id, body, &out); err != nil {
			return 0, err
		}
	}
	return len(found.Entry), nil
}
