//go:build !js

package i18n

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

func TestShippedCataloguesAgree(t *testing.T) {
	c := MustDefault()
	if problems := Check(c); len(problems) > 0 {
		t.Errorf("catalogue problems:\n%s", strings.Join(problems, "\n"))
	}
}

func TestCheckFindsProblems(t *testing.T) {
	tests := []struct {
		name string
		dir  string
		want []string
	}{
		{"good", "testdata/good", nil},
		{"missing and extra keys", "testdata/missing", []string{
			`fr: missing "greeting"`,
			`fr: "extra" is not in en-GB`,
		}},
		{"placeholder mismatch", "testdata/placeholder", []string{
			`fr: "greeting" (other) has placeholders [Nom], en-GB has [Name]`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(os.DirFS(tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			got := Check(c)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocalize(t *testing.T) {
	c, err := Load(os.DirFS("testdata/good"))
	if err != nil {
		t.Fatal(err)
	}
	l := c.Localizer("en-GB")
	tests := []struct {
		name, got, want string
	}{
		{"placeholder", l.T("greeting", "Name", "Amara"), "Hello, Amara"},
		{"plural one", l.N("items", 1), "1 item"},
		{"plural other", l.N("items", 3), "3 items"},
		{"plural zero is other in English", l.N("items", 0), "0 items"},
		{"missing key shows the key", l.T("no.such.key"), "no.such.key"},
		{"french", c.Localizer("fr").T("greeting", "Name", "Rhys"), "Bonjour, Rhys"},
		{"unknown locale falls back", c.Localizer("xx").T("greeting", "Name", "Tom"), "Hello, Tom"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	c, err := Load(os.DirFS("testdata/good"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, choice, accept, want string
	}{
		{"nothing", "", "", "en-GB"},
		{"accept french", "", "fr-FR,fr;q=0.9", "fr"},
		{"choice beats accept", "en-GB", "fr", "en-GB"},
		{"unknown choice ignored", "de", "fr", "fr"},
		{"garbage choice ignored", "<script>", "", "en-GB"},
		{"unsupported accept", "", "ja", "en-GB"},
		{"english variant", "", "en-US", "en-GB"},
		{"garbage accept", "", ";;;", "en-GB"},
	}
	for _, tt := range tests {
		if got := c.Negotiate(tt.choice, tt.accept); got != tt.want {
			t.Errorf("%s: Negotiate(%q, %q) = %q, want %q", tt.name, tt.choice, tt.accept, got, tt.want)
		}
	}
}

func TestLoadRejectsBadCatalogues(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/en-GB.json", []byte(`{"a": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(os.DirFS(dir)); err == nil {
		t.Error("Load accepted a message that is neither a string nor plural forms")
	}
	if _, err := Load(os.DirFS(t.TempDir())); err == nil {
		t.Error("Load accepted a directory with no en-GB catalogue")
	}
}

func TestPluralCategoriesFollowCLDR(t *testing.T) {
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en-GB", 0, "other"}, {"en-GB", 1, "one"}, {"en-GB", 2, "other"},
		{"cy", 0, "zero"}, {"cy", 1, "one"}, {"cy", 2, "two"}, {"cy", 3, "few"},
		{"cy", 4, "other"}, {"cy", 6, "many"}, {"cy", 7, "other"}, {"cy", -1, "one"},
	}
	for _, tt := range tests {
		if got := PluralCategory(tt.lang, tt.n); got != tt.want {
			t.Errorf("PluralCategory(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

// TestPluralRulesAreCLDRs: the written-out rules give the category CLDR
// (as x/text has it) gives, for every whole number up to 10,000 in every
// language with rules, and every catalogue's language has rules.
func TestPluralRulesAreCLDRs(t *testing.T) {
	cldr := map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two",
		plural.Few: "few", plural.Many: "many", plural.Other: "other"}
	for lang := range pluralRules {
		tag := language.MustParse(lang)
		for _, n := range append(seq(10000), 100000, 1000000, 2000000, 1234567) {
			if got, want := PluralCategory(lang, n), cldr[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]; got != want {
				t.Fatalf("%s, %d: %q, CLDR says %q", lang, n, got, want)
			}
		}
	}
	for _, l := range MustDefault().Locales() {
		if _, ok := pluralRules[baseLanguage(l)]; !ok {
			t.Errorf("no plural rules for %s", l)
		}
	}
}

func TestEveryCatalogueIsBuiltIn(t *testing.T) {
	files, err := os.ReadDir("catalogue")
	if err != nil {
		t.Fatal(err)
	}
	built := builtIn()
	for _, f := range files {
		locale := strings.TrimSuffix(f.Name(), ".json")
		b, err := os.ReadFile("catalogue/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		if string(built[locale]) != string(b) {
			t.Errorf("catalogue/%s is not built in as %q", f.Name(), locale)
		}
	}
	if len(built) != len(files) {
		t.Errorf("%d catalogues built in, %d in catalogue/", len(built), len(files))
	}
}

func seq(last int) []int {
	out := make([]int, last+1)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestFill(t *testing.T) {
	tests := []struct {
		name, in string
		kv       []any
		want     string
	}{
		{"none", "plain", nil, "plain"},
		{"one", "Hi {{.Name}}!", []any{"Name", "Rhys"}, "Hi Rhys!"},
		{"spaces", "Hi {{ .Name }}", []any{"Name", "Rhys"}, "Hi Rhys"},
		{"unknown stays", "Hi {{.Who}}", []any{"Name", "Rhys"}, "Hi {{.Who}}"},
		{"unclosed", "Hi {{.Name", []any{"Name", "Rhys"}, "Hi {{.Name"},
		{"value with braces is not re-expanded", "{{.A}}{{.B}}", []any{"A", "{{.B}}", "B", "x"}, "{{.B}}x"},
	}
	for _, tt := range tests {
		if got := fill(tt.in, tt.kv, nil); got != tt.want {
			t.Errorf("%s: fill(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCategories(t *testing.T) {
	if got, want := Categories("cy"), []string{"zero", "one", "two", "few", "many", "other"}; !cmp.Equal(got, want) {
		t.Errorf("Welsh categories %v, want %v", got, want)
	}
	if got, want := Categories("en-GB"), []string{"one", "other"}; !cmp.Equal(got, want) {
		t.Errorf("English categories %v, want %v", got, want)
	}
}

func TestCheckFindsMissingPluralForms(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/en-GB.json", []byte(`{"n": {"one": "{{.Count}} thing", "other": "{{.Count}} things"}}`), 0o644)
	os.WriteFile(dir+"/cy.json", []byte(`{"n": {"one": "{{.Count}} peth", "other": "{{.Count}} peth"}}`), 0o644)
	c, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	got := Check(c)
	for _, form := range []string{"zero", "two", "few", "many"} {
		found := false
		for _, p := range got {
			found = found || strings.Contains(p, `lacks the plural form "`+form+`"`)
		}
		if !found {
			t.Errorf("missing Welsh %q form not reported: %v", form, got)
		}
	}
}

func TestPseudoLocaleCopiesItsSource(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/en-GB.json", []byte(`{"a": "Alpha", "b": "Beta"}`), 0o644)
	os.WriteFile(dir+"/ar-XB.json", []byte(`{"@meta": {"dir": "rtl", "hidden": true, "pseudo": "en-GB"}, "b": "Bêta"}`), 0o644)
	c, err := Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	l := c.Localizer("ar-XB")
	if l.T("a") != "Alpha" || l.T("b") != "Bêta" || l.Dir() != "rtl" {
		t.Errorf("pseudo locale: %q %q %q", l.T("a"), l.T("b"), l.Dir())
	}
	if len(Check(c)) != 0 {
		t.Errorf("pseudo locale reported incomplete: %v", Check(c))
	}
	if got := c.Negotiate("", "ar"); got != "en-GB" {
		t.Errorf("a hidden locale was negotiated: %q", got)
	}
	if got := c.Negotiate("ar-XB", ""); got != "ar-XB" {
		t.Errorf("a hidden locale cannot be chosen: %q", got)
	}
}
