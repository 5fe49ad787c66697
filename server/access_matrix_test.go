package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/nhs-companion/companion/app/ui"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/internal/wire"
	"github.com/nhs-companion/companion/server"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/fhir/fhirtest"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// The access matrix's own picture of the sandbox, written out here rather
// than read from the code under test: who can sign in, where everyone is
// registered, and who may act for whom with which permissions.
var (
	matrixActors = []struct{ name, nhs, level string }{
		{"Amara", "9990000018", "P9"}, {"Priya", "9990000034", "P9"}, {"Rhys", "9990000050", "P9"}, {"Tom", "9990000069", "P5"},
	}
	matrixPatients = []struct{ name, nhs, practice, respell string }{
		{"Amara", "9990000018", "Z00001", ""}, {"Layla", "9990000026", "Z00001", ""}, {"Priya", "9990000034", "Z00001", ""},
		{"George", "9990000042", "Z00001", ""}, {"Rhys", "9990000050", "Z00002", ""}, {"Tom", "9990000069", "Z00001", ""},
		{"Kofi", "9990000077", "Z00001", ""},
		// Valid NHS numbers nobody in the sandbox has, and IDs that are not IDs.
		{"nobody", "9991000000", "", ""}, {"garbage", "", "", ""},
		// Other spellings of real patients' IDs are nobody's: each patient
		// has one (practice "" expects 404 not_found).
		{"Amara upper case", "9990000018", "", "upper"}, {"Layla low bits", "9990000026", "", "lowbits"},
		{"George first letter", "9990000042", "", "first"}, {"Priya low bits", "9990000034", "", "lowbits"},
	}
	// matrixAccess is live proxy access. Amara's access to Kofi is suspended
	// (he is past the practice's child-access age) and so is absent.
	matrixAccess = map[[2]string][]string{
		{"Amara", "Layla"}:  {"appointments", "prescriptions", "record_summary"},
		{"Priya", "George"}: {"appointments", "prescriptions", "messages", "monitoring"},
	}
)

// respell writes a canonical patient ID another way that decodes to the
// same bytes.
func respell(id, how string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	switch how {
	case "upper":
		return strings.ToUpper(id)
	case "first": // the first letter: a leading digit has no other case
		i := strings.IndexAny(id, "abcdefghijklmnopqrstuvwxyz")
		return id[:i] + strings.ToUpper(id[i:i+1]) + id[i+1:]
	case "lowbits":
		last := strings.IndexByte(alphabet, id[len(id)-1])
		return id[:len(id)-1] + string(alphabet[last|3])
	}
	return id
}

type cell struct {
	status int
	code   string
}

// expect is the matrix's oracle for one cell: the rules of DESIGN.md's HTTP
// surface applied to the picture above and the route's declared need.
func expect(actor, patientName, practice string, level string, rt server.PatientRoute) cell {
	flagsOn := wire.SandboxFlags()
	on := func(n flags.Name) bool { return flagsOn[n].Practices[practice] }
	if practice == "" {
		return cell{404, "not_found"}
	}
	self := actor == patientName
	perms, live := matrixAccess[[2]string{actor, patientName}]
	switch {
	case !self && !live:
		return cell{404, "not_found"}
	case !self && rt.Need.SelfOnly:
		return cell{403, "forbidden"}
	case !self && rt.Need.Permission != "" && !slices.Contains(perms, string(rt.Need.Permission)):
		return cell{403, "forbidden"}
	case rt.Need.P9 && level != "P9":
		return cell{403, "proofing_level"}
	case !self && !on(flags.LinkedProfiles):
		return cell{404, "feature_disabled"}
	case rt.Need.Feature != "" && !on(rt.Need.Feature):
		return cell{404, "feature_disabled"}
	}
	return cell{rt.Probe, rt.ProbeCode}
}

// noRedirects is a client that reports redirects instead of following them.
var noRedirects = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// probe sends one bodiless request as the signed-in browser and reads the
// status and stable error code (JSON for the API, the error page's heading
// for pages).
func probe(t *testing.T, b *browser, method, path string) cell {
	t.Helper()
	req, _ := http.NewRequest(method, b.env.url+path, nil)
	req.AddCookie(b.cookie(t))
	if method != http.MethodGet {
		req.Header.Set("Origin", b.env.url)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	got := cell{status: res.StatusCode}
	if res.StatusCode < 400 {
		return got
	}
	if strings.HasPrefix(path, "/api/") {
		var e api.Error
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s %s: %d with no JSON error: %.200s", method, path, res.StatusCode, body)
		}
		got.code = e.Error.Code
		return got
	}
	for _, h := range all(parse(t, string(body)), el("h1")) {
		got.code, _ = attr(h, "data-error-code")
	}
	return got
}

// probeState is probe through /api/v1/pages: the page's answer as the app
// gets it, read back as the page's cell (a redirect as 303, an error page
// as its status and code).
func probeState(t *testing.T, b *browser, method, path string) cell {
	t.Helper()
	req, _ := http.NewRequest(method, b.env.url+api.PagesPrefix+path, nil)
	req.AddCookie(b.cookie(t))
	if method != http.MethodGet {
		req.Header.Set("Origin", b.env.url)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var ans api.PageAnswer
	if err := json.NewDecoder(res.Body).Decode(&ans); err != nil || (ans.State == nil && ans.Redirect == "") {
		t.Fatalf("%s %s through /api/v1/pages: %d, not a page's answer (%v)", method, path, res.StatusCode, err)
	}
	switch {
	case ans.Redirect != "":
		return cell{status: http.StatusSeeOther}
	case ans.State.Error != nil:
		return cell{res.StatusCode, ans.State.Error.Code}
	}
	return cell{status: res.StatusCode}
}

// TestAccessMatrix walks every signed-in cast actor × every patient × every
// patient-scoped route and checks the exact status and error code of each
// cell. Routes come from the server's own list, so a new route joins the
// matrix by being added (TestPatientRoutesAreDeclaredOnce keeps it so).
func TestAccessMatrix(t *testing.T) {
	e := mustStartServer(t, "RATE_LIMIT_API", "100000")
	ids := e.srv.Access.IDs
	ctx := context.Background()
	routes := e.srv.PatientRoutes()
	if len(routes) == 0 {
		t.Fatal("no patient-scoped routes")
	}
	cells := 0
	for _, a := range matrixActors {
		b := e.signIn(t, a.nhs)
		token := b.cookie(t).Value
		for _, p := range matrixPatients {
			pid := "not-a-patient-id"
			if p.nhs != "" {
				pid = respell(ids.For(p.nhs), p.respell)
			}
			for _, rt := range routes {
				if rt.From == "self" && p.name != a.name {
					continue
				}
				want := expect(a.name, p.name, p.practice, a.level, rt)
				path := strings.Replace(rt.Pattern, "{pid}", pid, 1)
				if rt.From == "acting" {
					if err := e.srv.Auth.Sessions.SetActingFor(ctx, token, pid); err != nil {
						t.Fatal(err)
					}
				}
				got := probe(t, b, rt.Method, path)
				cells++
				if got != want {
					t.Errorf("%s → %s: %s %s = %d %q, want %d %q", a.name, p.name, rt.Method, rt.Pattern, got.status, got.code, want.status, want.code)
				}
				// A page of the app answers the same through /api/v1/pages,
				// as the WebAssembly app asks for it.
				if ui.IsPage(path) {
					if rt.From == "acting" { // a refusal sets the session back to its own person
						if err := e.srv.Auth.Sessions.SetActingFor(ctx, token, pid); err != nil {
							t.Fatal(err)
						}
					}
					if viaAPI := probeState(t, b, rt.Method, path); viaAPI != got {
						t.Errorf("%s → %s: %s %s through /api/v1/pages = %d %q, the page %d %q", a.name, p.name, rt.Method, rt.Pattern, viaAPI.status, viaAPI.code, got.status, got.code)
					}
				}
				// Whatever happened, the session acts for its own person again
				// (a refused switch must not have changed it).
				sess, err := e.srv.Auth.Sessions.Peek(ctx, token)
				if err != nil {
					t.Fatal(err)
				}
				switched := rt.Pattern == "/profiles/{pid}/switch" && want.status < 400 && p.name != a.name
				if rt.From != "acting" && (sess.ActingFor != "") != switched {
					t.Errorf("%s → %s: %s %s left the session acting for %q", a.name, p.name, rt.Method, rt.Pattern, sess.ActingFor)
				}
				if err := e.srv.Auth.Sessions.SetActingFor(ctx, token, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	t.Logf("%d cells over %d routes", cells, len(routes))
}

// TestAccessMatrixNeedsASession: every patient-scoped route refuses a request
// with no session (401 for the API, a trip to sign in for pages).
func TestAccessMatrixNeedsASession(t *testing.T) {
	e := mustStartServer(t)
	pid := e.srv.Access.IDs.For("9990000018")
	for _, rt := range e.srv.PatientRoutes() {
		path := strings.Replace(rt.Pattern, "{pid}", pid, 1)
		req, _ := http.NewRequest(rt.Method, e.url+path, nil)
		res, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		want := http.StatusUnauthorized
		if !strings.HasPrefix(path, "/api/") {
			want = http.StatusSeeOther
		}
		if res.StatusCode != want {
			t.Errorf("%s %s with no session: %d, want %d", rt.Method, rt.Pattern, res.StatusCode, want)
		}
	}
}

// TestPatientRoutesAreDeclaredOnce fails when a route takes a patient ID
// anywhere but the one list the matrix walks.
func TestPatientRoutesAreDeclaredOnce(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Name.Name == "patientRoutes" {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.Contains(lit.Value, "{pid}") {
					t.Errorf("%s: %s takes a patient ID outside patientRoutes", fset.Position(lit.Pos()), fn.Name.Name)
				}
				if call, ok := n.(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "PathValue" {
						if arg, ok := call.Args[0].(*ast.BasicLit); ok && arg.Value == `"pid"` && fn.Name.Name != "authorise" {
							t.Errorf("%s: %s reads the pid path value itself", fset.Position(call.Pos()), fn.Name.Name)
						}
					}
				}
				// The HTTP layer sees only the practice directory; a type
				// assertion back to the whole GP system would get around the gate.
				if ta, ok := n.(*ast.TypeAssertExpr); ok {
					if sel, ok := ta.Type.(*ast.SelectorExpr); ok {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "gp" {
							t.Errorf("%s: %s asserts the GP system's type", fset.Position(ta.Pos()), fn.Name.Name)
						}
					}
				}
				return true
			})
		}
	}
}

// sandboxOf returns the test server's sandbox GP system, to change
// relationships as a practice would.
func sandboxOf(t *testing.T, e *testEnv) *sandbox.System {
	t.Helper()
	sys, ok := e.srv.Access.GP.(*sandbox.System)
	if !ok {
		t.Fatal("not the sandbox GP system")
	}
	return sys
}

// TestRevokedAccessStopsInLiveSession: a carer acting for someone loses
// access on the very next request once the practice revokes or ends the
// relationship, on both GP-system adapters (whose relationships the server
// caches on the adapter's access stamp).
func TestRevokedAccessStopsInLiveSession(t *testing.T) {
	fs, _ := fhirtest.MustStartSeeded(t)
	type change struct {
		name    string
		sandbox func(r *gp.Relationship)
		fhir    func(consent map[string]any)
	}
	yesterday := time.Now().AddDate(0, 0, -1)
	changes := []change{
		{"revoked", func(r *gp.Relationship) { r.Revoked = true }, func(c map[string]any) { c["status"] = "inactive" }},
		{"ended yesterday", func(r *gp.Relationship) { r.End = gp.DateOf(yesterday) },
			func(c map[string]any) {
				c["provision"].(map[string]any)["period"].(map[string]any)["end"] = yesterday.Format(time.DateOnly)
			}},
	}
	for _, adapter := range []string{"sandbox", "fhir"} {
		for _, change := range changes {
			t.Run(adapter+"/"+change.name, func(t *testing.T) {
				ctx := context.Background()
				var e *testEnv
				var apply func()
				if adapter == "sandbox" {
					e = mustStartServer(t)
					apply = func() {
						sys := sandboxOf(t, e)
						rels, err := sys.Relationships(ctx, "9990000034")
						if err != nil || len(rels) != 1 {
							t.Fatalf("relationships %v %v", rels, err)
						}
						change.sandbox(&rels[0])
						if err := sys.SetRelationship(ctx, rels[0]); err != nil {
							t.Fatal(err)
						}
					}
				} else {
					if err := fs.Restore(ctx); err != nil {
						t.Fatal(err)
					}
					e = mustStartServer(t, "GP_SYSTEM", "fhir", "FHIR_BASE_URL", fs.BaseURL)
					apply = func() {
						if n, err := fs.Edit(ctx, "Consent?status=active", change.fhir); err != nil || n == 0 {
							t.Fatalf("edit consents: %d, %v", n, err)
						}
					}
				}
				revokedInLiveSession(t, e, change.name, apply)
			})
		}
	}
}

func revokedInLiveSession(t *testing.T, e *testEnv, name string, apply func()) {
	ctx := context.Background()
	priya := e.signIn(t, "9990000034")
	george := e.srv.Access.IDs.For("9990000042")
	if res, _ := priya.post(t, "/profiles/"+george+"/switch", nil); res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" {
		t.Fatalf("switch: %d at %s", res.StatusCode, res.Request.URL)
	}
	_, home := priya.get(t, "/")
	if !strings.Contains(home, "You are acting for George Whitfield, born") {
		t.Fatalf("no acting banner after switching")
	}
	if got := probe(t, priya, "GET", "/api/v1/patients/"+george); got.status != 200 {
		t.Fatalf("before the change: %+v", got)
	}
	apply()
	if got := probe(t, priya, "GET", "/api/v1/patients/"+george); got != (cell{404, "not_found"}) {
		t.Errorf("after %s: %+v", name, got)
	}
	_, home = priya.get(t, "/")
	if strings.Contains(home, "acting for George") {
		t.Errorf("banner still names George after access %s", name)
	}
	sess, _ := e.srv.Auth.Sessions.Peek(ctx, priya.cookie(t).Value)
	if sess.ActingFor != "" {
		t.Errorf("session still acting for someone")
	}
	_, me := priya.me(t)
	if len(me.LinkedProfiles) != 1 || me.LinkedProfiles[0].Status == "active" {
		t.Errorf("linked profiles after access %s: %+v", name, me.LinkedProfiles)
	}
}

func TestLinkedProfilesInMeAndPage(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	_, me := amara.me(t)
	got := map[string]string{}
	for _, p := range me.LinkedProfiles {
		got[p.GivenName] = p.Status + " " + p.Relationship + " " + strings.Join(p.Permissions, ",")
	}
	want := map[string]string{
		"Layla": "active parent appointments,prescriptions,record_summary",
		"Kofi":  "suspended_age parent appointments,prescriptions,record_summary",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("linked profiles %v, want %v", got, want)
	}
	res, body := amara.get(t, "/profiles")
	if res.StatusCode != 200 {
		t.Fatalf("/profiles: %d", res.StatusCode)
	}
	for _, s := range []string{"Switch to Layla", "paused because of their age", "Amara Okafor (you)"} {
		if !strings.Contains(body, s) {
			t.Errorf("/profiles lacks %q", s)
		}
	}
	if strings.Contains(body, "Switch to Kofi") {
		t.Error("/profiles offers to switch to a suspended profile")
	}
	tom := e.signIn(t, "9990000069")
	if _, me := tom.me(t); len(me.LinkedProfiles) != 0 {
		t.Errorf("Tom has linked profiles %+v", me.LinkedProfiles)
	}
}

func TestActivityShowsWhoActed(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	layla := e.srv.Access.IDs.For("9990000026")
	amara.post(t, "/profiles/"+layla+"/switch", nil)
	amara.post(t, "/profiles/"+e.srv.Access.IDs.For("9990000018")+"/switch", nil)
	// Layla's history is Layla's: Amara, acting for her, cannot read it.
	if got := probe(t, amara, "GET", "/api/v1/patients/"+layla+"/activity"); got != (cell{403, "forbidden"}) {
		t.Errorf("proxy reading the history: %+v", got)
	}
	// Amara's own history shows nothing of Layla's; Layla's events name
	// Amara as the actor (checked through the audit log).
	events, err := e.srv.Auth.Audit.ForPatient(context.Background(), layla, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range events {
		actions = append(actions, ev.Action+":"+ev.Outcome)
		if ev.ActorPatient != e.srv.Access.IDs.For("9990000018") || ev.Actor == "" {
			t.Errorf("Layla's event %+v does not name Amara as the actor", ev)
		}
	}
	if want := []string{"access_refused:refused", "switch_profile:success"}; !slices.Equal(actions, want) {
		t.Errorf("Layla's audit %v, want %v", actions, want)
	}
	// A proxy's actions show on the patient's own history, by name.
	sys := sandboxOf(t, e)
	if err := sys.SetRelationship(context.Background(), gp.Relationship{
		ActorNHS: "9990000034", PatientNHS: "9990000018", Kind: "carer",
		Permissions: []nhs.Permission{nhs.PermAppointments}, Start: gp.DateOf(time.Now().AddDate(0, -1, 0)),
	}); err != nil {
		t.Fatal(err)
	}
	priya := e.signIn(t, "9990000034")
	if res, _ := priya.post(t, "/profiles/"+e.srv.Access.IDs.For("9990000018")+"/switch", nil); res.StatusCode != 200 {
		t.Fatalf("Priya switching to Amara: %d", res.StatusCode)
	}
	res, body := amara.get(t, "/activity")
	if res.StatusCode != 200 || !strings.Contains(body, "Who has seen your record") {
		t.Fatalf("/activity: %d", res.StatusCode)
	}
	doc := parse(t, body)
	var rows []string
	for _, tr := range all(doc, el("tr"))[1:] {
		var cells []string
		for _, td := range all(tr, el("td"))[1:] {
			cells = append(cells, textOf(td))
		}
		rows = append(rows, strings.Join(cells, " | "))
	}
	if want := []string{"Priya Shah (carer) | Started acting for you"}; !slices.Equal(rows, want) {
		t.Errorf("Amara's activity rows %q, want %q", rows, want)
	}
	var list []api.ActivityEvent
	res, body = amara.get(t, "/api/v1/patients/"+e.srv.Access.IDs.For("9990000018")+"/activity")
	if err := json.Unmarshal([]byte(body), &list); err != nil || res.StatusCode != 200 || len(list) != 1 || list[0].Who != "Priya Shah" {
		t.Errorf("activity API: %d %s", res.StatusCode, body)
	}
}
