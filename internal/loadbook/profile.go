package loadbook

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// profile starts taking the process's CPU profile into cfg.CPUProfile, for
// cfg.ProfileSeconds (5 when 0); the channel answers once it is written
// (at once, nil, without a CPUProfile).
func profile(ctx context.Context, p *process, cfg Config) <-chan error {
	done := make(chan error, 1)
	if cfg.CPUProfile == "" || p.metrics == "" {
		done <- nil
		return done
	}
	secs := cmp.Or(cfg.ProfileSeconds, 5)
	u := strings.TrimSuffix(p.metrics, "/metrics") + "/debug/pprof/profile?seconds=" + strconv.Itoa(secs)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- err
			return
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			done <- fmt.Errorf("status %d", res.StatusCode)
			return
		}
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, res.Body)
		done <- errors.Join(err, f.Close())
	}()
	return done
}
