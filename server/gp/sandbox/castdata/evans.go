package castdata

import (
	"github.com/nhs-companion/companion/server/gp"
)

// Rhys Evans, 29: a small record at the non-pilot practice in Wales.
func rhysRecord(c Clock) gp.Record {
	return gp.Record{
		Demographics: gp.Demographics{Gender: "male", Address: []string{"5 Heol y Castell", "Caerdydd"}, Postcode: "CF11 6ZZ", Phone: "07700 900150"},
		Medicines: []gp.Medicine{
			acute(penicillinV250, "Two tablets four times a day for 10 days", "80 tablets", c.Ago(700), 10),
		},
		Problems: []gp.Problem{
			resolved(acuteTonsillitis, "minor", c.Ago(703), c.Ago(690)),
		},
		Immunisations: []gp.Immunisation{
			imm(covid1, "1st dose", c.Ago(1900), "EW7716"),
			imm(menACWY, "Single dose", c.age(14, 90), ""),
			imm(tdIPV, "School-leaver booster", c.age(14, 90), ""),
		},
		Consultations: []gp.Consultation{
			consult(c.Ago(700), drMorgan, roleGP, telephone,
				entry("History", "Sore throat and fever for three days, no cough. FeverPAIN score 4."),
				coded("Problem", "Acute tonsillitis", acuteTonsillitis),
				entry("Plan", "Phenoxymethylpenicillin for 10 days. Paracetamol and fluids. Call back if unable to swallow fluids or worse after 3 days."),
			),
		},
	}
}
