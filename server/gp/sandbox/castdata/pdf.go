package castdata

import (
	"bytes"
	"fmt"
	"strings"
)

// PDF layout: A4 in points, with 72pt margins.
const (
	pdfWidth, pdfHeight = 595, 842
	pdfMargin           = 72
	pdfLeading          = 14 // line height of the 11pt body
	pdfWrap             = 88 // characters per line of Helvetica 11pt across the text block
	pdfMaxLines         = (pdfHeight - 2*pdfMargin - 2*pdfLeading) / pdfLeading
)

// pdfDocument renders a title and lines of plain text as a one-page A4 PDF
// in Helvetica (a standard font, so nothing is embedded). Long lines wrap;
// lines beyond the page are dropped, and the sandbox's tests make sure its
// documents fit. Text is ASCII: anything else prints as "?".
func pdfDocument(title string, lines []string) []byte {
	var wrapped []string
	for _, l := range lines {
		wrapped = append(wrapped, wrapText(l, pdfWrap)...)
	}
	if len(wrapped) > pdfMaxLines {
		wrapped = wrapped[:pdfMaxLines]
	}
	var content bytes.Buffer
	fmt.Fprintf(&content, "BT\n/F2 14 Tf\n%d TL\n%d %d Td\n(%s) Tj\n/F1 11 Tf\nT*\n",
		pdfLeading, pdfMargin, pdfHeight-pdfMargin, pdfEscape(title))
	for _, l := range wrapped {
		fmt.Fprintf(&content, "T*\n(%s) Tj\n", pdfEscape(l))
	}
	content.WriteString("ET")

	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "+
			"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>", pdfWidth, pdfHeight),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.Bytes()),
		fmt.Sprintf("<< /Title (%s) /Producer (Companion sandbox GP system) >>", pdfEscape(title)),
	}
	var b bytes.Buffer
	// The comment of high bytes marks the file as binary for transfer tools.
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	// Each cross-reference entry is exactly 20 bytes, its own end of line included.
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n",
		len(objects)+1, len(objects), xref)
	return b.Bytes()
}

// pdfEscape makes s a PDF literal string's contents.
func pdfEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == '(' || r == ')':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wrapText breaks s at spaces into lines of at most width characters
// (longer words stand alone); an empty s is one empty line.
func wrapText(s string, width int) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var out []string
	line := words[0]
	for _, w := range words[1:] {
		if len(line)+1+len(w) > width {
			out = append(out, line)
			line = w
			continue
		}
		line += " " + w
	}
	return append(out, line)
}
