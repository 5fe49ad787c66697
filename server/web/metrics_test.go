package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nhs-companion/companion/server/web"
)

// TestMetricsListenerServesACPUProfile: the internal metrics listener serves
// /metrics and a CPU profile (gzipped pprof), and nothing else of pprof.
func TestMetricsListenerServesACPUProfile(t *testing.T) {
	srv := httptest.NewServer(web.NewMetrics().Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/debug/pprof/profile?seconds=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		t.Errorf("profile: %d, %d bytes", res.StatusCode, len(body))
	}
	for _, path := range []string{"/metrics", "/debug/pprof/heap", "/debug/pprof/"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := map[string]int{"/metrics": 200}[path]; (want == 200) != (res.StatusCode == 200) {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
}
