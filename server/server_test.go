package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"golang.org/x/net/html"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/internal/wire"
	"github.com/nhs-companion/companion/server"
)

// fakeWeb writes a WEB_DIR with every required file (small stand-ins), with
// brotli and gzip copies of app.wasm like the build makes.
func fakeWeb(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	files := map[string]string{
		"app.wasm":           "\x00asm fake wasm body for tests",
		"wasm_exec.js":       "// wasm_exec",
		"css/nhsuk.css":      "body{}",
		"css/nhsapp.css":     ".nhsapp{}",
		"companion.css":      ".companion-loader{display:none}",
		"offline.js":         "// offline",
		"push.js":            "// push",
		"nhsapp-bridge.js":   "// bridge",
		"icons/icon.svg":     "<svg xmlns='http://www.w3.org/2000/svg'/>",
		"icons/icon-192.png": "png",
		"icons/icon-512.png": "png",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	var br, gz bytes.Buffer
	bw := brotli.NewWriter(&br)
	bw.Write([]byte(files["app.wasm"]))
	bw.Close()
	gw := gzip.NewWriter(&gz)
	gw.Write([]byte(files["app.wasm"]))
	gw.Close()
	os.WriteFile(filepath.Join(dir, "app.wasm.br"), br.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "app.wasm.gz"), gz.Bytes(), 0o644)
	return dir
}

type testEnv struct {
	srv   *server.Server
	http  *httptest.Server
	redis *redistest.Server
	logs  *syncBuffer
	url   string
	cfg   config.Config
}

// syncBuffer is a log sink safe to read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mustStartServer runs Companion, wired as cmd/companion wires it, on a real
// HTTP server backed by a private redis-server. env overrides configuration.
func mustStartServer(tb testing.TB, env ...string) *testEnv {
	tb.Helper()
	return mustStartServerAt(tb, func(string) []string { return env })
}

// mustStartServerAt is mustStartServer with configuration that depends on the
// server's own URL (known before it starts).
func mustStartServerAt(tb testing.TB, envFor func(base string) []string) *testEnv {
	tb.Helper()
	rs := redistest.MustStart(tb)
	rdb := rs.Client(tb)
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	vars := map[string]string{"PUBLIC_URL": base, "WEB_DIR": fakeWeb(tb), "LOG_LEVEL": "debug"}
	env := envFor(base)
	for i := 0; i+1 < len(env); i += 2 {
		vars[env[i]] = env[i+1]
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
	if err != nil {
		tb.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, err := wire.Build(context.Background(), cfg, rdb, logs)
	if err != nil {
		tb.Fatal(err)
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	tb.Cleanup(hs.Close)
	return &testEnv{srv: srv, http: hs, redis: rs, logs: logs, url: base, cfg: cfg}
}

func (e *testEnv) get(tb testing.TB, path string, header ...string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// The test client must not decompress for us: we check encodings.
	tr := &http.Transport{DisableCompression: true}
	res, err := (&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func parse(tb testing.TB, body string) *html.Node {
	tb.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func all(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func el(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == name }
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for _, t := range all(n, func(n *html.Node) bool { return n.Type == html.TextNode }) {
		b.WriteString(t.Data)
	}
	return strings.TrimSpace(b.String())
}

func TestEveryPageIsCompleteHTML(t *testing.T) {
	e := mustStartServer(t)
	signedIn := map[string]bool{"/settings": true, "/profiles": true, "/activity": true, "/appointments": true, "/appointments/book": true, "/record": true,
		"/prescriptions": true, "/prescriptions/order": true, "/prescriptions/pharmacy": true, "/contact": true, "/messages": true, "/monitoring": true,
		"/settings/notifications": true}
	amara := e.signIn(t, "9990000018")
	for _, path := range ui.Paths() {
		for _, wasm := range []bool{true, false} {
			url := path + "?wasm=true" // the choice is remembered: say it each time
			if !wasm {
				url = path + "?wasm=false"
			}
			t.Run(url, func(t *testing.T) {
				var res *http.Response
				var body string
				if signedIn[path] {
					res, body = amara.get(t, url)
				} else {
					res, body = e.get(t, url)
				}
				if res.StatusCode != http.StatusOK {
					t.Fatalf("status %d", res.StatusCode)
				}
				if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control %q, want no-store", cc)
				}
				doc := parse(t, body)
				htmlEl := all(doc, el("html"))[0]
				if lang, _ := attr(htmlEl, "lang"); lang != "en-GB" {
					t.Errorf("lang %q", lang)
				}
				if title := all(all(doc, el("head"))[0], el("title")); len(title) != 1 || !strings.HasSuffix(textOf(title[0]), "– NHS") {
					t.Errorf("title missing or not in the service pattern")
				}
				if h1 := all(doc, el("h1")); len(h1) != 1 || textOf(h1[0]) == "" {
					t.Errorf("want one h1")
				}
				navs := all(doc, el("nav"))
				if len(navs) == 0 {
					t.Error("no navigation")
				}
				for _, n := range navs {
					if label, _ := attr(n, "aria-label"); label == "" {
						t.Error("a <nav> has no aria-label to tell it apart")
					}
				}
				var viewport string
				for _, m := range all(doc, el("meta")) {
					if name, _ := attr(m, "name"); name == "viewport" {
						viewport, _ = attr(m, "content")
					}
				}
				if viewport == "" || strings.Contains(viewport, "user-scalable") || strings.Contains(viewport, "maximum-scale") {
					t.Errorf("viewport %q must allow zoom", viewport)
				}
				// The body's first element is the component go-app's client
				// replaces; it must be the page, not a placeholder.
				bodyEl := all(doc, el("body"))[0]
				first := bodyEl.FirstChild
				for first != nil && first.Type != html.ElementNode {
					first = first.NextSibling
				}
				if class, _ := attr(first, "class"); class != "companion-page" {
					t.Errorf("body's first element is <%s class=%q>, want the page", first.Data, class)
				}
				loader := all(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "app-wasm-loader" })
				if len(loader) != 1 {
					t.Fatal("no #app-wasm-loader for app.js")
				}
				if _, hidden := attr(loader[0], "hidden"); !hidden {
					t.Error("the loader must be hidden, never covering content")
				}
				scripts := all(doc, func(n *html.Node) bool { _, ok := attr(n, "src"); return el("script")(n) && ok })
				states := all(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "companion-state" })
				if wasm {
					if len(scripts) != 4 {
						t.Errorf("want offline.js, push.js, wasm_exec.js and app.js, got %d scripts", len(scripts))
					}
					if len(states) != 1 {
						t.Fatal("no state handed to the WebAssembly app")
					}
					var st api.PageState
					if err := json.Unmarshal([]byte(textOf(states[0])), &st); err != nil {
						t.Fatal(err)
					}
					if st.Path != path || st.Locale != "en-GB" || signedIn[path] != (st.User != nil) {
						t.Errorf("handed-over state %+v", st)
					}
				} else if len(scripts) != 0 || len(states) != 0 {
					t.Errorf("?wasm=false page has %d scripts and %d state blocks", len(scripts), len(states))
				}
				for _, n := range all(doc, func(*html.Node) bool { return true }) {
					for _, a := range n.Attr {
						if (a.Key == "href" || a.Key == "src") && !strings.HasPrefix(a.Val, "/") && !strings.HasPrefix(a.Val, "#") {
							t.Errorf("<%s %s=%q> leaves the origin", n.Data, a.Key, a.Val)
						}
					}
				}
			})
		}
	}
}

func TestUnknownPathsAnswer404(t *testing.T) {
	e := mustStartServer(t)
	res, body := e.get(t, "/no/such/page")
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("page status %d", res.StatusCode)
	}
	doc := parse(t, body)
	if got := textOf(all(doc, el("h1"))[0]); got != "Page not found" {
		t.Errorf("404 h1 %q", got)
	}
	res, body = e.get(t, "/api/v1/nothing")
	if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("api 404: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var apiErr api.Error
	if err := json.Unmarshal([]byte(body), &apiErr); err != nil || apiErr.Error.Code != "not_found" || apiErr.Error.Message == "" {
		t.Errorf("api error body %s", body)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Error("API responses must be no-store")
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	e := mustStartServer(t)
	for _, path := range []string{"/", "/help", "/healthz", "/readyz", "/web/companion.css", "/app.js", "/app-worker.js", "/nope", "/api/v1/x"} {
		res, _ := e.get(t, path)
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"'wasm-unsafe-eval'", "frame-ancestors 'none'", "default-src 'self'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %s", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
			t.Errorf("%s: CSP allows inline or eval: %q", path, csp)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
		if res.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", path)
		}
		if res.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: no request ID", path)
		}
	}
}

func TestHSTSOverTLS(t *testing.T) {
	e := mustStartServer(t, "TRUST_PROXY", "true")
	res, _ := e.get(t, "/", "X-Forwarded-Proto", "https")
	if got := res.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("HSTS behind a trusted TLS proxy = %q", got)
	}
	untrusted := mustStartServer(t)
	res, _ = untrusted.get(t, "/", "X-Forwarded-Proto", "https")
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent on an untrusted X-Forwarded-Proto")
	}
	tls := httptest.NewTLSServer(untrusted.srv.Handler())
	defer tls.Close()
	r2, err := tls.Client().Get(tls.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over TLS")
	}
}

func TestAssetsArePrecompressedAndVersioned(t *testing.T) {
	e := mustStartServer(t)
	url := e.srv.Assets.URL("/web/app.wasm")
	if !strings.Contains(url, "?v=") {
		t.Fatalf("asset URL %q has no version", url)
	}
	tests := []struct {
		name, accept, wantEnc string
	}{
		{"brotli preferred", "gzip, deflate, br", "br"},
		{"gzip when no brotli", "gzip", "gzip"},
		{"identity", "", ""},
		{"brotli refused", "br;q=0, gzip", "gzip"},
	}
	for _, tt := range tests {
		res, body := e.get(t, url, "Accept-Encoding", tt.accept)
		if res.StatusCode != 200 {
			t.Fatalf("%s: status %d", tt.name, res.StatusCode)
		}
		if got := res.Header.Get("Content-Encoding"); got != tt.wantEnc {
			t.Errorf("%s: Content-Encoding %q, want %q", tt.name, got, tt.wantEnc)
		}
		if res.Header.Get("Content-Type") != "application/wasm" {
			t.Errorf("%s: Content-Type %q", tt.name, res.Header.Get("Content-Type"))
		}
		if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: no Vary: Accept-Encoding", tt.name)
		}
		var plain []byte
		switch tt.wantEnc {
		case "br":
			plain, _ = io.ReadAll(brotli.NewReader(strings.NewReader(body)))
		case "gzip":
			zr, err := gzip.NewReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			plain, _ = io.ReadAll(zr)
		default:
			plain = []byte(body)
		}
		if !bytes.HasPrefix(plain, []byte("\x00asm")) {
			t.Errorf("%s: body does not decode to the wasm", tt.name)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: versioned asset Cache-Control %q", tt.name, cc)
		}
		etag := res.Header.Get("ETag")
		again, _ := e.get(t, url, "Accept-Encoding", tt.accept, "If-None-Match", etag)
		if again.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidation with ETag got %d", tt.name, again.StatusCode)
		}
	}
	res, _ := e.get(t, "/web/app.wasm?v=stale")
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("unversioned asset Cache-Control %q, want no-cache", cc)
	}
	res, _ = e.get(t, "/web/missing.css")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("missing asset status %d", res.StatusCode)
	}
}

func TestServiceWorkerCachesOnlyStaticAssets(t *testing.T) {
	e := mustStartServer(t)
	res, body := e.get(t, "/app-worker.js")
	if res.StatusCode != 200 {
		t.Fatal(res.StatusCode)
	}
	m := regexp.MustCompile(`const assets = (\[.*\]);`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no asset list in the service worker")
	}
	var list []string
	if err := json.Unmarshal([]byte(m[1]), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) < 5 {
		t.Fatalf("only %d assets cached", len(list))
	}
	for _, u := range list {
		okPrefix := strings.HasPrefix(u, "/web/") || strings.HasPrefix(u, "/app.js?") ||
			strings.HasPrefix(u, "/wasm_exec.js?") || strings.HasPrefix(u, "/manifest.webmanifest?")
		if !okPrefix || !strings.Contains(u, "?v=") {
			t.Errorf("service worker caches %q: only versioned static assets belong there", u)
		}
	}
	if !strings.Contains(body, e.srv.Assets.Version()) {
		t.Error("service worker is not versioned by the build")
	}
}

func TestManifestAndBootstrapStayLocal(t *testing.T) {
	e := mustStartServer(t)
	_, manifest := e.get(t, "/manifest.webmanifest")
	var m struct {
		Name     string
		StartURL string `json:"start_url"`
		Display  string
		Icons    []struct{ Src string }
	}
	if err := json.Unmarshal([]byte(manifest), &m); err != nil {
		t.Fatal(err)
	}
	if m.StartURL != "/" || m.Display != "standalone" || len(m.Icons) < 2 {
		t.Errorf("manifest %s", manifest)
	}
	for _, i := range m.Icons {
		if !strings.HasPrefix(i.Src, "/web/icons/") {
			t.Errorf("icon %q is not local", i.Src)
		}
	}
	_, appJS := e.get(t, "/app.js")
	if !strings.Contains(appJS, e.srv.Assets.URL("/web/app.wasm")) {
		t.Error("app.js does not load the versioned app.wasm")
	}
	if strings.Contains(appJS, "https://") || strings.Contains(manifest, "https://") {
		t.Error("external URL in app.js or the manifest")
	}
}

func TestReadiness(t *testing.T) {
	e := mustStartServer(t)
	res, body := e.get(t, "/readyz")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("readyz with Redis up: %d %s", res.StatusCode, body)
	}
	e.redis.Stop()
	res, body = e.get(t, "/readyz")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"redis":"unavailable"`) {
		t.Errorf("readyz with Redis down: %d %s", res.StatusCode, body)
	}
	if res, _ := e.get(t, "/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("healthz must not depend on Redis: %d", res.StatusCode)
	}
	e.redis.Restart(t)
	e.waitReady(t)
}

// waitReady waits for /readyz to say Redis answers again after a restart.
// The client's pool stops dialling once as many dials have failed as it
// has connections, and tries again every second, so requests may fail for
// up to a second after Redis is back; not for longer.
func (e *testEnv) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		res, body := e.get(t, "/readyz")
		if res.StatusCode == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz 3s after Redis came back: %d %s", res.StatusCode, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCrossOriginStateChangeRefused(t *testing.T) {
	e := mustStartServer(t)
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/", strings.NewReader("x=1"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST got %d, want 403", res.StatusCode)
	}
}

func TestRequestIDs(t *testing.T) {
	e := mustStartServer(t)
	res, _ := e.get(t, "/healthz", "X-Request-ID", "upstream-id-1234")
	if got := res.Header.Get("X-Request-ID"); got != "upstream-id-1234" {
		t.Errorf("well-formed upstream ID not kept: %q", got)
	}
	res, _ = e.get(t, "/healthz", "X-Request-ID", "bad id\" with junk")
	if got := res.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, " ") {
		t.Errorf("malformed upstream ID kept: %q", got)
	}
	if !strings.Contains(e.logs.String(), `"request_id":"upstream-id-1234"`) {
		t.Error("request ID not in the log")
	}
}

func TestLocaleFollowsAcceptLanguage(t *testing.T) {
	e := mustStartServer(t)
	for _, h := range [][]string{{"Accept-Language", "en-US,en;q=0.9"}, {"Accept-Language", "ja"}, {"Cookie", i18n.CookieName + "=xx"}} {
		_, body := e.get(t, "/", h...)
		if !strings.Contains(body, `<html lang="en-GB"`) {
			t.Errorf("%v: page not in en-GB", h)
		}
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	e := mustStartServer(t)
	e.get(t, "/help")
	e.get(t, "/no/such/thing")
	ms := httptest.NewServer(e.srv.Metrics.Handler())
	defer ms.Close()
	res, err := http.Get(ms.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`route="GET /help"`, `route="/"`, `code="404"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(string(b), "/no/such/thing") {
		t.Error("raw paths leak into metric labels")
	}
}
