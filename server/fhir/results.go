package fhir

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/nhs-companion/companion/server/gp"
)

// decimal is a FHIR decimal, optionally after a comparator: "<5", "13.2".
var decimal = regexp.MustCompile(`^(<=|>=|<|>)?\s*(-?(0|[1-9][0-9]*)(\.[0-9]+)?)$`)

// ucumLike is a unit written as a UCUM code might be: no spaces, no "^".
var ucumLike = regexp.MustCompile(`^[!-\]_-~]+$`)

func (b *builder) results() error {
	for n, t := range b.rec.TestResults {
		key := itemID(t.ID, n)
		id, err := b.id("DiagnosticReport", key)
		if err != nil {
			return err
		}
		rep := &diagnosticReport{ResourceType: "DiagnosticReport", ID: id, Meta: labelled("DiagnosticReport", t.Sensitive), Status: "final",
			Category: []codeableConcept{*coded(diagnosticService, "LAB", "Laboratory")}, Code: conceptOr(t.Panel, "Test results"),
			Subject: b.patient, EffectiveDateTime: t.Date.String(), Conclusion: t.Comment}
		// The report comes before its values, as a reader expects; their ids
		// are known in advance.
		obs := make([]*observation, len(t.Values))
		for i, v := range t.Values {
			oid, err := b.id("Observation", key+"/"+strconv.Itoa(i))
			if err != nil {
				return err
			}
			obs[i] = b.observation(oid, t, v)
			rep.Result = append(rep.Result, reference{Reference: "urn:uuid:" + oid, Type: "Observation", Display: v.Test.Display})
		}
		b.add(id, "DiagnosticReport", rep)
		for _, o := range obs {
			b.add(o.ID, "Observation", o)
		}
	}
	return nil
}

func (b *builder) observation(id string, t gp.TestResult, v gp.ResultValue) *observation {
	o := &observation{ResourceType: "Observation", ID: id, Meta: labelled("Observation", t.Sensitive), Status: "final",
		Category: []codeableConcept{*coded(observationCategory, "laboratory", "Laboratory")},
		Code:     conceptOr(v.Test, "Test"), Subject: b.patient, EffectiveDateTime: t.Date.String()}
	unit := func(q *quantity) *quantity {
		if v.Unit != "" {
			q.Unit = v.Unit
			if ucumLike.MatchString(v.Unit) {
				q.System, q.Code = UCUM, v.Unit
			}
		}
		return q
	}
	switch g := decimal.FindStringSubmatch(strings.TrimSpace(v.Value)); {
	case g != nil:
		o.ValueQuantity = unit(&quantity{Comparator: g[1], Value: json.Number(g[2])})
	case v.Value != "":
		o.ValueString = strings.TrimSpace(v.Value + " " + v.Unit)
	case v.Text != "":
		o.ValueString = v.Text
	}
	// A range bound must be a plain number; anything else is kept in words.
	var rr referenceRange
	var words []string
	for _, bound := range []struct {
		s   string
		dst **quantity
		pre string
	}{{v.Low, &rr.Low, lowerWords}, {v.High, &rr.High, upperWords}} {
		if bound.s == "" {
			continue
		}
		if g := decimal.FindStringSubmatch(bound.s); g != nil && g[1] == "" {
			*bound.dst = unit(&quantity{Value: json.Number(g[2])})
		} else {
			words = append(words, bound.pre+bound.s)
		}
	}
	if v.RangeText != "" {
		words = append([]string{v.RangeText}, words...)
	}
	rr.Text = strings.Join(words, "; ")
	if rr.Low != nil || rr.High != nil || rr.Text != "" {
		o.ReferenceRange = []referenceRange{rr}
	}
	switch v.Flag {
	case "high":
		o.Interpretation = []codeableConcept{*coded(interpretation, "H", "High")}
	case "low":
		o.Interpretation = []codeableConcept{*coded(interpretation, "L", "Low")}
	case "abnormal":
		o.Interpretation = []codeableConcept{*coded(interpretation, "A", "Abnormal")}
	case "":
	default:
		o.Interpretation = []codeableConcept{{Text: v.Flag}}
	}
	if v.Value != "" && v.Text != "" {
		o.Note = append(o.Note, annotation{Text: v.Text})
	}
	if v.Comment != "" {
		o.Note = append(o.Note, annotation{Text: v.Comment})
	}
	return o
}
