package messaging

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/app/api"
)

func TestBody(t *testing.T) {
	p := func(runs ...api.TextRun) api.TextBlock { return api.TextBlock{Runs: runs} }
	txt := func(s string) api.TextRun { return api.TextRun{Text: s} }
	for name, c := range map[string]struct {
		in   string
		want []api.TextBlock
	}{
		"paragraphs":            {"Hello\nthere.\n\n\r\nSecond.", []api.TextBlock{p(txt("Hello there.")), p(txt("Second."))}},
		"bold":                  {"Take **two** a day", []api.TextBlock{p(txt("Take "), api.TextRun{Text: "two", Bold: true}, txt(" a day"))}},
		"unclosed bold is text": {"2 ** 3 and *this*", []api.TextBlock{p(txt("2 ** 3 and *this*"))}},
		"https link": {"See [the NHS](https://www.nhs.uk/conditions/) now", []api.TextBlock{p(txt("See "),
			api.TextRun{Text: "the NHS", Href: "https://www.nhs.uk/conditions/"}, txt(" now"))}},
		"other schemes are text": {"[x](javascript:alert(1)) [y](http://a.example) [z](data:text/html,hi) [w](https://u:p@a.example)",
			[]api.TextBlock{p(txt("[x](javascript:alert(1)) [y](http://a.example) [z](data:text/html,hi) [w](https://u:p@a.example)"))}},
		"html is text":      {"<script>alert(1)</script> <b>hi</b>", []api.TextBlock{p(txt("<script>alert(1)</script> <b>hi</b>"))}},
		"headings are text": {"# Title", []api.TextBlock{p(txt("# Title"))}},
		"lists": {"Bring:\n- your **letter**\n- a list of\n  your medicines\n\n1. Arrive\n2. Wait", []api.TextBlock{
			p(txt("Bring:")),
			{List: "ul", Items: [][]api.TextRun{{txt("your "), {Text: "letter", Bold: true}}, {txt("a list of your medicines")}}},
			{List: "ol", Items: [][]api.TextRun{{txt("Arrive")}, {txt("Wait")}}},
		}},
		"list kinds split": {"* a\n1. b", []api.TextBlock{{List: "ul", Items: [][]api.TextRun{{txt("a")}}}, {List: "ol", Items: [][]api.TextRun{{txt("b")}}}}},
		"empty":            {"  \n\n", nil},
	} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, Body(c.in)); diff != "" {
				t.Errorf("Body(%q) (-want +got):\n%s", c.in, diff)
			}
		})
	}
}

func TestChecked(t *testing.T) {
	ok := api.NewMessage{NHSNumber: "999 000 0018", Subject: "Flu", Body: "Book now"}
	if got, _, err := Checked(ok); err != nil || got.NHSNumber != "9990000018" {
		t.Fatalf("Checked(ok): %+v %v", got, err)
	}
	long := make([]byte, BodyMax+1)
	for i := range long {
		long[i] = 'a'
	}
	for field, in := range map[string]api.NewMessage{
		"nhs_number": {NHSNumber: "9990000019", Subject: "x", Body: "x"},
		"subject":    {NHSNumber: "9990000018", Subject: " ", Body: "x"},
		"body":       {NHSNumber: "9990000018", Subject: "x", Body: string(long)},
		"keywords":   {NHSNumber: "9990000018", Subject: "x", Body: "x", Reply: &api.ReplyRequest{Keywords: []string{"a", "b", "c", "d", "e", "f"}}},
	} {
		if _, got, err := Checked(in); got != field || err == nil {
			t.Errorf("Checked(%+v): field %q, %v; want %q refused", in, got, err, field)
		}
	}
	for _, kw := range [][]string{{"Yes", "Yes"}, {"Yes", ""}, {"a,b"}} {
		if _, _, err := Checked(api.NewMessage{NHSNumber: "9990000018", Subject: "x", Body: "x", Reply: &api.ReplyRequest{Keywords: kw}}); err != ErrKeywords {
			t.Errorf("keywords %q: %v", kw, err)
		}
	}
}
