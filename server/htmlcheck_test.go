package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// vnuJar is the Nu Html Checker, installed by `make test`.
var vnuJar = filepath.Join("web", "htmlcheck", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")

// designSystemRoleText is the one message allowed: the NHS design system
// wraps a callout's or care card's visually hidden prefix and its heading in
// <span role="text"> (nhsuk-frontend 10.6.1's card template) so VoiceOver
// reads "Urgent advice: …" as one phrase. "text" is not an ARIA role, which
// the checker rightly says; Companion keeps the design system's markup for
// the people it is there for.
const designSystemRoleText = "Bad value “text” for attribute “role” on element “span”."

// TestPagesPassTheNuHTMLChecker: the HTML of every page, as the server
// renders it (signed in and out, a patient's and a carer's, with data on
// it, the sign-in picker, staff pages, a not-found page), in English and
// Welsh, with and without WebAssembly, has no error in the Nu Html Checker.
func TestPagesPassTheNuHTMLChecker(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		t.Fatal("java not found: run `make test` (Debian: apt-get install default-jre-headless)")
	}
	if _, err := os.Stat(vnuJar); err != nil {
		t.Fatal("the Nu Html Checker is not installed: run `make test` (or npm ci in server/web/htmlcheck)")
	}
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	priya := e.signIn(t, "9990000034")
	inApp := e.signIn(t, "9990000018")
	inApp.client.Transport = agent{ua: iosApp, next: http.DefaultTransport}
	pid := amara.pid(t)
	var slots []api.Slot
	amara.call(t, "GET", "/api/v1/patients/"+pid+"/slots?type=gp", nil, &slots)
	if len(slots) < 4 {
		t.Fatalf("%d slots", len(slots))
	}
	if st, code := amara.call(t, "POST", "/api/v1/patients/"+pid+"/appointments", api.BookRequest{SlotID: slots[2].ID, Reason: "Sore knee"}, nil, "Idempotency-Key", "vnu-1"); st != 201 {
		t.Fatalf("book: %d %s", st, code)
	}
	var diary api.Diary
	amara.call(t, "GET", "/api/v1/patients/"+pid+"/appointments", nil, &diary)
	if len(diary.Upcoming) == 0 {
		t.Fatal("no appointments")
	}
	appts := diary.Upcoming
	day := time.UnixMilli(slots[2].Start).In(gp.UK).Format(time.DateOnly)
	var msg api.SentMessage
	if st, code := e.staff(t, sandbox.Staff()[0].ID).call(t, "POST", outboxPath("Z00001"), api.NewMessage{NHSNumber: "9990000018", Subject: "Your review",
		Body: "Please **book** a review.\n\n- Bring your letter\n1. [Read more](https://www.nhs.uk/)", Reply: &api.ReplyRequest{}}, &msg); st != 201 {
		t.Fatalf("send a message: %d %s", st, code)
	}
	paths := append(ui.Paths(), "/messages/"+msg.ID,
		"/appointments/"+appts[0].ID, "/appointments/"+appts[0].ID+"/cancel", "/appointments/"+appts[0].ID+"/waitlist",
		"/appointments/book?type=gp", "/appointments/book?type=gp&day="+day,
		"/appointments/book?type=gp&day="+day+"&slot="+slots[3].ID,
		"/record/medicines", "/record/results", "/record/allergies", "/record/documents",
		"/prescriptions/order", "/prescriptions/pharmacy?q=high", "/monitoring/blood_pressure", "/no-such-page")
	dir := t.TempDir()
	n := 0
	save := func(b *browser, who, path string) {
		t.Helper()
		var res *http.Response
		var body string
		if b == nil {
			res, body = e.get(t, path)
		} else {
			res, body = b.get(t, path)
		}
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			return // a redirect's answer, or a page this person is not offered
		}
		n++
		name := fmt.Sprintf("%03d-%s%s.html", n, who, strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "-").Replace(path))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"en-GB", "cy"} {
		for _, wasm := range []string{"wasm=true", "wasm=false"} { // remembered: said each time
			query := func(p string) string {
				q := "lang=" + lang
				if wasm != "" {
					q += "&" + wasm
				}
				if strings.Contains(p, "?") {
					return p + "&" + q
				}
				return p + "?" + q
			}
			for _, p := range paths {
				save(amara, "amara", query(p))
			}
			for _, p := range []string{"/", "/help", "/accessibility", "/signed-out", "/no-such-page"} {
				save(nil, "signed-out", query(p))
			}
			for _, p := range []string{"/", "/profiles", "/prescriptions"} {
				save(priya, "priya", query(p))
			}
			for _, p := range []string{"/", "/appointments", "/appointments/" + appts[0].ID, "/record", "/messages/" + msg.ID} {
				save(inApp, "amara-in-the-nhs-app", query(p))
			}
			save(e.inApp(t, androidApp), "refused-consent", query("/sandbox-login/nhsapp?account=9990000018&consent=no"))
		}
	}
	res, body := e.newBrowser(t).get(t, "/auth/login")
	if strings.Contains(body, "<form") && res.StatusCode == 200 {
		n++
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d-sign-in-picker.html", n)), []byte(body), 0o644)
	}
	admin := e.staff(t, sandbox.Staff()[0].ID)
	for _, p := range []string{"/admin", "/admin/inbox", "/admin/messages", "/admin/monitoring"} {
		save(admin, "staff", p)
	}
	if n < 100 {
		t.Fatalf("only %d pages saved: is the list right?", n)
	}
	out, err := exec.Command(java, "-jar", vnuJar, "--errors-only", "--format", "json", "--skip-non-html", dir).CombinedOutput()
	var report struct {
		Messages []struct {
			Type, URL, Message, Extract string
			LastLine                    int `json:"lastLine"`
		} `json:"messages"`
	}
	if jerr := json.Unmarshal(out, &report); jerr != nil {
		t.Fatalf("the checker answered %v: %s", err, out)
	}
	for _, m := range report.Messages {
		if m.Message == designSystemRoleText {
			continue
		}
		t.Errorf("%s line %d: %s: %s\n  %s", filepath.Base(m.URL), m.LastLine, m.Type, m.Message, m.Extract)
	}
	t.Logf("%d pages checked, %d messages", n, len(report.Messages))
}
