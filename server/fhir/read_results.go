package fhir

import (
	"encoding/json"
	"strings"

	"github.com/nhs-companion/companion/server/gp"
)

// The words Bundle writes for a range bound that is not a plain number.
const (
	lowerWords = "Lower limit: "
	upperWords = "Upper limit: "
)

func (r *reader) result(raw json.RawMessage, rec *gp.Record) error {
	var d diagnosticReport
	if err := json.Unmarshal(raw, &d); err != nil {
		return err
	}
	out := gp.TestResult{ID: d.ID, Panel: codingOf(d.Code), Date: dayOf(d.EffectiveDateTime), Comment: d.Conclusion, Sensitive: sensitive(d.Meta)}
	for _, ref := range d.Result {
		var o observation
		if r.resolve(ref, &o) {
			out.Values = append(out.Values, value(o))
		}
	}
	rec.TestResults = append(rec.TestResults, out)
	return nil
}

// value maps an Observation to a result value.
func value(o observation) gp.ResultValue {
	v := gp.ResultValue{Test: codingOf(o.Code)}
	notes := make([]string, 0, len(o.Note))
	for _, n := range o.Note {
		notes = append(notes, n.Text)
	}
	if q := o.ValueQuantity; q != nil {
		v.Value, v.Unit = q.Comparator+string(q.Value), q.Unit
		// Bundle notes the words of a result beside its number first, then
		// the comment.
		if len(notes) == 2 {
			v.Text = notes[0]
		}
	} else {
		v.Text = o.ValueString
	}
	if len(notes) > 0 {
		v.Comment = notes[len(notes)-1]
	}
	if len(o.ReferenceRange) > 0 {
		rr := o.ReferenceRange[0]
		if rr.Low != nil {
			v.Low, v.Unit = string(rr.Low.Value), cmpOr(v.Unit, rr.Low.Unit)
		}
		if rr.High != nil {
			v.High, v.Unit = string(rr.High.Value), cmpOr(v.Unit, rr.High.Unit)
		}
		var words []string
		for _, w := range strings.Split(rr.Text, "; ") {
			if s, ok := strings.CutPrefix(w, lowerWords); ok {
				v.Low = s
			} else if s, ok := strings.CutPrefix(w, upperWords); ok {
				v.High = s
			} else if w != "" {
				words = append(words, w)
			}
		}
		v.RangeText = strings.Join(words, "; ")
	}
	if len(o.Interpretation) > 0 {
		switch i := o.Interpretation[0]; code(&i, interpretation) {
		case "H", "HH":
			v.Flag = "high"
		case "L", "LL":
			v.Flag = "low"
		case "A", "AA":
			v.Flag = "abnormal"
		default:
			v.Flag = i.Text
		}
	}
	return v
}
