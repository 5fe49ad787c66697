package castdata

import (
	"github.com/nhs-companion/companion/server/gp"
)

// Priya Shah, 45: hypothyroidism and migraine; registered as a carer.
func priyaRecord(c Clock) gp.Record {
	return gp.Record{
		Demographics: gp.Demographics{Gender: "female", Address: []string{"3 Aspen Row", "Leeds"}, Postcode: "LS7 3ZZ", Phone: "07700 900134"},
		Allergies: []gp.Allergy{
			allergy(latex, codes(skinEruption), "mild", gp.Date{}, c.Ago(3000)),
		},
		Medicines: []gp.Medicine{
			repeat(Levothyroxine75, "One tablet each morning before breakfast", "56 tablets", c.Ago(38), c.Ago(38)),
			repeat(Sumatriptan50, "One tablet at the start of a migraine; a second after 2 hours if needed; no more than two in 24 hours", "6 tablets", c.Ago(1500), c.Ago(150)),
			stopped(repeat(levothyroxine50, "One tablet each morning before breakfast", "56 tablets", c.Ago(2190), gp.Date{}), c.Ago(38), c.Ago(70)),
		},
		Problems: []gp.Problem{
			active(hypothyroidism, "significant", c.Ago(2200)),
			active(migraine, "minor", c.age(19, 0)),
			active(looksAfterSomeone, "minor", c.Ago(3*365)),
		},
		Immunisations: []gp.Immunisation{
			imm(inactivatedFlu, "Annual", c.Ago(36), "FLU2417Q"),
			imm(inactivatedFlu, "Annual", c.Ago(402), "FLU2309K"),
			imm(covid2, "2nd dose", c.Ago(1880), "EY3014"),
			imm(covid1, "1st dose", c.Ago(1960), "EW2239"),
		},
		TestResults: []gp.TestResult{
			panel(thyroidPanel, c.Ago(40), "Under-replaced. Increase levothyroxine to 75 micrograms daily and repeat in 6 to 8 weeks.",
				num(tsh, "5.8", "mU/L", "0.27", "4.2", "high"),
				num(freeT4, "11.4", "pmol/L", "12", "22", "low"),
			),
			panel(thyroidPanel, c.Ago(400), "Satisfactory on current dose.",
				num(tsh, "2.4", "mU/L", "0.27", "4.2", ""),
				num(freeT4, "15.1", "pmol/L", "12", "22", ""),
			),
		},
		Consultations: []gp.Consultation{
			consult(c.Ago(38), drNowak, roleGP, telephone,
				entry("History", "Thyroid results: TSH 5.8 mU/L, free T4 11.4 pmol/L. More tired lately; takes levothyroxine with her morning coffee."),
				coded("Problem", "Hypothyroidism", hypothyroidism),
				entry("Plan", "Increase levothyroxine to 75 micrograms daily, taken 30 minutes before breakfast and coffee. Repeat thyroid tests in 6 to 8 weeks."),
			),
			consult(c.Ago(150), drMarsh, roleGP, riverside,
				entry("History", "Migraines with visual aura about twice a month, lasting a day. No new features, no red flags. Sumatriptan works."),
				entry("Examination", "Blood pressure 122/78 mmHg. Fundi normal. Neurological examination normal."),
				coded("Problem", "Migraine", migraine),
				entry("Plan", "Continue sumatriptan. Headache diary. Consider a preventer if more than four a month."),
			),
			consult(c.Ago(3*365), hcaLiam, roleHCA, riverside,
				entry("History", "Carer's health check. Cares for an elderly neighbour with several long-term conditions."),
				coded("Problem", "Registered as a carer", looksAfterSomeone),
				entry("Plan", "Added to the practice carers' register. Carers' support information and flu vaccine eligibility explained."),
			),
		},
	}
}
