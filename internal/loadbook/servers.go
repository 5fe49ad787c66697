package loadbook

import (
	"context"
	"os"
	"path/filepath"
)

// Servers are Companion server processes started for a measurement, with
// a stub WEB_DIR of their own.
type Servers struct {
	procs []*process
	dir   string
}

// StartServers starts n server processes of bin on o's stores and waits
// until each is ready. Stop them with Stop.
func StartServers(ctx context.Context, bin string, n int, o ServerOptions) (*Servers, error) {
	dir, err := os.MkdirTemp("", "loadbook-web")
	if err != nil {
		return nil, err
	}
	web := filepath.Join(dir, "web")
	if err := stubWeb(web); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if o.Admission <= 0 {
		o.Admission = DefaultConfig().Admission
	}
	procs, err := startProcesses(ctx, bin, n, o, web)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Servers{procs: procs, dir: dir}, nil
}

// Base is process i's base URL.
func (s *Servers) Base(i int) string { return s.procs[i].base }

// MetricsURL is process i's /metrics, when started with Metrics.
func (s *Servers) MetricsURL(i int) string { return s.procs[i].metrics }

// Stop kills every process and removes the WEB_DIR.
func (s *Servers) Stop() {
	for _, p := range s.procs {
		p.stop()
	}
	os.RemoveAll(s.dir)
}
