package consult_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

// words puts answers into words by naming them, so a test can see which
// question and answer were asked for.
type words struct{}

func (words) Question(key string) string           { return "Q:" + key }
func (words) Answer(question, value string) string { return question + "=" + value }

// allNo answers every emergency question for an adult or child "no".
func allNo(child bool) map[string]string {
	out := map[string]string{}
	for _, q := range consult.Screening.For(child) {
		out[q.ID] = "no"
	}
	return out
}

func TestNewRequestChecksEveryAnswer(t *testing.T) {
	medical := api.ContactSubmit{Kind: "medical", Screening: allNo(false), Duration: "week", Trend: "worse", Text: " a cough "}
	yes := allNo(false)
	for id := range yes {
		yes[id] = "yes"
		break
	}
	for _, tt := range []struct {
		name string
		edit func(*api.ContactSubmit)
		err  error
	}{
		{"medical", func(*api.ContactSubmit) {}, nil},
		{"no kind", func(c *api.ContactSubmit) { c.Kind = "" }, consult.ErrKindRequired},
		{"unanswered screening", func(c *api.ContactSubmit) { c.Screening = nil }, consult.ErrNotScreened},
		{"an emergency answer", func(c *api.ContactSubmit) { c.Screening = yes }, nil /* checked below */},
		{"no duration", func(c *api.ContactSubmit) { c.Duration = "forever" }, consult.ErrDuration},
		{"no trend", func(c *api.ContactSubmit) { c.Trend = "" }, consult.ErrTrend},
		{"no text", func(c *api.ContactSubmit) { c.Text = "   " }, consult.ErrTextRequired},
		{"too long", func(c *api.ContactSubmit) { c.Text = strings.Repeat("x", consult.TextMax+1) }, consult.ErrTextTooLong},
		{"control character", func(c *api.ContactSubmit) { c.Text = "a\x00b" }, fault.ErrBadRequest},
		{"admin without topic", func(c *api.ContactSubmit) { c.Kind, c.Topic = "admin", "gossip" }, consult.ErrTopicRequired},
		{"medication without name", func(c *api.ContactSubmit) { c.Kind, c.Medicine = "medication", " " }, consult.ErrMedicineName},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := medical
			tt.edit(&req)
			c, err := consult.NewRequest(words{}, req, false)
			if tt.name == "an emergency answer" {
				if !errors.Is(err, consult.ErrUrgent999) && !errors.Is(err, consult.ErrUrgent111) {
					t.Errorf("emergency answer: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && (c.Text != "a cough" || c.Kind != gp.ContactMedical || c.Screening != consult.Screening.Version ||
				len(c.Answers) != 2 || c.Answers[0].Question != "Q:contact.duration.question" || c.Answers[0].Answer != "duration=week") {
				t.Errorf("request = %+v", c)
			}
		})
	}
}

func TestKindOpenSaysWhy(t *testing.T) {
	av := api.ContactAvailability{Kinds: []api.ContactKindState{{Kind: "admin", Open: true}, {Kind: "medical", Why: "full"}, {Kind: "medication", Why: "patient_limit"}}}
	for kind, want := range map[string]error{"admin": nil, "medical": consult.ErrDayFull, "medication": consult.ErrOverLimit, "other": consult.ErrClosed} {
		if err := consult.KindOpen(av, kind); !errors.Is(err, want) || (want == nil && err != nil) {
			t.Errorf("KindOpen(%s) = %v, want %v", kind, err, want)
		}
	}
}

func TestDraftReachedAndFields(t *testing.T) {
	for _, tt := range []struct {
		d    consult.Draft
		want api.ContactStep
	}{
		{consult.Draft{}, api.ContactStart},
		{consult.Draft{Kind: "medical"}, api.ContactScreen},
		{consult.Draft{Kind: "medical", Screened: true}, api.ContactDetails},
		{consult.Draft{Kind: "admin"}, api.ContactDetails},
		{consult.Draft{Kind: "admin", Text: "fit note"}, api.ContactCheck},
	} {
		if got := tt.d.Reached(); got != tt.want {
			t.Errorf("%+v reached %q, want %q", tt.d, got, tt.want)
		}
	}
	if f := consult.Field(api.ContactDetails, consult.ErrTextTooLong); f != "text" {
		t.Errorf("text error field %q", f)
	}
	if f := consult.Field(api.ContactCheck, consult.ErrDayFull); f != "check" {
		t.Errorf("check error field %q", f)
	}
	if f := consult.Field(api.ContactStart, consult.ErrClosed); f != "kind" {
		t.Errorf("start error field %q", f)
	}
}
