package consult

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nhs-companion/companion/i18n"
)

var update = flag.Bool("update", false, "rewrite testdata golden files from the current output")

// allNo answers "no" to every question asked about an adult or a child.
func allNo(child bool) map[string]string {
	out := map[string]string{}
	for _, q := range Screening.For(child) {
		out[q.ID] = "no"
	}
	return out
}

func TestScreenEachQuestionStops(t *testing.T) {
	for _, child := range []bool{false, true} {
		for _, q := range Screening.For(child) {
			t.Run(fmt.Sprintf("child=%v/%s", child, q.ID), func(t *testing.T) {
				answers := allNo(child)
				answers[q.ID] = "yes"
				stop, advice, yes, err := Screening.Screen(child, answers)
				if err != nil {
					t.Fatal(err)
				}
				if !stop || advice != q.Advice || !slices.Equal(yes, []string{q.ID}) {
					t.Errorf("Screen = %v, %q, %v; want true, %q, [%s]", stop, advice, yes, q.Advice, q.ID)
				}
			})
		}
	}
}

func TestScreenAllNoContinues(t *testing.T) {
	for _, child := range []bool{false, true} {
		stop, advice, yes, err := Screening.Screen(child, allNo(child))
		if stop || advice != "" || yes != nil || err != nil {
			t.Errorf("child=%v: Screen(all no) = %v, %q, %v, %v; want to continue", child, stop, advice, yes, err)
		}
	}
	// An adult is not asked the child-only questions, so needn't answer them.
	if _, _, _, err := Screening.Screen(false, allNo(false)); err != nil {
		t.Errorf("adult without child answers: %v", err)
	}
	// Answers to questions not asked change nothing.
	answers := allNo(false)
	answers["non_blanching_rash"] = "yes"
	answers["made_up"] = "yes"
	if stop, _, _, err := Screening.Screen(false, answers); stop || err != nil {
		t.Errorf("adult with answers to child questions = %v, %v; want to continue", stop, err)
	}
}

func TestScreenUnanswered(t *testing.T) {
	for _, child := range []bool{false, true} {
		for _, q := range Screening.For(child) {
			missing := allNo(child)
			delete(missing, q.ID)
			if _, _, _, err := Screening.Screen(child, missing); !errors.Is(err, ErrUnanswered) {
				t.Errorf("child=%v, %s missing: %v, want ErrUnanswered", child, q.ID, err)
			}
			for _, bad := range []string{"", "Yes", "YES", "y", "maybe", "no "} {
				answers := allNo(child)
				answers[q.ID] = bad
				if stop, _, _, err := Screening.Screen(child, answers); !errors.Is(err, ErrUnanswered) || stop {
					t.Errorf("child=%v, %s = %q: %v, %v; want ErrUnanswered", child, q.ID, bad, stop, err)
				}
			}
		}
	}
	if _, _, _, err := Screening.Screen(true, allNo(false)); !errors.Is(err, ErrUnanswered) {
		t.Errorf("child with only the adult answers: %v, want ErrUnanswered", err)
	}
	if _, _, _, err := Screening.Screen(false, nil); !errors.Is(err, ErrUnanswered) {
		t.Errorf("no answers: %v, want ErrUnanswered", err)
	}
}

func TestScreenMostUrgentAdviceWins(t *testing.T) {
	var urgent, lesser []Question
	for _, q := range Screening.For(true) {
		if q.Advice == Advice999 {
			urgent = append(urgent, q)
		} else {
			lesser = append(lesser, q)
		}
	}
	if len(urgent) == 0 || len(lesser) < 2 {
		t.Fatalf("want 999 questions and at least two 111 questions for children")
	}
	tests := []struct {
		name   string
		yes    []string
		advice string
	}{
		{"111 then 999", []string{lesser[0].ID, urgent[len(urgent)-1].ID}, Advice999},
		{"999 then 111", []string{urgent[0].ID, lesser[len(lesser)-1].ID}, Advice999},
		{"only 111", []string{lesser[0].ID, lesser[1].ID}, Advice111},
	}
	for _, tc := range tests {
		answers := allNo(true)
		for _, id := range tc.yes {
			answers[id] = "yes"
		}
		stop, advice, yes, err := Screening.Screen(true, answers)
		if err != nil {
			t.Fatal(err)
		}
		// Question order, not the order given.
		want := slices.Clone(tc.yes)
		slices.SortFunc(want, func(a, b string) int { return index(a) - index(b) })
		if !stop || advice != tc.advice || !slices.Equal(yes, want) {
			t.Errorf("%s: Screen = %v, %q, %v; want true, %q, %v", tc.name, stop, advice, yes, tc.advice, want)
		}
	}
}

func index(id string) int {
	return slices.IndexFunc(Screening.Questions, func(q Question) bool { return q.ID == id })
}

func TestScreeningFor(t *testing.T) {
	adult, child := Screening.For(false), Screening.For(true)
	for _, q := range adult {
		if q.Child {
			t.Errorf("adult asked child-only %s", q.ID)
		}
	}
	if len(child) != len(Screening.Questions) {
		t.Errorf("children are asked %d questions, want all %d", len(child), len(Screening.Questions))
	}
	for _, q := range child {
		if strings.Contains(q.Key, ".child") == q.Child {
			// Child-only questions are about the child already; the
			// others switch to their child wording.
			t.Errorf("for a child, %s has key %s", q.ID, q.Key)
		}
	}
	// For doesn't change the set.
	if Screening.Questions[0].Key != "contact.screen.q.chest_pain" {
		t.Errorf("For changed Screening: %+v", Screening.Questions[0])
	}
}

func TestScreeningSetIsSound(t *testing.T) {
	if Screening.Version == "" {
		t.Error("no version")
	}
	ids, keys := map[string]bool{}, map[string]bool{}
	for _, q := range Screening.Questions {
		if q.ID == "" || ids[q.ID] {
			t.Errorf("question ID %q empty or repeated", q.ID)
		}
		ids[q.ID] = true
		if q.Advice != Advice999 && q.Advice != Advice111 {
			t.Errorf("%s: advice %q", q.ID, q.Advice)
		}
		if q.Child == (q.ChildKey != "") {
			t.Errorf("%s: child-only questions have one wording, the others a child wording too", q.ID)
		}
		for _, k := range questionKeys(q) {
			if !strings.HasPrefix(k, "contact.screen.q."+q.ID) || keys[k] {
				t.Errorf("%s: key %q misnamed or repeated", q.ID, k)
			}
			keys[k] = true
		}
	}
}

func questionKeys(q Question) []string {
	if q.ChildKey == "" {
		return []string{q.Key}
	}
	return []string{q.Key, q.ChildKey}
}

// TestScreeningQuestionsHaveTexts checks every question's wording is in
// every catalogue people can choose.
func TestScreeningQuestionsHaveTexts(t *testing.T) {
	c := i18n.MustDefault()
	for _, locale := range c.Locales() {
		msgs := c.Messages(locale)
		for _, q := range Screening.Questions {
			for _, k := range questionKeys(q) {
				if strings.TrimSpace(msgs[k].Text()) == "" {
					t.Errorf("%s: no text for %s", locale, k)
				}
			}
		}
	}
}

const goldenHeader = `# Emergency screening questions asked before a medical request
# (consult.Screening). A clinician must review any change to this file, and
# Screening.Version must be bumped with it. The wording is in the i18n
# catalogues under the keys listed.
# Regenerate: go test ./server/consult -run TestScreeningListing -update
`

// listing renders the reviewed question set.
func listing(q QuestionSet) []byte {
	var b bytes.Buffer
	b.WriteString(goldenHeader)
	fmt.Fprintf(&b, "version %s\n", q.Version)
	b.WriteString("# id\tasked about\tadvice\tkey\tkey when asked about a child\n")
	for _, x := range q.Questions {
		who, childKey := "everyone", x.ChildKey
		if x.Child {
			who, childKey = "children", "-"
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", x.ID, who, x.Advice, x.Key, childKey)
	}
	return b.Bytes()
}

// TestScreeningListing compares the question set with the listing a
// clinician reviewed.
func TestScreeningListing(t *testing.T) {
	path := filepath.Join("testdata", "screening.golden")
	got := listing(Screening)
	want, err := os.ReadFile(path)
	if *update {
		if err == nil && !bytes.Equal(got, want) && versionLine(got) == versionLine(want) {
			t.Fatalf("the screening questions changed but Screening.Version (%s) did not: bump it, and have a clinician review the change", Screening.Version)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("screening questions differ from the reviewed listing %s (-reviewed +now):\n%s\n"+
			"A clinician must review the change; then bump Screening.Version and run with -update.", path, diff)
	}
}

func versionLine(b []byte) string {
	for line := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(line, "version ") {
			return line
		}
	}
	return ""
}
