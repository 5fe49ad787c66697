package castdata

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// everyRecord is each cast member's record, built as of today.
func everyRecord(yield func(nhs string, rec gp.Record) bool) {
	today := time.Now()
	birth := gp.DateOf(today.AddDate(-40, 0, 0))
	births := func(time.Time, string) (gp.Date, bool) { return birth, true }
	for nhs, build := range records {
		if !yield(nhs, build(NewClock(today, birth, births))) {
			return
		}
	}
}

func TestRecordPDFsAreValid(t *testing.T) {
	n := 0
	for nhs, rec := range everyRecord {
		for _, d := range rec.Documents {
			if d.ContentType != "application/pdf" {
				continue
			}
			n++
			checkPDF(t, d.Body)
			if ops := bytes.Count(d.Body, []byte(") Tj")); ops > pdfMaxLines {
				t.Errorf("%s's %q fills the page (%d lines): it may have been cut short", nhs, d.Title, ops)
			}
		}
	}
	if n < 2 {
		t.Errorf("%d PDF documents in the sandbox, want at least 2", n)
	}
}

func TestPDFDocument(t *testing.T) {
	long := strings.Repeat("word ", 60)
	var many []string
	for i := range 80 {
		many = append(many, "line "+strconv.Itoa(i))
	}
	for name, lines := range map[string][]string{
		"plain":        {"Dear Dr Marsh", "", "Yours sincerely"},
		"escapes":      {`Brackets (like these) and a back\slash`, "Siân, café: not ASCII"},
		"long line":    {long},
		"too long":     many,
		"nothing else": nil,
	} {
		t.Run(name, func(t *testing.T) {
			b := pdfDocument("A (sandbox) title", lines)
			checkPDF(t, b)
			if !bytes.Contains(b, []byte(`(A \(sandbox\) title) Tj`)) {
				t.Errorf("title not escaped:\n%s", b)
			}
		})
	}
	b := pdfDocument("T", []string{`x (y) \z`, "Siân"})
	for _, want := range []string{`(x \(y\) \\z) Tj`, `(Si?n) Tj`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("PDF lacks %s", want)
		}
	}
	if got := bytes.Count(pdfDocument("T", many), []byte(") Tj")); got != pdfMaxLines+1 {
		t.Errorf("a too-long document has %d lines, want the title and %d", got, pdfMaxLines)
	}
	if got := bytes.Count(pdfDocument("T", []string{long}), []byte(") Tj")); got != 1+(len(long)+pdfWrap-1)/pdfWrap {
		t.Errorf("a 300-character line wrapped into %d lines", got-1)
	}
}

// checkPDF checks the structure a PDF reader relies on: the header, every
// object where the cross-reference table says it is, the table where
// startxref says it is, stream lengths, the trailer and the end marker.
func checkPDF(tb testing.TB, b []byte) {
	tb.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) {
		tb.Fatalf("no PDF header: %q", b[:min(len(b), 16)])
	}
	if !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		tb.Fatalf("no %%%%EOF at the end")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		tb.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref >= len(b) || !bytes.HasPrefix(b[xref:], []byte("xref\n")) {
		tb.Fatalf("startxref %d does not point at the cross-reference table", xref)
	}
	head := regexp.MustCompile(`^xref\n0 (\d+)\n`).FindSubmatch(b[xref:])
	if head == nil {
		tb.Fatal("malformed cross-reference table")
	}
	size, _ := strconv.Atoi(string(head[1]))
	table := b[xref+len(head[0]):]
	if len(table) < 20*size {
		tb.Fatalf("cross-reference table shorter than its %d entries", size)
	}
	if string(table[:20]) != "0000000000 65535 f \n" {
		tb.Errorf("entry 0 is %q", table[:20])
	}
	for i := 1; i < size; i++ {
		e := string(table[20*i : 20*i+20])
		if !regexp.MustCompile(`^\d{10} 00000 n \n$`).MatchString(e) {
			tb.Fatalf("entry %d is %q", i, e)
		}
		off, _ := strconv.Atoi(e[:10])
		if want := fmt.Sprintf("%d 0 obj\n", i); off >= len(b) || !bytes.HasPrefix(b[off:], []byte(want)) {
			tb.Errorf("entry %d: offset %d does not hold object %d", i, off, i)
		}
	}
	if !bytes.HasPrefix(table[20*size:], []byte(fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R", size))) {
		tb.Errorf("trailer does not follow the table or gives the wrong size")
	}
	streams := regexp.MustCompile(`(?s)/Length (\d+) >>\nstream\n(.*?)\nendstream`).FindAllSubmatch(b, -1)
	if len(streams) != 1 {
		tb.Fatalf("%d content streams, want 1", len(streams))
	}
	if n, _ := strconv.Atoi(string(streams[0][1])); n != len(streams[0][2]) {
		tb.Errorf("stream /Length %d, but it holds %d bytes", n, len(streams[0][2]))
	}
	for _, want := range []string{"/Type /Catalog", "/Type /Pages /Kids [3 0 R] /Count 1", "/BaseFont /Helvetica "} {
		if !bytes.Contains(b, []byte(want)) {
			tb.Errorf("PDF lacks %q", want)
		}
	}
	if bytes.Count(b, []byte("/Type /Page ")) != 1 {
		tb.Errorf("not a single page")
	}
}
