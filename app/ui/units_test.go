package ui

import "testing"

func TestUnitsAreWrittenForPeople(t *testing.T) {
	for ucum, want := range map[string]string{
		"10*9/L": "×10⁹/L", "umol/L": "µmol/L", "ug/L": "µg/L", "mL/min/{1.73_m2}": "mL/min/1.73m²",
		// Units the table lacks, by the rules.
		"10*3/uL": "×10³/µL", "ug/dL": "µg/dL", "{cells}/uL": "cells/µL", "10*-3": "×10⁻³", "mg/dL": "mg/dL",
	} {
		if got, _ := UnitText(ucum); got != want {
			t.Errorf("%s: %q, want %q", ucum, got, want)
		}
	}
	if got := withUnit("42", "%"); got != "42%" {
		t.Errorf("percent: %q", got)
	}
	if got := withUnit("1.2", "{ratio}"); got != "1.2" {
		t.Errorf("a ratio has no unit to show: %q", got)
	}
}
