package record

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

var update = flag.Bool("update", false, "rewrite testdata golden files from the current output")

type allOn struct{}

func (allOn) Enabled(context.Context, flags.Name, flags.Subject) bool { return true }

// TestRecordPagesGolden renders every record section as Amara sees her own
// record, and the summary as she sees Layla's, on a fixed day, and compares
// them with the golden files in testdata/record (go test ./server/record -run
// Golden -update rewrites them after a deliberate change).
func TestRecordPagesGolden(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	rs := redistest.MustStart(t)
	sys := sandbox.New(rs.Client(t), "golden:", func() time.Time { return now })
	if err := sys.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	ids, err := access.NewIDs([]byte(strings.Repeat("g", 32)))
	if err != nil {
		t.Fatal(err)
	}
	gate := &access.Gate{GP: sys, IDs: ids, Flags: allOn{}, Now: func() time.Time { return now }}
	amara, err := sys.Patient(ctx, "9990000018")
	if err != nil {
		t.Fatal(err)
	}
	actor := access.Actor{NHSNumber: amara.NHSNumber, Subject: "golden", ProofingLevel: "P9", BirthDate: amara.BirthDate.String()}
	cat := i18n.MustDefault()
	for _, tc := range []struct {
		who, nhs string
		sections []string
	}{
		{"amara", "9990000018", append([]string{"", "print"}, api.RecordSections...)},
		{"layla-for-amara", "9990000026", append([]string{""}, api.SummarySections...)},
	} {
		p, err := gate.Authorize(ctx, actor, ids.For(tc.nhs), Need)
		if err != nil {
			t.Fatal(err)
		}
		rec, level, err := p.Record(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range tc.sections {
			name := tc.who + "-" + sec
			if sec == "" {
				name = tc.who + "-index"
			}
			t.Run(name, func(t *testing.T) {
				v, err := Page(p, rec, level, sec)
				if err != nil {
					t.Fatal(err)
				}
				path := "/record"
				if sec != "" {
					path += "/" + sec
				}
				st := &ui.Store{Catalogue: cat, State: api.PageState{Locale: "en-GB", Path: path, Record: v}}
				got := canonical(t, app.HTMLString(ui.RecordPage(st)))
				file := filepath.Join("testdata", "record", name+".html")
				if *update {
					if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test ./server/record -run Golden -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from %s (run with -update after a deliberate change)", path, file)
				}
			})
		}
	}
}

// canonical re-renders HTML with each element's attributes sorted (go-app
// writes them in map order) and one tag per line, so golden files compare
// what matters and diff readably.
func canonical(t *testing.T, s string) string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		sort.Slice(n.Attr, func(i, j int) bool { return n.Attr[i].Key < n.Attr[j].Key })
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	var b strings.Builder
	for _, n := range nodes {
		walk(n)
		if err := html.Render(&b, n); err != nil {
			t.Fatal(err)
		}
	}
	return strings.ReplaceAll(b.String(), "><", ">\n<")
}
