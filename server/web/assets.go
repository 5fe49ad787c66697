// Package web is how Companion reaches the browser: its static assets
// (content-hashed, precompressed, the go-app bootstrap, the service worker
// and the manifest) and the renderer that writes complete HTML pages from
// the same go-app components the WebAssembly app runs.
//
// It is server-only and knows nothing of patients or features.
package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// Assets serves Companion's static files: what the build put in WEB_DIR and
// the few files generated at start-up (app.js, app-worker.js, the manifest).
//
// Every asset has a content hash. Pages link to "/path?v=<hash>", and a
// request carrying the current hash is cached for a year as immutable; any
// other request revalidates. Files the build precompressed (.br, .gz beside
// the original) are served by Accept-Encoding.
type Assets struct {
	files   map[string]*asset // by URL path
	version string            // hash over every asset: the service worker's version
}

type asset struct {
	urlPath     string
	contentType string
	hash        string
	modTime     time.Time
	raw         []byte
	br, gz      []byte // precompressed bodies, when the build made them
}

// Required lists the built files Companion cannot serve pages without. A
// missing one means `make build` has not run.
var Required = []string{"/web/app.wasm", "/web/wasm_exec.js", "/web/css/nhsuk.css", "/web/css/nhsapp.css", "/web/companion.css", "/web/offline.js", "/web/push.js", "/web/nhsapp-bridge.js"}

// LoadAssets reads every file under dir (served at /web/...) and generates
// the go-app bootstrap, service worker and manifest.
func LoadAssets(dir string, m Manifest) (*Assets, error) {
	a := &Assets{files: map[string]*asset{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasSuffix(p, ".br") || strings.HasSuffix(p, ".gz") {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		as := newAsset("/web/"+filepath.ToSlash(rel), raw, info.ModTime())
		if b, err := os.ReadFile(p + ".br"); err == nil {
			as.br = b
		}
		if b, err := os.ReadFile(p + ".gz"); err == nil {
			as.gz = b
		}
		a.files[as.urlPath] = as
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var missing []string
	for _, r := range Required {
		if a.files[r] == nil {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("built files missing from %s: %s (run `make build`)", dir, strings.Join(missing, ", "))
	}

	now := time.Now()
	// wasm_exec.js comes from the Go toolchain that built app.wasm, so the two
	// always match; serve it at the root, where go-app's pages expect it.
	we := *a.files["/web/wasm_exec.js"]
	we.urlPath = "/wasm_exec.js"
	a.files[we.urlPath] = &we

	appJS, err := goappJS(a.URL("/web/app.wasm"))
	if err != nil {
		return nil, err
	}
	a.add(newAsset("/app.js", appJS, now))

	manifest, err := m.json(a)
	if err != nil {
		return nil, err
	}
	a.add(newAsset("/manifest.webmanifest", manifest, now))

	a.version = a.combinedHash()
	worker, err := a.serviceWorker()
	if err != nil {
		return nil, err
	}
	a.add(newAsset("/app-worker.js", worker, now))
	return a, nil
}

func newAsset(urlPath string, raw []byte, mod time.Time) *asset {
	sum := sha256.Sum256(raw)
	ct := mime.TypeByExtension(path.Ext(urlPath))
	switch path.Ext(urlPath) {
	case ".wasm":
		ct = "application/wasm"
	case ".webmanifest":
		ct = "application/manifest+json"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	}
	if ct == "" {
		ct = http.DetectContentType(raw)
	}
	return &asset{urlPath: urlPath, contentType: ct, hash: hex.EncodeToString(sum[:8]), modTime: mod, raw: raw}
}

func (a *Assets) add(as *asset) { a.files[as.urlPath] = as }

// URL returns the cache-busting URL of an asset ("/web/x.css?v=<hash>"). An
// unknown path is returned as it is.
func (a *Assets) URL(p string) string {
	if as, ok := a.files[p]; ok {
		return p + "?v=" + as.hash
	}
	return p
}

// Version identifies this set of assets: it changes whenever any asset does.
func (a *Assets) Version() string { return a.version }

// Size reports the raw, gzip and brotli sizes of an asset (0 where absent).
func (a *Assets) Size(p string) (raw, gz, br int) {
	as, ok := a.files[p]
	if !ok {
		return 0, 0, 0
	}
	return len(as.raw), len(as.gz), len(as.br)
}

func (a *Assets) combinedHash() string {
	paths := make([]string, 0, len(a.files))
	for p := range a.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		fmt.Fprintf(h, "%s=%s\n", p, a.files[p].hash)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// ServeHTTP serves an asset, or 404.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	as, ok := a.files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", as.contentType)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("v") == as.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body, enc := as.raw, ""
	switch {
	case as.br != nil && accepts(r, "br"):
		body, enc = as.br, "br"
	case as.gz != nil && accepts(r, "gzip"):
		body, enc = as.gz, "gzip"
	}
	etag := `"` + as.hash
	if enc != "" {
		h.Set("Content-Encoding", enc)
		etag += "-" + enc
	}
	h.Set("ETag", etag+`"`)
	http.ServeContent(w, r, "", as.modTime, bytes.NewReader(body))
}

// accepts reports whether the request's Accept-Encoding allows coding.
func accepts(r *http.Request, coding string) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), coding) {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// wasmResources tells go-app's Handler where app.wasm is, so the app.js it
// generates fetches the versioned URL.
type wasmResources struct{ wasm string }

func (w wasmResources) Package() string { return "" }
func (w wasmResources) Static() string  { return "" }
func (w wasmResources) AppWASM() string { return w.wasm }

// goappJS returns go-app's own bootstrap script (it loads app.wasm and
// registers the service worker), generated by go-app's Handler so it always
// matches the go-app version app.wasm was built with.
func goappJS(wasmURL string) ([]byte, error) {
	h := &app.Handler{
		Name:      "Companion",
		Resources: wasmResources{wasm: wasmURL},
		// No external URLs: go-app's default icons point at GitHub.
		Icon:         app.Icon{Default: "/web/icons/icon-192.png", Large: "/web/icons/icon-512.png", SVG: "/web/icons/icon.svg"},
		LoadingLabel: " ",
		Version:      wasmURL,
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/app.js", nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("generate app.js: go-app answered %d", rec.Code)
	}
	return rec.Body.Bytes(), nil
}

// Manifest is what the web app manifest says about Companion.
type Manifest struct {
	Name, ShortName, Description, Lang string
}

func (m Manifest) json(a *Assets) ([]byte, error) {
	type icon struct {
		Src     string `json:"src"`
		Type    string `json:"type"`
		Sizes   string `json:"sizes"`
		Purpose string `json:"purpose,omitempty"`
	}
	return json.MarshalIndent(map[string]any{
		"name":             m.Name,
		"short_name":       m.ShortName,
		"description":      m.Description,
		"lang":             m.Lang,
		"id":               "/",
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"background_color": "#f0f4f5",
		"theme_color":      "#005eb8",
		"icons": []icon{
			{Src: a.URL("/web/icons/icon.svg"), Type: "image/svg+xml", Sizes: "any"},
			{Src: a.URL("/web/icons/icon-192.png"), Type: "image/png", Sizes: "192x192"},
			{Src: a.URL("/web/icons/icon-512.png"), Type: "image/png", Sizes: "512x512"},
			{Src: a.URL("/web/icons/icon-512.png"), Type: "image/png", Sizes: "512x512", Purpose: "maskable"},
		},
	}, "", "  ")
}

// cacheable lists the assets the service worker keeps for offline start-up:
// static files only, never a page or an API response.
func (a *Assets) cacheable() []string {
	var out []string
	for p := range a.files {
		if p == "/app-worker.js" || strings.HasSuffix(p, ".map") {
			continue
		}
		out = append(out, a.URL(p))
	}
	sort.Strings(out)
	return out
}

var workerTemplate = template.Must(template.New("app-worker.js").Parse(`// Companion service worker {{.Version}}.
// It caches static assets only (their URLs carry content hashes). Pages and
// API responses always go to the network: they may hold patient data.
const cacheName = "companion-{{.Version}}";
const assets = {{.Assets}};
const assetSet = new Set(assets);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(cacheName).then((cache) => cache.addAll(assets)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== cacheName).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") {
    return;
  }
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !assetSet.has(url.pathname + url.search)) {
    return;
  }
  event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
});

// A push from Companion (server/notify): a title, a line that names nobody
// and says nothing clinical, the page to open and a tag that keeps one
// notification of each kind. Anything else is shown as Companion's own
// plain notice, so a push is never silent (browsers require that).
self.addEventListener("push", (event) => {
  let msg = {};
  try { msg = event.data ? event.data.json() : {}; } catch (e) { msg = {}; }
  const title = typeof msg.title === "string" && msg.title ? msg.title : "Companion";
  const url = typeof msg.url === "string" && msg.url.startsWith("/") && !msg.url.startsWith("//") ? msg.url : "/";
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof msg.body === "string" ? msg.body : "",
    tag: typeof msg.tag === "string" ? msg.tag : undefined,
    icon: {{.Icon}},
    data: { url },
  }));
});

// A click opens the notification's page: in a Companion window already
// open, or a new one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((wins) => {
    for (const w of wins) {
      if (new URL(w.url).origin === self.location.origin && "navigate" in w) {
        return w.navigate(url).then((c) => c && c.focus().catch(() => {}));
      }
    }
    return self.clients.openWindow(url);
  }));
});
`))

func (a *Assets) serviceWorker() ([]byte, error) {
	list, err := json.Marshal(a.cacheable())
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	icon, err := json.Marshal(a.URL("/web/icons/icon-192.png"))
	if err != nil {
		return nil, err
	}
	err = workerTemplate.Execute(&b, map[string]string{"Version": a.version, "Assets": string(list), "Icon": string(icon)})
	return b.Bytes(), err
}

// WriteStubs writes small stand-ins for every file the server needs at
// start-up (Required, and the icons) into dir, for tests and benchmarks
// that never serve a page's assets.
func WriteStubs(dir string) error {
	for _, f := range append(Required, "/web/icons/icon.svg", "/web/icons/icon-192.png", "/web/icons/icon-512.png") {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(f, "/web/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			return err
		}
	}
	return nil
}
