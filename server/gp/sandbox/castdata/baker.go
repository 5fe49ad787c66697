package castdata

import (
	"github.com/nhs-companion/companion/server/gp"
)

// Tom Baker, 52: hypertension, gout and a raised HbA1c.
func tomRecord(c Clock) gp.Record {
	return gp.Record{
		Demographics: gp.Demographics{Gender: "male", Address: []string{"8 Chapel Street", "Leeds"}, Postcode: "LS12 5ZZ", Phone: "07700 900169"},
		Medicines: []gp.Medicine{
			repeat(Ramipril5, "One capsule once a day", "56 capsules", c.Ago(8*365), c.Ago(33)),
			repeat(Atorvastatin20, "One tablet at night", "56 tablets", c.Ago(2*365), c.Ago(33)),
			repeat(Allopurinol100, "One tablet once a day", "56 tablets", c.Ago(3*365-60), c.Ago(33)),
			acute(naproxen500, "One tablet twice a day with food for 5 days", "10 tablets", c.Ago(3*365), 5),
		},
		Problems: []gp.Problem{
			active(essentialHypertension, "significant", c.Ago(8*365)),
			active(prediabetes, "significant", c.Ago(35)),
			active(gout, "minor", c.Ago(3*365)),
			active(obesity, "minor", c.Ago(5*365)),
		},
		Immunisations: []gp.Immunisation{
			imm(covid2, "2nd dose", c.Ago(1850), "EY4471"),
			imm(covid1, "1st dose", c.Ago(1930), "EW3308"),
		},
		TestResults: []gp.TestResult{
			panel(LipidPanel, c.Ago(42), "Non-HDL cholesterol 5.5 mmol/L: less than a 40% fall on atorvastatin 20mg. Check adherence; consider 40mg.",
				num(cholesterol, "6.4", "mmol/L", "", "5.0", "high"),
				num(hdlCholesterol, "0.9", "mmol/L", "1.0", "", "low"),
				num(ldlCholesterol, "4.2", "mmol/L", "", "3.0", "high"),
				num(triglycerides, "2.3", "mmol/L", "", "1.7", "high"),
			),
			panel(HbA1cTest, c.Ago(42), "Non-diabetic hyperglycaemia (42 to 47 mmol/mol). Offer the NHS Diabetes Prevention Programme.",
				num(hba1c, "44", "mmol/mol", "20", "41", "high"),
			),
		},
		Consultations: []gp.Consultation{
			consult(c.Ago(35), drNowak, roleGP, telephone,
				entry("History", "Results discussed. Admits missing atorvastatin most weekends."),
				coded("Problem", "Non-diabetic hyperglycaemia", prediabetes),
				entry("Plan", "Referred to the NHS Diabetes Prevention Programme. Take atorvastatin every night; recheck lipids and HbA1c in 3 months."),
			),
			consult(c.Ago(3*365), drMarsh, roleGP, riverside,
				entry("History", "Hot, swollen, very painful right big toe for two days. Two pints of beer most nights."),
				entry("Examination", "Red, swollen, tender first metatarsophalangeal joint. Afebrile."),
				coded("Problem", "Gout", gout),
				entry("Plan", "Naproxen 500mg twice a day with food for 5 days. Alcohol advice. Urate level in 4 weeks; discuss allopurinol."),
			),
		},
	}
}
