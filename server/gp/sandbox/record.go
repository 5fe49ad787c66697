package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// recordKey holds a patient's health record as one JSON document: the
// sandbox reads a record whole, as the port hands it over.
func (s *System) recordKey(nhsNumber string) string { return s.key("record", nhsNumber) }

// seedRecords adds the cast's health records to a seed. Their dates are
// computed from today, like the cast's ages, so the demo never ages.
func (s *System) seedRecords(ctx context.Context, pipe redis.Pipeliner, today time.Time) error {
	for _, c := range cast {
		b, err := json.Marshal(castRecord(c, today))
		if err != nil {
			return fmt.Errorf("record of %s %s: %w", c.given, c.family, err)
		}
		pipe.Set(ctx, s.recordKey(c.nhsNumber), b, 0)
	}
	return nil
}

// Record returns the patient's whole GP record. Who it is about comes from
// the patient's registration; a registered patient with no clinical record
// (a synthetic load-test patient) has an empty one.
func (s *System) Record(ctx context.Context, patientNHS string) (gp.Record, error) {
	if !nhs.ValidNumber(patientNHS) {
		return gp.Record{}, fmt.Errorf("record: %w", gp.ErrNotFound)
	}
	patient, blob, err := s.readRecord(ctx, patientNHS)
	if err != nil {
		return gp.Record{}, fmt.Errorf("record: %w: %w", gp.ErrUnavailable, err)
	}
	if len(patient) == 0 && s.reseedIfLost(ctx) {
		if patient, blob, err = s.readRecord(ctx, patientNHS); err != nil {
			return gp.Record{}, fmt.Errorf("record: %w: %w", gp.ErrUnavailable, err)
		}
	}
	if len(patient) == 0 {
		return gp.Record{}, fmt.Errorf("record: %w", gp.ErrNotFound)
	}
	var rec gp.Record
	if blob != nil {
		if err := json.Unmarshal(blob, &rec); err != nil {
			return gp.Record{}, fmt.Errorf("record: stored record: %w", err)
		}
	}
	birth, err := parseDate(patient["birth"])
	if err != nil {
		return gp.Record{}, fmt.Errorf("record: stored birth date: %w", err)
	}
	d := &rec.Demographics
	d.NHSNumber, d.GivenName, d.FamilyName = patient["nhs"], patient["given"], patient["family"]
	d.BirthDate, d.PracticeODS = birth, patient["practice"]
	if d.Gender == "" {
		d.Gender = "unknown"
	}
	return rec, nil
}

// readRecord reads the patient's registration and clinical record in one
// round trip. A missing record is nil, not an error.
func (s *System) readRecord(ctx context.Context, nhsNumber string) (map[string]string, []byte, error) {
	pipe := s.rdb.Pipeline()
	patient := pipe.HGetAll(ctx, s.key("patient", nhsNumber))
	record := pipe.Get(ctx, s.recordKey(nhsNumber))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, err
	}
	blob, err := record.Bytes()
	if errors.Is(err, redis.Nil) {
		blob, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return patient.Val(), blob, nil
}

// assignIDs gives every item of rec that has none a stable, opaque ID: a
// kind prefix and a digest of who the record is about (by name, never NHS
// number), the kind and the item's place, so reseeding keeps links valid.
func assignIDs(owner string, rec *gp.Record) {
	id := func(kind string, i int, cur string) string {
		if cur != "" {
			return cur
		}
		sum := sha256.Sum256([]byte("companion-sandbox-record\x00" + owner + "\x00" + kind + "\x00" + strconv.Itoa(i)))
		return kind + "-" + hex.EncodeToString(sum[:6])
	}
	for i := range rec.Allergies {
		rec.Allergies[i].ID = id("alg", i, rec.Allergies[i].ID)
	}
	for i := range rec.Medicines {
		rec.Medicines[i].ID = id("med", i, rec.Medicines[i].ID)
	}
	for i := range rec.Problems {
		rec.Problems[i].ID = id("prb", i, rec.Problems[i].ID)
	}
	for i := range rec.Immunisations {
		rec.Immunisations[i].ID = id("imm", i, rec.Immunisations[i].ID)
	}
	for i := range rec.TestResults {
		rec.TestResults[i].ID = id("res", i, rec.TestResults[i].ID)
	}
	for i := range rec.Consultations {
		rec.Consultations[i].ID = id("con", i, rec.Consultations[i].ID)
	}
	for i := range rec.Documents {
		rec.Documents[i].ID = id("doc", i, rec.Documents[i].ID)
	}
}

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
