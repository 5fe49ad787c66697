package sandbox

import (
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// The sandbox's repeat prescribing. Templates are the cast's current repeat
// medicines, as their records list them, plus what a GP system keeps beside
// a record: how long an issue lasts and when the medicine must be reviewed.
// Every date is relative to today, like the records, so each medicine stays
// orderable, early or past review however long the demo runs.

// prescribingRules are the practices' rules for ordering repeats online. The
// Welsh practice is stricter, so the per-practice rules show.
var prescribingRules = map[string]gp.PrescriptionRules{
	PilotPractice:    gp.DefaultPrescriptionRules,
	NonPilotPractice: {EarlyDays: 7, NoteMax: 300},
}

// rxTemplate is the sandbox-only part of one repeat template.
type rxTemplate struct {
	// drug names the current repeat medicine in the person's record the
	// template is for.
	drug gp.Coding
	// supplyDays is how long one issue lasts. It is chosen to give each
	// medicine its demo state, not worked out from the quantity.
	supplyDays int
	// reviewIn is the days from today to the review date (negative: past).
	reviewIn int
	// reject is why the practice turns down every request for it; empty
	// when it approves them.
	reject string
}

// castTemplates are the cast's repeat templates, by NHS number. A current
// repeat medicine of someone listed here that has no template is a mistake
// the tests catch. Kofi's inhaler has none: his mother's access to him is
// suspended, and the sandbox needs a patient with nothing to order. Rhys's
// record has no repeat medicine, so he has no template either.
var castTemplates = map[string][]rxTemplate{
	// Amara: two to order now, one past review, one too early.
	"9990000018": {
		{drug: salbutamolInhaler, supplyDays: 28, reviewIn: 200}, // issued 21 days ago: due in 7
		{drug: cetirizine10, supplyDays: 30, reviewIn: 150},      // overdue
		{drug: clenilModulite100, supplyDays: 28, reviewIn: -14}, // review overdue
		{drug: desogestrel75, supplyDays: 84, reviewIn: 120},     // issued 20 days ago: due in 64
	},
	// Layla: both creams to order now, so her mother can order for her.
	"9990000026": {
		{drug: emollient5050, supplyDays: 28, reviewIn: 180},
		{drug: hydrocortisone1, supplyDays: 30, reviewIn: 90},
	},
	// Priya: sumatriptan can be ordered, but the practice turns it down;
	// levothyroxine was started on a new dose 38 days ago and is not due.
	"9990000034": {
		{drug: levothyroxine75, supplyDays: 56, reviewIn: 20},
		{drug: sumatriptan50, supplyDays: 30, reviewIn: 215,
			reject: "Please book a medication review before we can issue more sumatriptan."},
	},
	// George: monthly medicines due in 2 days, two-monthly ones not due,
	// and painkillers as needed. His carer Priya orders for him.
	"9990000042": {
		{drug: metformin500, supplyDays: 28, reviewIn: 280},
		{drug: apixaban5, supplyDays: 28, reviewIn: 215},
		{drug: bisoprolol2_5, supplyDays: 28, reviewIn: 215},
		{drug: losartan50, supplyDays: 28, reviewIn: 280},
		{drug: amlodipine5, supplyDays: 56, reviewIn: 280},
		{drug: atorvastatin20, supplyDays: 56, reviewIn: 280},
		{drug: finasteride5, supplyDays: 56, reviewIn: 280},
		{drug: omeprazole20, supplyDays: 56, reviewIn: 280},
		{drug: paracetamol500, supplyDays: 50, reviewIn: 280},
	},
	// Tom: all three overdue.
	"9990000069": {
		{drug: ramipril5, supplyDays: 28, reviewIn: 55},
		{drug: atorvastatin20, supplyDays: 28, reviewIn: 55},
		{drug: allopurinol100, supplyDays: 28, reviewIn: 55},
	},
}

// pharmacies is the sandbox's pharmacy directory. ODS codes are in the FZZ
// block, which no real pharmacy uses; names end "(sandbox)"; addresses are
// invented and phone numbers are in Ofcom's ranges for drama.
var pharmacies = sortedPharmacies([]gp.Pharmacy{
	{ODS: "FZZ01", Name: "Riverside Pharmacy (sandbox)", Address: []string{"3 River Walk", "Leeds"}, Postcode: "LS1 4ZZ", Phone: "0113 496 0601"},
	{ODS: "FZZ02", Name: "Chapeltown Road Pharmacy (sandbox)", Address: []string{"118 Chapeltown Road", "Leeds"}, Postcode: "LS7 2ZZ", Phone: "0113 496 0602"},
	{ODS: "FZZ03", Name: "Armley Town Street Pharmacy (sandbox)", Address: []string{"41 Town Street", "Armley", "Leeds"}, Postcode: "LS12 3ZZ", Phone: "0113 496 0603"},
	{ODS: "FZZ04", Name: "Headingley Pharmacy (sandbox)", Address: []string{"9 Otley Road", "Headingley", "Leeds"}, Postcode: "LS6 3ZZ", Phone: "0113 496 0604"},
	{ODS: "FZZ05", Name: "Kirkgate Pharmacy (sandbox)", Address: []string{"28 Kirkgate", "Leeds"}, Postcode: "LS2 7ZZ", Phone: "0113 496 0605"},
	{ODS: "FZZ06", Name: "Fferyllfa Treganna / Canton Pharmacy (sandbox)", Address: []string{"210 Cowbridge Road East", "Caerdydd"}, Postcode: "CF11 9ZZ", Phone: "029 2018 0601"},
	{ODS: "FZZ07", Name: "Fferyllfa'r Bae / Bay Pharmacy (sandbox)", Address: []string{"12 Stryd Bute", "Caerdydd"}, Postcode: "CF10 5ZZ", Phone: "029 2018 0602"},
	{ODS: "FZZ08", Name: "Cathays Pharmacy (sandbox)", Address: []string{"60 Crwys Road", "Caerdydd"}, Postcode: "CF24 4ZZ", Phone: "029 2018 0603"},
})

// nominations are the cast's nominated pharmacies, each near home. Layla has
// none, so ordering for her shows choosing one; Kofi has none either.
var nominations = map[string]string{
	"9990000018": "FZZ04", // Amara: Headingley
	"9990000034": "FZZ02", // Priya: Chapeltown Road, her local
	"9990000042": "FZZ02", // George: the same, where Priya collects for him
	"9990000069": "FZZ03", // Tom: Armley
	"9990000050": "FZZ06", // Rhys: Canton
}

// seededRequest is a request the cast made before today, so the requests
// page and notifications have something to show. Each moves one status a
// day, and goes to the patient's nominated pharmacy.
type seededRequest struct {
	patient string
	drug    gp.Coding
	ago     time.Duration // how long before seeding it was made
	step    time.Duration
	note    string
}

var seededRequests = []seededRequest{
	// Ready to collect today. Its issue two days ago keeps desogestrel too
	// early to order again.
	{patient: "9990000018", drug: desogestrel75, ago: 3*24*time.Hour + time.Hour, step: 24 * time.Hour,
		note: "I am working abroad for three months from next week and need enough to take with me."},
	// Dispensed three days ago, ordered by his carer. Its issue eight days
	// ago makes metformin too early to order again.
	{patient: "9990000042", drug: metformin500, ago: 9*24*time.Hour + time.Hour, step: 24 * time.Hour,
		note: "George is staying with his daughter for a fortnight from Saturday."},
}
