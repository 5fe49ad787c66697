package castdata

import (
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// The sandbox's repeat prescribing. Templates are the cast's current repeat
// medicines, as their records list them, plus what a GP system keeps beside
// a record: how long an issue lasts and when the medicine must be reviewed.
// Every date is relative to today, like the records, so each medicine stays
// orderable, early or past review however long the demo runs.

// Template is the sandbox-only part of one repeat template.
type Template struct {
	// Drug names the current repeat medicine in the person's record the
	// template is for.
	Drug gp.Coding
	// SupplyDays is how long one issue lasts. It is chosen to give each
	// medicine its demo state, not worked out from the quantity.
	SupplyDays int
	// ReviewIn is the days from today to the review date (negative: past).
	ReviewIn int
	// Reject is why the practice turns down every request for it; empty
	// when it approves them.
	Reject string
}

// Templates are the cast's repeat templates, by NHS number. A current
// repeat medicine of someone listed here that has no template is a mistake
// the tests catch. Kofi's inhaler has none: his mother's access to him is
// suspended, and the sandbox needs a patient with nothing to order. Rhys's
// record has no repeat medicine, so he has no template either.
var Templates = map[string][]Template{
	// Amara: two to order now, one past review, one too early.
	"9990000018": {
		{Drug: SalbutamolInhaler, SupplyDays: 28, ReviewIn: 200}, // issued 21 days ago: due in 7
		{Drug: Cetirizine10, SupplyDays: 30, ReviewIn: 150},      // overdue
		{Drug: ClenilModulite100, SupplyDays: 28, ReviewIn: -14}, // review overdue
		{Drug: Desogestrel75, SupplyDays: 84, ReviewIn: 120},     // issued 20 days Ago: due in 64
	},
	// Layla: both creams to order now, so her mother can order for her.
	"9990000026": {
		{Drug: Emollient5050, SupplyDays: 28, ReviewIn: 180},
		{Drug: Hydrocortisone1, SupplyDays: 30, ReviewIn: 90},
	},
	// Priya: sumatriptan can be ordered, but the practice turns it down;
	// levothyroxine was started on a new dose 38 days ago and is not due.
	"9990000034": {
		{Drug: Levothyroxine75, SupplyDays: 56, ReviewIn: 20},
		{Drug: Sumatriptan50, SupplyDays: 30, ReviewIn: 215,
			Reject: "Please book a medication review before we can issue more sumatriptan."},
	},
	// George: monthly medicines due in 2 days, two-monthly ones not due,
	// and painkillers as needed. His carer Priya orders for him.
	"9990000042": {
		{Drug: Metformin500, SupplyDays: 28, ReviewIn: 280},
		{Drug: Apixaban5, SupplyDays: 28, ReviewIn: 215},
		{Drug: Bisoprolol2_5, SupplyDays: 28, ReviewIn: 215},
		{Drug: Losartan50, SupplyDays: 28, ReviewIn: 280},
		{Drug: Amlodipine5, SupplyDays: 56, ReviewIn: 280},
		{Drug: Atorvastatin20, SupplyDays: 56, ReviewIn: 280},
		{Drug: Finasteride5, SupplyDays: 56, ReviewIn: 280},
		{Drug: Omeprazole20, SupplyDays: 56, ReviewIn: 280},
		{Drug: Paracetamol500, SupplyDays: 50, ReviewIn: 280},
	},
	// Tom: all three overdue.
	"9990000069": {
		{Drug: Ramipril5, SupplyDays: 28, ReviewIn: 55},
		{Drug: Atorvastatin20, SupplyDays: 28, ReviewIn: 55},
		{Drug: Allopurinol100, SupplyDays: 28, ReviewIn: 55},
	},
}

// Pharmacies is the sandbox's pharmacy directory. ODS codes are in the FZZ
// block, which no real pharmacy uses; names end "(sandbox)"; addresses are
// invented and phone numbers are in Ofcom's ranges for drama.
var Pharmacies = []gp.Pharmacy{
	{ODS: "FZZ01", Name: "Riverside Pharmacy (sandbox)", Address: []string{"3 River Walk", "Leeds"}, Postcode: "LS1 4ZZ", Phone: "0113 496 0601"},
	{ODS: "FZZ02", Name: "Chapeltown Road Pharmacy (sandbox)", Address: []string{"118 Chapeltown Road", "Leeds"}, Postcode: "LS7 2ZZ", Phone: "0113 496 0602"},
	{ODS: "FZZ03", Name: "Armley Town Street Pharmacy (sandbox)", Address: []string{"41 Town Street", "Armley", "Leeds"}, Postcode: "LS12 3ZZ", Phone: "0113 496 0603"},
	{ODS: "FZZ04", Name: "Headingley Pharmacy (sandbox)", Address: []string{"9 Otley Road", "Headingley", "Leeds"}, Postcode: "LS6 3ZZ", Phone: "0113 496 0604"},
	{ODS: "FZZ05", Name: "Kirkgate Pharmacy (sandbox)", Address: []string{"28 Kirkgate", "Leeds"}, Postcode: "LS2 7ZZ", Phone: "0113 496 0605"},
	{ODS: "FZZ06", Name: "Fferyllfa Treganna / Canton Pharmacy (sandbox)", Address: []string{"210 Cowbridge Road East", "Caerdydd"}, Postcode: "CF11 9ZZ", Phone: "029 2018 0601"},
	{ODS: "FZZ07", Name: "Fferyllfa'r Bae / Bay Pharmacy (sandbox)", Address: []string{"12 Stryd Bute", "Caerdydd"}, Postcode: "CF10 5ZZ", Phone: "029 2018 0602"},
	{ODS: "FZZ08", Name: "Cathays Pharmacy (sandbox)", Address: []string{"60 Crwys Road", "Caerdydd"}, Postcode: "CF24 4ZZ", Phone: "029 2018 0603"},
}

// Nominations are the cast's nominated pharmacies, each near home. Layla has
// none, so ordering for her shows choosing one; Kofi has none either.
var Nominations = map[string]string{
	"9990000018": "FZZ04", // Amara: Headingley
	"9990000034": "FZZ02", // Priya: Chapeltown Road, her local
	"9990000042": "FZZ02", // George: the same, where Priya collects for him
	"9990000069": "FZZ03", // Tom: Armley
	"9990000050": "FZZ06", // Rhys: Canton
}

// SeededRequest is a request the cast made before today, so the requests
// page and notifications have something to show. Each moves one status a
// day, and goes to the patient's nominated pharmacy.
type SeededRequest struct {
	Patient string
	Drug    gp.Coding
	Ago     time.Duration // how long before seeding it was made
	Step    time.Duration
	Note    string
}

// SeededRequests are the cast's earlier requests.
var SeededRequests = []SeededRequest{
	// Ready to collect today. Its issue two days ago keeps desogestrel too
	// early to order again.
	{Patient: "9990000018", Drug: Desogestrel75, Ago: 3*24*time.Hour + time.Hour, Step: 24 * time.Hour,
		Note: "I am working abroad for three months from next week and need enough to take with me."},
	// Dispensed three days ago, ordered by his carer. Its issue eight days
	// ago makes metformin too early to order again.
	{Patient: "9990000042", Drug: Metformin500, Ago: 9*24*time.Hour + time.Hour, Step: 24 * time.Hour,
		Note: "George is staying with his daughter for a fortnight from Saturday."},
}
