package sandbox

import (
	"strings"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// The cast's GP health records. Everything is synthetic: people, places,
// clinicians, batch numbers and letters are invented, and hospitals are
// marked "(sandbox)". Codes are real SNOMED CT concept ids (the UK edition,
// dm+d for medicines) with their UK preferred terms, as a GP system sends
// them. Every date is relative to today or to the patient's birth, like the
// cast's ages, so the demo never ages; letters' texts therefore name no
// dates.

// castRecord is the cast member's record on the day today, with IDs. Its
// Demographics hold only what registration does not (gender, address,
// phone); Record adds the rest from the patient's registration.
func castRecord(c castMember, today time.Time) gp.Record {
	build := castRecords[c.nhsNumber]
	if build == nil {
		return gp.Record{}
	}
	rec := build(newClock(today, c))
	assignIDs(c.given+" "+c.family, &rec)
	return rec
}

// castRecords builds each cast member's record, by NHS number.
var castRecords = map[string]func(recordClock) gp.Record{
	"9990000018": amaraRecord,
	"9990000026": laylaRecord,
	"9990000034": priyaRecord,
	"9990000042": georgeRecord,
	"9990000050": rhysRecord,
	"9990000069": tomRecord,
	"9990000077": kofiRecord,
}

// recordClock dates one person's record: days before today, or an age.
type recordClock struct {
	today time.Time // midnight UTC of today's calendar date
	birth time.Time
}

func newClock(today time.Time, c castMember) recordClock {
	y, m, d := today.Date()
	return recordClock{today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), birth: midnight(birthDate(today, c.age, c.birthdayOffset))}
}

func midnight(d gp.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// ago is the date days before today.
func (c recordClock) ago(days int) gp.Date { return gp.DateOf(c.today.AddDate(0, 0, -days)) }

// age is the date the person was years old and days more.
func (c recordClock) age(years, days int) gp.Date { return gp.DateOf(c.birth.AddDate(years, 0, days)) }

// ageYM is the date the person was years and months old.
func (c recordClock) ageYM(years, months int) gp.Date {
	return gp.DateOf(c.birth.AddDate(years, months, 0))
}

// weeksOld is the date the person was weeks old.
func (c recordClock) weeksOld(weeks int) gp.Date { return gp.DateOf(c.birth.AddDate(0, 0, 7*weeks)) }

// birthOf is another cast member's birth date, for events in this record
// tied to it (a mother's pregnancies).
func (c recordClock) birthOf(nhsNumber string) time.Time {
	for _, m := range cast {
		if m.nhsNumber == nhsNumber {
			return midnight(birthDate(c.today, m.age, m.birthdayOffset))
		}
	}
	panic("sandbox: no cast member " + nhsNumber)
}

// from is the date days after t (before, when negative).
func from(t time.Time, days int) gp.Date { return gp.DateOf(t.AddDate(0, 0, days)) }

// Builders keep the records below readable.

func sct(code, display string) gp.Coding {
	return gp.Coding{System: gp.SNOMED, Code: code, Display: display}
}

func codes(cs ...gp.Coding) []gp.Coding { return cs }

func allergy(substance gp.Coding, reactions []gp.Coding, severity string, onset, recorded gp.Date) gp.Allergy {
	return gp.Allergy{Substance: substance, Reactions: reactions, Severity: severity, Onset: onset, Recorded: recorded, Status: "active"}
}

func repeat(drug gp.Coding, dose, quantity string, started, lastIssued gp.Date) gp.Medicine {
	return gp.Medicine{Drug: drug, Name: drug.Display, Dose: dose, Quantity: quantity, Kind: "repeat", Status: "current",
		Started: started, LastIssued: lastIssued}
}

func acute(drug gp.Coding, dose, quantity string, issued gp.Date, courseDays int) gp.Medicine {
	return gp.Medicine{Drug: drug, Name: drug.Display, Dose: dose, Quantity: quantity, Kind: "acute", Status: "past",
		Started: issued, Ended: gp.DateOf(midnight(issued).AddDate(0, 0, courseDays)), LastIssued: issued}
}

// stopped is m, ended.
func stopped(m gp.Medicine, ended, lastIssued gp.Date) gp.Medicine {
	m.Status, m.Ended, m.LastIssued = "past", ended, lastIssued
	return m
}

func active(code gp.Coding, significance string, onset gp.Date) gp.Problem {
	return gp.Problem{Code: code, Status: "active", Significance: significance, Onset: onset}
}

func resolved(code gp.Coding, significance string, onset, ended gp.Date) gp.Problem {
	return gp.Problem{Code: code, Status: "past", Significance: significance, Onset: onset, Ended: ended}
}

func imm(vaccine gp.Coding, dose string, date gp.Date, batch string) gp.Immunisation {
	return gp.Immunisation{Vaccine: vaccine, Dose: dose, Date: date, Batch: batch}
}

func panel(code gp.Coding, date gp.Date, comment string, values ...gp.ResultValue) gp.TestResult {
	return gp.TestResult{Panel: code, Date: date, Comment: comment, Values: values}
}

// num is a numeric result with its reference range and the laboratory's
// flag, written out (not computed) so tests can check the two agree.
func num(test gp.Coding, value, unit, low, high, flag string) gp.ResultValue {
	return gp.ResultValue{Test: test, Value: value, Unit: unit, Low: low, High: high, Flag: flag}
}

func text(test gp.Coding, result, rangeText, flag, comment string) gp.ResultValue {
	return gp.ResultValue{Test: test, Text: result, RangeText: rangeText, Flag: flag, Comment: comment}
}

func consult(date gp.Date, clinician, role, location string, entries ...gp.Entry) gp.Consultation {
	return gp.Consultation{Date: date, Clinician: clinician, Role: role, Location: location, Entries: entries}
}

func entry(heading, text string) gp.Entry { return gp.Entry{Heading: heading, Text: text} }

func coded(heading, text string, code gp.Coding) gp.Entry {
	return gp.Entry{Heading: heading, Text: text, Code: &code}
}

func letter(title string, date gp.Date, author string, body ...string) gp.Document {
	return gp.Document{Title: title, Type: outpatientLetter, Date: date, Author: author,
		ContentType: "text/plain", Body: []byte(strings.Join(body, "\n") + "\n")}
}

func pdf(title string, typ gp.Coding, date gp.Date, author string, body ...string) gp.Document {
	return gp.Document{Title: title, Type: typ, Date: date, Author: author,
		ContentType: "application/pdf", Body: pdfDocument(title, body)}
}

// The practices' clinicians, as in their diaries.
const (
	drMarsh    = "Dr Helen Marsh"
	drNowak    = "Dr Tomasz Nowak"
	nurseGrace = "Grace Adeyemi"
	hcaLiam    = "Liam Carter"
	drMorgan   = "Dr Siân Morgan"
	roleGP     = "GP"
	roleNurse  = "Practice nurse"
	roleHCA    = "Healthcare assistant"
	riverside  = "Riverside Medical Centre (sandbox)"
	glanTaf    = "Meddygfa Glan Taf (sandbox)"
	telephone  = "Telephone"
	homeVisit  = "Home visit"
)

// Problems, findings and procedures.
var (
	asthma                = sct("195967001", "Asthma")
	hayFever              = sct("21719001", "Allergic rhinitis caused by pollen")
	postnatalDepression   = sct("58703003", "Postnatal depression")
	pregnancy             = sct("77386006", "Pregnancy")
	caesarean             = sct("11466000", "Caesarean section")
	normalDelivery        = sct("177184002", "Normal delivery procedure")
	ironDeficiencyAnaemia = sct("87522002", "Iron deficiency anaemia")
	urinaryInfection      = sct("68566005", "Urinary tract infectious disease")
	fatigue               = sct("84229001", "Fatigue")
	atopicDermatitis      = sct("24079001", "Atopic dermatitis")
	eggAllergy            = sct("91930004", "Allergy to eggs")
	otitisMedia           = sct("65363002", "Otitis media")
	radiusFracture        = sct("263199001", "Fracture of distal end of radius")
	hypothyroidism        = sct("40930008", "Hypothyroidism")
	migraine              = sct("37796009", "Migraine")
	looksAfterSomeone     = sct("276040005", "Looks after someone")
	type2Diabetes         = sct("44054006", "Type 2 diabetes mellitus")
	hypertension          = sct("38341003", "Hypertensive disorder, systemic arterial")
	essentialHypertension = sct("59621000", "Essential hypertension")
	atrialFibrillation    = sct("49436004", "Atrial fibrillation")
	ckdStage3a            = sct("700378005", "Chronic kidney disease stage 3A")
	prostaticHyperplasia  = sct("266569009", "Benign prostatic hyperplasia")
	kneeOsteoarthritis    = sct("239873007", "Osteoarthritis of knee")
	depressiveDisorder    = sct("35489007", "Depressive disorder")
	bereavement           = sct("74506000", "Bereavement")
	falls                 = sct("161898004", "Falls")
	gout                  = sct("90560007", "Gout")
	obesity               = sct("414916001", "Obesity")
	prediabetes           = sct("714628002", "Prediabetes")
	acuteTonsillitis      = sct("17741008", "Acute tonsillitis")
	safeguardingConcern   = sct("766561000000109", "Adult safeguarding concern")
	safeguardingLiaison   = sct("822341000000108", "Liaison with safeguarding adult team")
)

// Allergy substances and reactions.
var (
	penicillin   = sct("764146007", "Penicillin")
	pollen       = sct("256259004", "Pollen")
	eggs         = sct("102263004", "Eggs (edible)")
	peanut       = sct("762952008", "Peanut")
	ramipril     = sct("386872004", "Ramipril")
	latex        = sct("111088007", "Latex")
	urticaria    = sct("126485001", "Urticaria")
	angioedema   = sct("41291007", "Angioedema")
	vomiting     = sct("422400008", "Vomiting")
	cough        = sct("49727002", "Cough")
	skinEruption = sct("271807003", "Eruption of skin")
)

// Medicines (dm+d).
var (
	salbutamolInhaler  = sct("39113611000001102", "Salbutamol 100micrograms/dose inhaler CFC free")
	clenilModulite100  = sct("10618211000001109", "Clenil Modulite 100micrograms/dose inhaler (Chiesi Ltd)")
	cetirizine10       = sct("320818006", "Cetirizine 10mg tablets")
	desogestrel75      = sct("400419002", "Desogestrel 75microgram tablets")
	ferrousFumarate210 = sct("327412003", "Ferrous fumarate 210mg tablets")
	citalopram20       = sct("321987003", "Citalopram 20mg tablets")
	trimethoprim200    = sct("324431001", "Trimethoprim 200mg tablets")
	clarithromycin500  = sct("324244008", "Clarithromycin 500mg tablets")
	emollient5050      = sct("331384006", "White soft paraffin 50% / Liquid paraffin 50% ointment")
	hydrocortisone1    = sct("346992009", "Hydrocortisone 1% cream")
	amoxicillinSusp250 = sct("323733007", "Amoxicillin 250mg/5ml oral suspension")
	levothyroxine50    = sct("374295007", "Levothyroxine sodium 50microgram tablets")
	levothyroxine75    = sct("376988009", "Levothyroxine sodium 75microgram tablets")
	sumatriptan50      = sct("322815004", "Sumatriptan 50mg tablets")
	metformin500       = sct("325278007", "Metformin 500mg tablets")
	apixaban5          = sct("42206511000001102", "Apixaban 5mg tablets")
	atorvastatin20     = sct("320030001", "Atorvastatin 20mg tablets")
	amlodipine5        = sct("319283006", "Amlodipine 5mg tablets")
	losartan50         = sct("318956006", "Losartan 50mg tablets")
	bisoprolol2_5      = sct("318605000", "Bisoprolol 2.5mg tablets")
	finasteride5       = sct("325728006", "Finasteride 5mg tablets")
	omeprazole20       = sct("317291008", "Omeprazole 20mg gastro-resistant capsules")
	paracetamol500     = sct("322236009", "Paracetamol 500mg tablets")
	mirtazapine15      = sct("375193003", "Mirtazapine 15mg tablets")
	ramipril2_5        = sct("318901006", "Ramipril 2.5mg capsules")
	ramipril5          = sct("318902004", "Ramipril 5mg capsules")
	allopurinol100     = sct("330061001", "Allopurinol 100mg tablets")
	naproxen500        = sct("329807003", "Naproxen 500mg tablets")
	penicillinV250     = sct("323416001", "Phenoxymethylpenicillin 250mg tablets")
)

// Vaccinations (procedures, as GP systems record them).
var (
	sixInOne1      = sct("1082441000000108", "First diphtheria, tetanus and acellular pertussis, inactivated polio, Haemophilus influenzae type b and hepatitis B vaccination")
	sixInOne2      = sct("1082451000000106", "Second diphtheria, tetanus and acellular pertussis, inactivated polio, Haemophilus influenzae type b and hepatitis B vaccination")
	sixInOne3      = sct("1082461000000109", "Third diphtheria, tetanus and acellular pertussis, inactivated polio, Haemophilus influenzae type b and hepatitis B vaccination")
	menB1          = sct("720539004", "Administration of first dose of vaccine product containing only Neisseria meningitidis serogroup B antigen")
	menB2          = sct("720540002", "Administration of second dose of vaccine product containing only Neisseria meningitidis serogroup B antigen")
	menBBooster    = sct("720544006", "Administration of booster dose of vaccine product containing only Neisseria meningitidis serogroup B antigen")
	rotavirus      = sct("415354003", "Administration of rotavirus vaccine")
	pcv1           = sct("247631000000101", "First pneumococcal conjugated vaccination")
	pcvBooster     = sct("394678003", "Booster pneumococcal vaccination")
	pneumococcal   = sct("12866006", "Administration of pneumococcal vaccine")
	hibMenC        = sct("428975001", "Administration of Haemophilus influenzae type B and meningitis C vaccine")
	mmr1           = sct("38598009", "Administration of vaccine product containing only Measles morbillivirus and Mumps orthorubulavirus and Rubella virus antigens")
	mmr2           = sct("170433008", "Administration of second dose of vaccine product containing only Measles morbillivirus and Mumps orthorubulavirus and Rubella virus antigens")
	preschool4in1  = sct("247821000000102", "Booster diphtheria, tetanus, acellular pertussis and inactivated polio vaccination")
	tdIPV          = sct("414619005", "Administration of vaccine product containing only Clostridium tetani and low dose Corynebacterium diphtheriae and inactivated Human poliovirus antigens")
	menC1          = sct("314414007", "Administration of first dose of meningitis C vaccine")
	menACWY        = sct("871874000", "Administration of vaccine product containing only Neisseria meningitidis serogroup A, C, W135 and Y antigens")
	hpv            = sct("761841000", "Administration of vaccine product containing only Human papillomavirus antigen")
	pertussisPreg  = sct("956951000000104", "Pertussis vaccination in pregnancy")
	nasalFlu       = sct("884861000000100", "Administration of first intranasal seasonal influenza vaccination")
	inactivatedFlu = sct("985151000000100", "Administration of first inactivated seasonal influenza vaccination")
	shingles1      = sct("1326101000000105", "Administration of first dose of vaccine product containing only Human alphaherpesvirus 3 antigen for shingles")
	shingles2      = sct("1326111000000107", "Administration of second dose of vaccine product containing only Human alphaherpesvirus 3 antigen for shingles")
	covid1         = sct("1324681000000101", "Administration of first dose of severe acute respiratory syndrome coronavirus 2 vaccine")
	covid2         = sct("1324691000000104", "Administration of second dose of severe acute respiratory syndrome coronavirus 2 vaccine")
	covid3         = sct("1363861000000103", "Administration of third dose of severe acute respiratory syndrome coronavirus 2 vaccine")
	covid4         = sct("1363791000000101", "Administration of fourth dose of severe acute respiratory syndrome coronavirus 2 vaccine")
	covid5         = sct("1363831000000108", "Administration of fifth dose of severe acute respiratory syndrome coronavirus 2 vaccine")
)

// Tests: panels (procedures) and their values (observable entities).
var (
	fullBloodCount  = sct("26604007", "Full blood count")
	haemoglobin     = sct("1022431000000105", "Haemoglobin estimation")
	whiteCells      = sct("1022541000000102", "Total white cell count")
	platelets       = sct("1022651000000100", "Platelet count")
	meanCellVolume  = sct("1022491000000106", "Mean corpuscular volume")
	haematocrit     = sct("1022291000000105", "Haematocrit")
	neutrophils     = sct("1022551000000104", "Neutrophil count")
	lymphocytes     = sct("1022581000000105", "Lymphocyte count")
	lipidPanel      = sct("16254007", "Lipid panel")
	cholesterol     = sct("1005671000000105", "Serum cholesterol level")
	hdlCholesterol  = sct("1005681000000107", "Serum high density lipoprotein cholesterol level")
	ldlCholesterol  = sct("1022191000000100", "Serum low density lipoprotein cholesterol level")
	triglycerides   = sct("1005691000000109", "Serum triglycerides level")
	thyroidPanel    = sct("35650009", "Thyroid panel")
	tsh             = sct("1022791000000101", "Serum thyroid stimulating hormone level")
	freeT4          = sct("1016971000000106", "Serum free T4 level")
	urineCulture    = sct("117010004", "Urine culture")
	urineWhiteCells = sct("42331000237103", "Count of white blood cells in urine")
	hba1cTest       = sct("43396009", "Haemoglobin A1c measurement")
	hba1c           = sct("999791000000106", "Haemoglobin A1c level - International Federation of Clinical Chemistry and Laboratory Medicine standardised")
	ureaElectrolyte = sct("252167001", "Urea and electrolytes")
	sodium          = sct("1000661000000107", "Serum sodium level")
	potassium       = sct("1000651000000109", "Serum potassium level")
	creatinine      = sct("1000731000000107", "Serum creatinine level")
	egfr            = sct("1011481000000105", "eGFR (estimated glomerular filtration rate) using creatinine Chronic Kidney Disease Epidemiology Collaboration equation per 1.73 square metres")
	acrTest         = sct("271075006", "Urine albumin/creatinine ratio measurement")
	acr             = sct("1023491000000104", "Urine albumin:creatinine ratio")
)

// Document types (record artefacts).
var (
	outpatientLetter = sct("823681000000100", "Outpatient letter")
	dischargeSummary = sct("373942005", "Discharge summary")
)

// Amara Okafor, 38: asthma and hay fever, allergic to penicillin, mother of
// Kofi and Layla; the richest record, with items of several kinds withheld
// online (a postnatal depression and its treatment, a sexual-health visit).
func amaraRecord(c recordClock) gp.Record {
	kofi, layla := c.birthOf("9990000077"), c.birthOf("9990000026")
	return gp.Record{
		Demographics: gp.Demographics{Gender: "female", Address: []string{"14 Willow Court", "Leeds"}, Postcode: "LS6 2ZZ", Phone: "07700 900118"},
		Allergies: []gp.Allergy{
			allergy(penicillin, codes(urticaria, angioedema), "moderate", c.age(19, 120), c.age(19, 122)),
			allergy(pollen, codes(hayFever), "mild", c.age(14, 150), c.age(15, 60)),
		},
		Medicines: []gp.Medicine{
			repeat(clenilModulite100, "Two puffs twice a day, using a spacer", "1 inhaler (200 doses)", c.ago(1900), c.ago(21)),
			repeat(salbutamolInhaler, "Two puffs when required for wheeze or breathlessness", "1 inhaler (200 doses)", c.age(6, 200), c.ago(21)),
			repeat(cetirizine10, "One tablet once a day when required for hay fever", "30 tablets", c.ago(2400), c.ago(95)),
			repeat(desogestrel75, "One tablet every day at the same time, without a break", "84 tablets", from(layla, 120), c.ago(20)),
			{Drug: ferrousFumarate210, Name: ferrousFumarate210.Display, Dose: "One tablet twice a day", Quantity: "56 tablets",
				Kind: "acute", Status: "current", Started: c.ago(40), LastIssued: c.ago(40)},
			func() gp.Medicine {
				m := stopped(repeat(citalopram20, "One tablet once a day", "28 tablets", from(layla, 75), gp.Date{}), from(layla, 610), from(layla, 580))
				m.Sensitive = true
				return m
			}(),
			acute(clarithromycin500, "One tablet twice a day for 5 days", "10 tablets", c.ago(1100), 5),
			acute(trimethoprim200, "One tablet twice a day for 3 days", "6 tablets", c.ago(730), 3),
		},
		Problems: []gp.Problem{
			active(asthma, "significant", c.age(6, 200)),
			active(hayFever, "minor", c.age(14, 150)),
			active(ironDeficiencyAnaemia, "minor", c.ago(40)),
			resolved(urinaryInfection, "minor", c.ago(732), c.ago(725)),
			resolved(caesarean, "significant", from(layla, 0), from(layla, 0)),
			{Code: postnatalDepression, Status: "past", Significance: "significant", Onset: from(layla, 60), Ended: from(layla, 610), Sensitive: true},
			resolved(pregnancy, "minor", from(layla, -266), from(layla, 0)),
			resolved(normalDelivery, "minor", from(kofi, 0), from(kofi, 0)),
			resolved(pregnancy, "minor", from(kofi, -273), from(kofi, 0)),
		},
		Immunisations: []gp.Immunisation{
			imm(inactivatedFlu, "Annual", c.ago(35), "FLU2417Q"),
			imm(inactivatedFlu, "Annual", c.ago(400), "FLU2309K"),
			imm(covid3, "Booster", c.ago(1755), "FN4417"),
			imm(covid2, "2nd dose", c.ago(1870), "EY3014"),
			imm(covid1, "1st dose", c.ago(1950), "EW2239"),
			imm(pertussisPreg, "Pregnancy", from(layla, -84), "AB2F817C"),
			imm(pertussisPreg, "Pregnancy", from(kofi, -70), "AC1K204A"),
			imm(tdIPV, "School-leaver booster", c.age(14, 100), ""),
			imm(menC1, "1st dose", c.age(11, 210), ""),
			imm(mmr2, "2nd dose", c.age(4, 30), ""),
			imm(mmr1, "1st dose", c.age(1, 30), ""),
		},
		TestResults: []gp.TestResult{
			panel(fullBloodCount, c.ago(45), "Mild microcytic anaemia. Ferritin 8 ug/L (low). Iron deficiency: treat and repeat the full blood count in 8 weeks.",
				num(haemoglobin, "112", "g/L", "115", "165", "low"),
				num(whiteCells, "6.4", "10*9/L", "4.0", "11.0", ""),
				num(platelets, "388", "10*9/L", "150", "400", ""),
				num(meanCellVolume, "77", "fL", "80", "100", "low"),
				num(haematocrit, "0.35", "L/L", "0.36", "0.46", "low"),
				num(neutrophils, "3.9", "10*9/L", "2.0", "7.5", ""),
				num(lymphocytes, "1.8", "10*9/L", "1.5", "4.0", ""),
			),
			panel(lipidPanel, c.ago(45), "QRISK3 10-year risk 1.2%. Lifestyle advice only; no statin indicated.",
				num(cholesterol, "5.8", "mmol/L", "", "5.0", "high"),
				num(hdlCholesterol, "1.5", "mmol/L", "1.2", "", ""),
				num(ldlCholesterol, "3.6", "mmol/L", "", "3.0", "high"),
				num(triglycerides, "1.4", "mmol/L", "", "1.7", ""),
			),
			panel(thyroidPanel, c.ago(45), "Normal thyroid function.",
				num(tsh, "2.1", "mU/L", "0.27", "4.2", ""),
				num(freeT4, "15.8", "pmol/L", "12", "22", ""),
			),
			panel(urineCulture, c.ago(729), "",
				text(urineWhiteCells, "10 to 100 x10^6/L", "Fewer than 10 x10^6/L", "abnormal", ""),
				text(urineCulture, "Mixed growth of three or more organisms, suggesting contamination.", "", "",
					"Please send a repeat mid-stream sample if symptoms persist."),
			),
		},
		Consultations: []gp.Consultation{
			consult(c.ago(40), drMarsh, roleGP, telephone,
				entry("History", "Blood results discussed: haemoglobin 112 g/L, MCV 77 fL, ferritin 8 ug/L. Heavy periods; no other bleeding. Eats little red meat."),
				coded("Problem", "Iron deficiency anaemia", ironDeficiencyAnaemia),
				entry("Plan", "Ferrous fumarate 210mg twice a day for three months. Dietary advice. Repeat full blood count in 8 weeks. Advised that iron can darken stools and cause constipation."),
			),
			consult(c.ago(52), drMarsh, roleGP, telephone,
				entry("History", "Three months of tiredness and low energy. Periods regular but heavy. Sleeping well, mood good. No weight loss, no night sweats."),
				coded("Problem", "Tiredness", fatigue),
				entry("Plan", "Blood tests: full blood count, ferritin, thyroid function and lipids. Telephone review with results."),
			),
			consult(c.ago(60), nurseGrace, roleNurse, riverside,
				entry("History", "Annual asthma review. Reliever about twice a week, more in the hay fever season. No night waking. No attacks since the hospital admission."),
				entry("Examination", "Peak flow 420 L/min (best 450). Good technique with inhaler and spacer."),
				coded("Problem", "Asthma", asthma),
				entry("Plan", "Continue Clenil Modulite and salbutamol. Personalised asthma action plan updated and given. Annual flu vaccine recommended."),
			),
			{Date: c.ago(200), Clinician: drNowak, Role: roleGP, Location: riverside, Sensitive: true, Entries: []gp.Entry{
				entry("History", "Contraception review: happy with desogestrel, no problems. New partner; asks for a sexual health screen. No symptoms."),
				entry("Examination", "Blood pressure 118/74 mmHg. BMI 24."),
				entry("Plan", "Chlamydia and gonorrhoea test (self-taken swab) sent. Blood tests for HIV and syphilis offered and accepted. Desogestrel continued, three months supplied."),
			}},
			consult(c.ago(555), drMarsh, roleGP, riverside,
				entry("History", "Follow-up after admission to Aire Valley Hospital with an acute asthma attack. Finished prednisolone. Back to normal."),
				entry("Examination", "Chest clear. Peak flow 400 L/min."),
				coded("Problem", "Asthma", asthma),
				entry("Plan", "Adherence to preventer discussed; had stopped it over the summer. Restart Clenil Modulite twice a day. Asthma review in 4 weeks. Respiratory clinic appointment to follow."),
			),
			consult(c.ago(730), drNowak, roleGP, telephone,
				entry("History", "Two days of burning on passing urine and frequency. No fever, no loin pain. Not pregnant."),
				coded("Problem", "Urinary tract infection", urinaryInfection),
				entry("Plan", "Trimethoprim 200mg twice a day for 3 days (penicillin allergy noted). Mid-stream urine sent. Advised to call back if fever, loin pain or no better in 48 hours."),
			),
			{Date: from(layla, 75), Clinician: drMarsh, Role: roleGP, Location: riverside, Sensitive: true, Entries: []gp.Entry{
				entry("History", "Low mood, tearfulness and poor sleep since the birth of her daughter ten weeks ago. Coping with the baby. No thoughts of harming herself or the baby. EPDS 16."),
				coded("Problem", "Postnatal depression", postnatalDepression),
				entry("Plan", "Citalopram 20mg once a day (compatible with breastfeeding). Referred to the perinatal mental health team and NHS Talking Therapies. Health visitor informed. Review in 2 weeks."),
			}},
		},
		Documents: []gp.Document{
			letter("Respiratory clinic letter", c.ago(500), "Dr Ruth Okonjo, Consultant Respiratory Physician, Aire Valley Hospital (sandbox)",
				"Aire Valley Hospital (sandbox)",
				"Respiratory Medicine Outpatients",
				"",
				"Dr Helen Marsh",
				"Riverside Medical Centre (sandbox)",
				"1 River Walk, Leeds LS1 4ZZ",
				"",
				"Dear Dr Marsh",
				"",
				"Re: Amara Okafor",
				"",
				"Diagnoses:",
				"1. Asthma, with one hospital admission for an acute attack",
				"2. Allergic rhinitis (hay fever)",
				"3. Penicillin allergy (urticaria and angioedema)",
				"",
				"I saw Ms Okafor in clinic today, eight weeks after her admission. She has been taking her",
				"preventer inhaler every day since, and has needed her reliever only twice a week. She has",
				"not woken at night with asthma.",
				"",
				"Spirometry: FEV1 2.71 L (88% predicted), FVC 3.58 L, FEV1/FVC 0.76. FeNO 31 ppb.",
				"",
				"Her asthma is now well controlled on Clenil Modulite 100 micrograms, two puffs twice a day.",
				"Her admission followed a summer without her preventer, during the grass pollen season.",
				"",
				"Plan:",
				"- Continue Clenil Modulite 100 micrograms two puffs twice a day, with a spacer.",
				"- Salbutamol as needed. If she needs it more than three times a week, please consider",
				"  changing to a combined inhaler as her regular and reliever treatment.",
				"- Cetirizine through the hay fever season.",
				"- Annual flu vaccination.",
				"",
				"I have not arranged further follow-up here, but would be happy to see her again.",
				"",
				"Yours sincerely",
				"",
				"Dr Ruth Okonjo",
				"Consultant Respiratory Physician",
				"",
				"Copy to: Ms Amara Okafor",
			),
			pdf("Discharge summary", dischargeSummary, c.ago(562), "Dr James Whitaker, Acute Medicine, Aire Valley Hospital (sandbox)",
				"Aire Valley Hospital (sandbox) - Acute Medical Unit, Ward 12",
				"Patient: Amara Okafor",
				"Discharged to: usual residence. Length of stay: 2 days.",
				"",
				"Diagnosis: acute exacerbation of asthma (moderate).",
				"",
				"Presentation: three days of worsening wheeze and breathlessness after a cold, with poor response to salbutamol. Peak flow on arrival 210 L/min (47% of best). Oxygen saturation 94% on air.",
				"",
				"Treatment: nebulised salbutamol and ipratropium, prednisolone 40mg once a day.",
				"Chest X-ray: no consolidation, no pneumothorax.",
				"",
				"On discharge: peak flow 380 L/min. Inhaler technique checked. She had stopped her preventer inhaler over the summer.",
				"",
				"Allergies: penicillin (urticaria and angioedema).",
				"",
				"Medicines on discharge:",
				"- Prednisolone 40mg once a day, to complete 5 days in all",
				"- Clenil Modulite 100 micrograms two puffs twice a day (restarted)",
				"- Salbutamol 100 micrograms two puffs when required",
				"",
				"Actions for GP:",
				"- Please review within 2 working days of discharge.",
				"- Respiratory clinic appointment requested.",
				"",
				"Dr James Whitaker, Specialty Registrar in Acute Medicine",
			),
		},
	}
}

// Layla Okafor, 8: eczema and egg allergy; her childhood immunisations by
// the UK schedule, with batch numbers.
func laylaRecord(c recordClock) gp.Record {
	return gp.Record{
		Demographics: gp.Demographics{Gender: "female", Address: []string{"14 Willow Court", "Leeds"}, Postcode: "LS6 2ZZ", Phone: "07700 900118"},
		Allergies: []gp.Allergy{
			allergy(eggs, codes(urticaria, vomiting), "moderate", c.weeksOld(30), c.weeksOld(31)),
		},
		Medicines: []gp.Medicine{
			repeat(emollient5050, "Apply to all dry skin as often as needed, at least twice a day", "500 grams", c.weeksOld(14), c.ago(30)),
			repeat(hydrocortisone1, "Apply thinly once a day to flares of eczema, for up to 7 days", "30 grams", c.age(2, 40), c.ago(120)),
		},
		Problems: []gp.Problem{
			active(atopicDermatitis, "minor", c.weeksOld(12)),
			active(eggAllergy, "significant", c.weeksOld(30)),
		},
		Immunisations: []gp.Immunisation{
			imm(nasalFlu, "Annual", c.age(8, 40), "FLN8307B"),
			imm(nasalFlu, "Annual", c.age(7, 40), "FLN7122A"),
			imm(nasalFlu, "Annual", c.age(6, 40), "FLN6418C"),
			imm(nasalFlu, "Annual", c.age(5, 40), "FLN5210A"),
			imm(nasalFlu, "Annual", c.age(4, 40), "FLN4733D"),
			imm(nasalFlu, "Annual", c.age(3, 40), "FLN3091B"),
			imm(nasalFlu, "Annual", c.age(2, 40), "FLN2864A"),
			imm(mmr2, "2nd dose", c.ageYM(3, 4), "MMR3J118"),
			imm(preschool4in1, "Pre-school booster", c.ageYM(3, 4), "BIP4C202"),
			imm(hibMenC, "Booster", c.age(1, 3), "HMC1A417"),
			imm(pcvBooster, "Booster", c.age(1, 3), "PCV1D093"),
			imm(mmr1, "1st dose", c.age(1, 3), "MMR1F552"),
			imm(menBBooster, "Booster", c.age(1, 3), "MNB1B760"),
			imm(sixInOne3, "3rd dose", c.weeksOld(16), "HEX6C331"),
			imm(menB2, "2nd dose", c.weeksOld(16), "MNB2A514"),
			imm(sixInOne2, "2nd dose", c.weeksOld(12), "HEX6B298"),
			imm(pcv1, "1st dose", c.weeksOld(12), "PCV1A871"),
			imm(rotavirus, "2nd dose", c.weeksOld(12), "ROT2C046"),
			imm(sixInOne1, "1st dose", c.weeksOld(8), "HEX6A207"),
			imm(menB1, "1st dose", c.weeksOld(8), "MNB1A433"),
			imm(rotavirus, "1st dose", c.weeksOld(8), "ROT1B985"),
		},
		Consultations: []gp.Consultation{
			consult(c.ago(120), drNowak, roleGP, riverside,
				entry("History", "Seen with her mother. Flare of eczema behind the knees and in the elbow creases for a week; itchy at night. Using emollient twice a day."),
				entry("Examination", "Dry, excoriated patches in the flexures. No weeping, crusting or signs of infection."),
				coded("Problem", "Atopic eczema", atopicDermatitis),
				entry("Plan", "Hydrocortisone 1% cream once a day to the flares for up to 7 days. Use emollient generously and instead of soap. Eczema care plan given to her mother."),
			),
			consult(c.age(1, 3), nurseGrace, roleNurse, riverside,
				entry("History", "One-year immunisations. Well today. Known egg allergy: not a reason to delay MMR."),
				entry("Plan", "Hib/MenC, pneumococcal booster, MMR and MenB booster given. Paracetamol advice after MenB. Next due: pre-school booster and second MMR at 3 years 4 months."),
			),
			consult(c.weeksOld(31), drMarsh, roleGP, riverside,
				entry("History", "Seen with her mother. Hives around the mouth and on the cheeks, then one vomit, within 20 minutes of her first taste of scrambled egg. Settled by itself. No breathing difficulty."),
				coded("Problem", "Egg allergy", eggAllergy),
				entry("Plan", "Avoid egg for now. Referred to the children's allergy clinic. Her routine immunisations, including MMR, are safe to give as planned."),
			),
		},
		Documents: []gp.Document{
			letter("Children's allergy clinic letter", c.weeksOld(44), "Dr Anna Lindqvist, Consultant Paediatric Allergist, Aire Valley Hospital (sandbox)",
				"Children's Allergy Service, Aire Valley Hospital (sandbox)",
				"",
				"Dr Helen Marsh",
				"Riverside Medical Centre (sandbox)",
				"1 River Walk, Leeds LS1 4ZZ",
				"",
				"Dear Dr Marsh",
				"",
				"Re: Layla Okafor",
				"",
				"Diagnoses:",
				"1. IgE-mediated egg allergy (mild to moderate: hives and vomiting)",
				"2. Atopic eczema",
				"",
				"Thank you for referring Layla, whom I saw today with her mother. She reacted with hives",
				"around her mouth and one vomit to her first taste of scrambled egg. There were no breathing",
				"problems. Her eczema is well controlled with emollients.",
				"",
				"Skin prick test: egg white 6 mm wheal (positive), with positive and negative controls as",
				"expected.",
				"",
				"Plan:",
				"- Continue to avoid egg for now.",
				"- Once her eczema has been settled for two months, her mother may start the egg ladder at",
				"  home, beginning with well-cooked egg in baked foods. I have given written instructions.",
				"- She does not need an adrenaline auto-injector.",
				"- All routine immunisations, including MMR and the nasal flu vaccine, may be given as usual.",
				"",
				"I will see Layla again in a year.",
				"",
				"Yours sincerely",
				"",
				"Dr Anna Lindqvist",
				"Consultant Paediatric Allergist",
				"",
				"Copy to: Mrs Amara Okafor (parent)",
			),
		},
	}
}

// Kofi Okafor, 12: childhood asthma and a peanut allergy.
func kofiRecord(c recordClock) gp.Record {
	return gp.Record{
		Demographics: gp.Demographics{Gender: "male", Address: []string{"14 Willow Court", "Leeds"}, Postcode: "LS6 2ZZ", Phone: "07700 900118"},
		Allergies: []gp.Allergy{
			allergy(peanut, codes(urticaria, angioedema), "moderate", c.age(3, 100), c.age(3, 130)),
		},
		Medicines: []gp.Medicine{
			repeat(salbutamolInhaler, "Two to four puffs through a spacer when required for wheeze", "1 inhaler (200 doses)", c.age(5, 200), c.ago(75)),
			acute(amoxicillinSusp250, "10ml three times a day for 5 days", "150 ml", c.age(6, 45), 5),
		},
		Problems: []gp.Problem{
			active(asthma, "significant", c.age(5, 200)),
			resolved(radiusFracture, "minor", c.age(10, 150), c.age(10, 192)),
			resolved(otitisMedia, "minor", c.age(6, 45), c.age(6, 52)),
		},
		Immunisations: []gp.Immunisation{
			imm(hpv, "1st dose", c.age(12, 10), "HPV9K552"),
			imm(nasalFlu, "Annual", c.age(11, 50), "FLN1217C"),
			imm(nasalFlu, "Annual", c.age(10, 50), "FLN1093A"),
			imm(mmr2, "2nd dose", c.ageYM(3, 4), ""),
			imm(preschool4in1, "Pre-school booster", c.ageYM(3, 4), ""),
			imm(mmr1, "1st dose", c.age(1, 5), ""),
			imm(sixInOne3, "3rd dose", c.weeksOld(16), ""),
			imm(sixInOne2, "2nd dose", c.weeksOld(12), ""),
			imm(pcv1, "1st dose", c.weeksOld(12), ""),
			imm(sixInOne1, "1st dose", c.weeksOld(8), ""),
		},
		Consultations: []gp.Consultation{
			consult(c.ago(75), nurseGrace, roleNurse, riverside,
				entry("History", "Asthma review with his mother. Reliever once or twice a month, with colds. No night waking; plays football."),
				entry("Examination", "Peak flow 380 L/min. Good spacer technique."),
				coded("Problem", "Asthma", asthma),
				entry("Plan", "Continue salbutamol as needed. Asthma action plan updated; school has a copy. Nasal flu vaccine in school this autumn."),
			),
			consult(c.age(10, 150), drNowak, roleGP, riverside,
				entry("History", "Fell from his scooter onto an outstretched left hand this morning. Pain and swelling at the wrist."),
				entry("Examination", "Tender over the distal radius, no deformity. Hand neurovascularly intact."),
				coded("Problem", "Suspected fracture of the left wrist", radiusFracture),
				entry("Plan", "Sent to the children's emergency department for an X-ray. Buckle fracture confirmed there; treated in a removable splint."),
			),
		},
	}
}

// Priya Shah, 45: hypothyroidism and migraine; registered as a carer.
func priyaRecord(c recordClock) gp.Record {
	return gp.Record{
		Demographics: gp.Demographics{Gender: "female", Address: []string{"3 Aspen Row", "Leeds"}, Postcode: "LS7 3ZZ", Phone: "07700 900134"},
		Allergies: []gp.Allergy{
			allergy(latex, codes(skinEruption), "mild", gp.Date{}, c.ago(3000)),
		},
		Medicines: []gp.Medicine{
			repeat(levothyroxine75, "One tablet each morning before breakfast", "56 tablets", c.ago(38), c.ago(38)),
			repeat(sumatriptan50, "One tablet at the start of a migraine; a second after 2 hours if needed; no more than two in 24 hours", "6 tablets", c.ago(1500), c.ago(150)),
			stopped(repeat(levothyroxine50, "One tablet each morning before breakfast", "56 tablets", c.ago(2190), gp.Date{}), c.ago(38), c.ago(70)),
		},
		Problems: []gp.Problem{
			active(hypothyroidism, "significant", c.ago(2200)),
			active(migraine, "minor", c.age(19, 0)),
			active(looksAfterSomeone, "minor", c.ago(3*365)),
		},
		Immunisations: []gp.Immunisation{
			imm(inactivatedFlu, "Annual", c.ago(36), "FLU2417Q"),
			imm(inactivatedFlu, "Annual", c.ago(402), "FLU2309K"),
			imm(covid2, "2nd dose", c.ago(1880), "EY3014"),
			imm(covid1, "1st dose", c.ago(1960), "EW2239"),
		},
		TestResults: []gp.TestResult{
			panel(thyroidPanel, c.ago(40), "Under-replaced. Increase levothyroxine to 75 micrograms daily and repeat in 6 to 8 weeks.",
				num(tsh, "5.8", "mU/L", "0.27", "4.2", "high"),
				num(freeT4, "11.4", "pmol/L", "12", "22", "low"),
			),
			panel(thyroidPanel, c.ago(400), "Satisfactory on current dose.",
				num(tsh, "2.4", "mU/L", "0.27", "4.2", ""),
				num(freeT4, "15.1", "pmol/L", "12", "22", ""),
			),
		},
		Consultations: []gp.Consultation{
			consult(c.ago(38), drNowak, roleGP, telephone,
				entry("History", "Thyroid results: TSH 5.8 mU/L, free T4 11.4 pmol/L. More tired lately; takes levothyroxine with her morning coffee."),
				coded("Problem", "Hypothyroidism", hypothyroidism),
				entry("Plan", "Increase levothyroxine to 75 micrograms daily, taken 30 minutes before breakfast and coffee. Repeat thyroid tests in 6 to 8 weeks."),
			),
			consult(c.ago(150), drMarsh, roleGP, riverside,
				entry("History", "Migraines with visual aura about twice a month, lasting a day. No new features, no red flags. Sumatriptan works."),
				entry("Examination", "Blood pressure 122/78 mmHg. Fundi normal. Neurological examination normal."),
				coded("Problem", "Migraine", migraine),
				entry("Plan", "Continue sumatriptan. Headache diary. Consider a preventer if more than four a month."),
			),
			consult(c.ago(3*365), hcaLiam, roleHCA, riverside,
				entry("History", "Carer's health check. Cares for an elderly neighbour with several long-term conditions."),
				coded("Problem", "Registered as a carer", looksAfterSomeone),
				entry("Plan", "Added to the practice carers' register. Carers' support information and flu vaccine eligibility explained."),
			),
		},
	}
}

// George Whitfield, 84: several long-term conditions and many repeat
// medicines; a depression and a safeguarding concern withheld online.
func georgeRecord(c recordClock) gp.Record {
	return gp.Record{
		Demographics: gp.Demographics{Gender: "male", Address: []string{"27 Beech Grove", "Leeds"}, Postcode: "LS7 4ZZ", Phone: "0113 496 0427"},
		Allergies: []gp.Allergy{
			allergy(ramipril, codes(cough), "mild", c.ago(2925), c.ago(2920)),
		},
		Medicines: []gp.Medicine{
			repeat(metformin500, "One tablet twice a day with meals", "112 tablets", c.ago(6900), c.ago(26)),
			repeat(apixaban5, "One tablet twice a day", "112 tablets", c.ago(6*365), c.ago(26)),
			repeat(bisoprolol2_5, "One tablet each morning", "56 tablets", c.ago(6*365), c.ago(26)),
			repeat(losartan50, "One tablet each morning", "56 tablets", c.ago(2920), c.ago(26)),
			repeat(amlodipine5, "One tablet each morning", "56 tablets", c.ago(4000), c.ago(26)),
			repeat(atorvastatin20, "One tablet at night", "56 tablets", c.ago(6800), c.ago(26)),
			repeat(finasteride5, "One tablet once a day", "56 tablets", c.ago(9*365), c.ago(26)),
			repeat(omeprazole20, "One capsule each morning", "56 capsules", c.ago(2500), c.ago(26)),
			repeat(paracetamol500, "One or two tablets up to four times a day when required for knee pain", "100 tablets", c.ago(12*365), c.ago(90)),
			func() gp.Medicine {
				m := repeat(mirtazapine15, "One tablet at night", "28 tablets", c.ago(298), c.ago(26))
				m.Sensitive = true
				return m
			}(),
			stopped(repeat(ramipril2_5, "One capsule once a day", "28 capsules", c.ago(4200), gp.Date{}), c.ago(2920), c.ago(2940)),
		},
		Problems: []gp.Problem{
			active(type2Diabetes, "significant", c.ago(19*365)),
			active(hypertension, "significant", c.ago(25*365)),
			active(atrialFibrillation, "significant", c.ago(6*365)),
			active(ckdStage3a, "significant", c.ago(4*365)),
			{Code: depressiveDisorder, Status: "active", Significance: "significant", Onset: c.ago(300), Sensitive: true},
			active(falls, "minor", c.ago(201)),
			active(kneeOsteoarthritis, "minor", c.ago(12*365)),
			active(prostaticHyperplasia, "minor", c.ago(9*365)),
			resolved(bereavement, "minor", c.ago(420), c.ago(120)),
		},
		Immunisations: []gp.Immunisation{
			imm(inactivatedFlu, "Annual", c.ago(40), "FLA2417T"),
			imm(inactivatedFlu, "Annual", c.ago(405), "FLA2309R"),
			imm(inactivatedFlu, "Annual", c.ago(770), "FLA2211M"),
			imm(covid5, "5th dose", c.ago(1460), "GK6012"),
			imm(covid4, "4th dose", c.ago(1640), "FX9931"),
			imm(covid3, "3rd dose", c.ago(1800), "FN4417"),
			imm(covid2, "2nd dose", c.ago(1915), "EX7720"),
			imm(covid1, "1st dose", c.ago(1990), "EL1483"),
			imm(shingles2, "2nd dose", c.ago(13*365), "SHX2B118"),
			imm(shingles1, "1st dose", c.ago(13*365+70), "SHX1A904"),
			imm(pneumococcal, "Single dose", c.ago(19*365), ""),
		},
		TestResults: []gp.TestResult{
			panel(hba1cTest, c.ago(85), "Improved from 63. Continue current treatment.",
				num(hba1c, "58", "mmol/mol", "20", "41", "high"),
			),
			panel(ureaElectrolyte, c.ago(85), "Stable CKD G3a. Metformin dose is appropriate while eGFR stays above 45.",
				num(sodium, "139", "mmol/L", "133", "146", ""),
				num(potassium, "4.9", "mmol/L", "3.5", "5.3", ""),
				num(creatinine, "128", "umol/L", "59", "104", "high"),
				num(egfr, "46", "mL/min/{1.73_m2}", "90", "", "low"),
			),
			panel(acrTest, c.ago(85), "Moderately increased albuminuria (A2).",
				num(acr, "3.6", "mg/mmol", "", "3", "high"),
			),
			panel(fullBloodCount, c.ago(85), "Mild normocytic anaemia, in keeping with his kidney disease. Monitor.",
				num(haemoglobin, "126", "g/L", "130", "180", "low"),
				num(whiteCells, "7.1", "10*9/L", "4.0", "11.0", ""),
				num(platelets, "212", "10*9/L", "150", "400", ""),
				num(meanCellVolume, "91", "fL", "80", "100", ""),
			),
			panel(lipidPanel, c.ago(85), "",
				num(cholesterol, "3.9", "mmol/L", "", "5.0", ""),
				num(hdlCholesterol, "1.1", "mmol/L", "1.0", "", ""),
				num(ldlCholesterol, "1.9", "mmol/L", "", "3.0", ""),
				num(triglycerides, "1.5", "mmol/L", "", "1.7", ""),
			),
			panel(hba1cTest, c.ago(270), "Above target. Diet reviewed; recheck in 6 months.",
				num(hba1c, "63", "mmol/mol", "20", "41", "high"),
			),
			panel(ureaElectrolyte, c.ago(270), "",
				num(sodium, "140", "mmol/L", "133", "146", ""),
				num(potassium, "4.7", "mmol/L", "3.5", "5.3", ""),
				num(creatinine, "124", "umol/L", "59", "104", "high"),
				num(egfr, "48", "mL/min/{1.73_m2}", "90", "", "low"),
			),
		},
		Consultations: []gp.Consultation{
			{Date: c.ago(28), Clinician: drNowak, Role: roleGP, Location: homeVisit, Sensitive: true, Entries: []gp.Entry{
				entry("History", "District nurse reports that a doorstep trader has called repeatedly and taken payment for roof repairs that were not done. George confirms this and is upset. He has capacity to decide about a referral and agrees to one."),
				coded("Problem", "Adult safeguarding concern", safeguardingConcern),
				coded("Plan", "Safeguarding referral to adult social care, with his consent. Advised to report the fraud to the police; his bank informed at his request. Review in one week.", safeguardingLiaison),
			}},
			consult(c.ago(80), drMarsh, roleGP, telephone,
				entry("History", "Results reviewed with George and his carer, with his permission."),
				coded("Problem", "Chronic kidney disease stage 3A", ckdStage3a),
				entry("Plan", "HbA1c improved to 58. eGFR stable at 46. Continue metformin at the current dose and avoid anti-inflammatory painkillers. Recheck kidney function in 6 months."),
			),
			consult(c.ago(85), nurseGrace, roleNurse, riverside,
				entry("History", "Diabetes annual review. Feels well. No hypoglycaemia. Walks with a stick."),
				entry("Examination", "Blood pressure 138/76 mmHg. Weight 78 kg. Feet: pulses present, monofilament sensation intact; low risk."),
				coded("Problem", "Type 2 diabetes", type2Diabetes),
				entry("Plan", "Bloods and urine albumin:creatinine ratio taken. Retinal screening up to date. Results to GP."),
			),
			consult(c.ago(150), drNowak, roleGP, riverside,
				entry("History", "Atrial fibrillation review. No palpitations, no bleeding, no falls since the last one."),
				entry("Examination", "Pulse 74, irregularly irregular. Blood pressure 134/78 mmHg."),
				coded("Problem", "Atrial fibrillation", atrialFibrillation),
				entry("Plan", "CHA2DS2-VASc 5, ORBIT 2. Continue apixaban 5mg twice a day: dose criteria checked (weight 78 kg, creatinine below 133). Continue bisoprolol."),
			),
			consult(c.ago(200), drMarsh, roleGP, homeVisit,
				entry("History", "Tripped on a rug at home yesterday; seen at the hospital, no fracture. No head injury, no blackout."),
				entry("Examination", "Bruising over the left hip. Walking with his stick. Lying and standing blood pressure: no postural drop."),
				coded("Problem", "Fall", falls),
				entry("Plan", "Referred to the falls prevention service and for an occupational therapy home assessment. Rug removed."),
			),
			{Date: c.ago(298), Clinician: drMarsh, Role: roleGP, Location: riverside, Sensitive: true, Entries: []gp.Entry{
				entry("History", "Low mood since his wife died last year; poor sleep and appetite, lost interest in his allotment. No thoughts of suicide. PHQ-9 14."),
				coded("Problem", "Depression", depressiveDisorder),
				entry("Plan", "Mirtazapine 15mg at night (helps sleep and appetite). Referred to NHS Talking Therapies for bereavement counselling. Review in 2 weeks."),
			}},
		},
		Documents: []gp.Document{
			pdf("Same day emergency care discharge summary", dischargeSummary, c.ago(201), "Dr Sofia Moreno, Emergency Medicine, Aire Valley Hospital (sandbox)",
				"Aire Valley Hospital (sandbox) - Same Day Emergency Care",
				"Patient: George Whitfield",
				"Discharged to: usual residence, same day.",
				"",
				"Presenting complaint: fall at home, tripped on a rug. No loss of consciousness, no head injury.",
				"",
				"Findings: bruising over the left hip. Full range of movement with pain. ECG: atrial fibrillation, rate 78. Lying and standing blood pressure: no postural drop.",
				"",
				"Investigations: X-ray of the left hip and pelvis: no fracture.",
				"",
				"Diagnosis: mechanical fall; soft tissue injury of the left hip.",
				"",
				"Medicines: unchanged. He takes apixaban; no head injury, so no CT scan was needed.",
				"",
				"Actions for GP:",
				"- Please consider referral to the falls prevention service.",
				"- Occupational therapy home assessment suggested.",
				"",
				"Dr Sofia Moreno, Specialty Doctor in Emergency Medicine",
			),
			letter("Cardiology clinic letter", c.ago(6*365-40), "Dr Michael Osei, Consultant Cardiologist, Aire Valley Hospital (sandbox)",
				"Cardiology Outpatients, Aire Valley Hospital (sandbox)",
				"",
				"Dr Tomasz Nowak",
				"Riverside Medical Centre (sandbox)",
				"1 River Walk, Leeds LS1 4ZZ",
				"",
				"Dear Dr Nowak",
				"",
				"Re: George Whitfield",
				"",
				"Diagnoses:",
				"1. Permanent atrial fibrillation, rate controlled",
				"2. Hypertension",
				"3. Type 2 diabetes",
				"",
				"Thank you for referring Mr Whitfield with atrial fibrillation found at his diabetes review.",
				"He has occasional palpitations but no breathlessness or chest pain.",
				"",
				"Echocardiogram: normal left ventricular size and function (ejection fraction 58%),",
				"mild left atrial dilatation, no significant valve disease.",
				"",
				"His CHA2DS2-VASc score is 4 and he should be anticoagulated. We discussed the benefits",
				"and risks, and he would like to start apixaban.",
				"",
				"Plan:",
				"- Apixaban 5mg twice a day.",
				"- Bisoprolol 2.5mg once a day for rate control.",
				"- No need for routine follow-up here; please refer again if symptoms change.",
				"",
				"Yours sincerely",
				"",
				"Dr Michael Osei",
				"Consultant Cardiologist",
				"",
				"Copy to: Mr George Whitfield",
			),
		},
	}
}

// Tom Baker, 52: hypertension, gout and a raised HbA1c.
func tomRecord(c recordClock) gp.Record {
	return gp.Record{
		Demographics: gp.Demographics{Gender: "male", Address: []string{"8 Chapel Street", "Leeds"}, Postcode: "LS12 5ZZ", Phone: "07700 900169"},
		Medicines: []gp.Medicine{
			repeat(ramipril5, "One capsule once a day", "56 capsules", c.ago(8*365), c.ago(33)),
			repeat(atorvastatin20, "One tablet at night", "56 tablets", c.ago(2*365), c.ago(33)),
			repeat(allopurinol100, "One tablet once a day", "56 tablets", c.ago(3*365-60), c.ago(33)),
			acute(naproxen500, "One tablet twice a day with food for 5 days", "10 tablets", c.ago(3*365), 5),
		},
		Problems: []gp.Problem{
			active(essentialHypertension, "significant", c.ago(8*365)),
			active(prediabetes, "significant", c.ago(35)),
			active(gout, "minor", c.ago(3*365)),
			active(obesity, "minor", c.ago(5*365)),
		},
		Immunisations: []gp.Immunisation{
			imm(covid2, "2nd dose", c.ago(1850), "EY4471"),
			imm(covid1, "1st dose", c.ago(1930), "EW3308"),
		},
		TestResults: []gp.TestResult{
			panel(lipidPanel, c.ago(42), "Non-HDL cholesterol 5.5 mmol/L: less than a 40% fall on atorvastatin 20mg. Check adherence; consider 40mg.",
				num(cholesterol, "6.4", "mmol/L", "", "5.0", "high"),
				num(hdlCholesterol, "0.9", "mmol/L", "1.0", "", "low"),
				num(ldlCholesterol, "4.2", "mmol/L", "", "3.0", "high"),
				num(triglycerides, "2.3", "mmol/L", "", "1.7", "high"),
			),
			panel(hba1cTest, c.ago(42), "Non-diabetic hyperglycaemia (42 to 47 mmol/mol). Offer the NHS Diabetes Prevention Programme.",
				num(hba1c, "44", "mmol/mol", "20", "41", "high"),
			),
		},
		Consultations: []gp.Consultation{
			consult(c.ago(35), drNowak, roleGP, telephone,
				entry("History", "Results discussed. Admits missing atorvastatin most weekends."),
				coded("Problem", "Non-diabetic hyperglycaemia", prediabetes),
				entry("Plan", "Referred to the NHS Diabetes Prevention Programme. Take atorvastatin every night; recheck lipids and HbA1c in 3 months."),
			),
			consult(c.ago(3*365), drMarsh, roleGP, riverside,
				entry("History", "Hot, swollen, very painful right big toe for two days. Two pints of beer most nights."),
				entry("Examination", "Red, swollen, tender first metatarsophalangeal joint. Afebrile."),
				coded("Problem", "Gout", gout),
				entry("Plan", "Naproxen 500mg twice a day with food for 5 days. Alcohol advice. Urate level in 4 weeks; discuss allopurinol."),
			),
		},
	}
}

// Rhys Evans, 29: a small record at the non-pilot practice in Wales.
func rhysRecord(c recordClock) gp.Record {
	return gp.Record{
		Demographics: gp.Demographics{Gender: "male", Address: []string{"5 Heol y Castell", "Caerdydd"}, Postcode: "CF11 6ZZ", Phone: "07700 900150"},
		Medicines: []gp.Medicine{
			acute(penicillinV250, "Two tablets four times a day for 10 days", "80 tablets", c.ago(700), 10),
		},
		Problems: []gp.Problem{
			resolved(acuteTonsillitis, "minor", c.ago(703), c.ago(690)),
		},
		Immunisations: []gp.Immunisation{
			imm(covid1, "1st dose", c.ago(1900), "EW7716"),
			imm(menACWY, "Single dose", c.age(14, 90), ""),
			imm(tdIPV, "School-leaver booster", c.age(14, 90), ""),
		},
		Consultations: []gp.Consultation{
			consult(c.ago(700), drMorgan, roleGP, telephone,
				entry("History", "Sore throat and fever for three days, no cough. FeverPAIN score 4."),
				coded("Problem", "Acute tonsillitis", acuteTonsillitis),
				entry("Plan", "Phenoxymethylpenicillin for 10 days. Paracetamol and fluids. Call back if unable to swallow fluids or worse after 3 days."),
			),
		},
	}
}
