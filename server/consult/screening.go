package consult

import (
	"fmt"
	"slices"
)

// ChildAge is the age under which the patient is asked about as a child:
// the child-only questions are added and every question is about "the
// child".
const ChildAge = 16

// The advice a "yes" leads to.
const (
	// Advice999 is: call 999 or go to A&E now.
	Advice999 = "999"
	// Advice111 is: get help from NHS 111 now.
	Advice111 = "111"
)

// Question is one emergency screening question, asked before any medical
// request: a "yes" stops the request and sends the patient to urgent help.
type Question struct {
	// ID is stable: answers are keyed by it and the practice sees it.
	ID string
	// Key is the i18n catalogue key of its text, e.g.
	// "contact.screen.q.chest_pain". Adults are asked as "you" (a carer
	// answers for them); child-only questions ask about "the child".
	Key string
	// ChildKey is the key of its text when the patient is a child (about
	// "the child"), for questions asked of everyone; For puts it in Key.
	ChildKey string
	// Child is set when it is asked only when the patient is a child
	// (under ChildAge).
	Child bool
	// Advice is Advice999 (call 999 or go to A&E) or Advice111 (get help
	// from NHS 111 now).
	Advice string
}

// QuestionSet is a clinically reviewed version of the screening questions.
// The version is recorded with every medical request.
type QuestionSet struct {
	Version   string
	Questions []Question
}

// Screening is the current question set. A clinician must review any
// change to it, and Version changes with it (testdata/screening.golden
// holds the reviewed listing).
var Screening = QuestionSet{
	Version: "2026-11-23.1",
	Questions: []Question{
		{ID: "chest_pain", Key: "contact.screen.q.chest_pain", ChildKey: "contact.screen.q.chest_pain.child", Advice: Advice999},
		{ID: "breathing", Key: "contact.screen.q.breathing", ChildKey: "contact.screen.q.breathing.child", Advice: Advice999},
		{ID: "stroke", Key: "contact.screen.q.stroke", ChildKey: "contact.screen.q.stroke.child", Advice: Advice999},
		{ID: "bleeding", Key: "contact.screen.q.bleeding", ChildKey: "contact.screen.q.bleeding.child", Advice: Advice999},
		{ID: "self_harm", Key: "contact.screen.q.self_harm", ChildKey: "contact.screen.q.self_harm.child", Advice: Advice999},
		{ID: "headache", Key: "contact.screen.q.headache", ChildKey: "contact.screen.q.headache.child", Advice: Advice999},
		{ID: "non_blanching_rash", Key: "contact.screen.q.non_blanching_rash", Child: true, Advice: Advice999},
		{ID: "floppy", Key: "contact.screen.q.floppy", Child: true, Advice: Advice999},
		{ID: "baby_temperature", Key: "contact.screen.q.baby_temperature", Child: true, Advice: Advice111},
		{ID: "dehydration", Key: "contact.screen.q.dehydration", Child: true, Advice: Advice111},
	},
}

// For lists the questions to ask about an adult or a child, in order, each
// with Key set to the wording for that patient.
func (q QuestionSet) For(child bool) []Question {
	var out []Question
	for _, x := range q.Questions {
		if x.Child && !child {
			continue
		}
		if child && x.ChildKey != "" {
			x.Key = x.ChildKey
		}
		out = append(out, x)
	}
	return out
}

// Screen checks the answers (question ID → "yes" or "no") to For(child):
// ErrUnanswered if any is missing or neither "yes" nor "no". stop is true
// on any "yes", with the most urgent advice among the "yes" answers (999
// over 111) and the IDs answered "yes", in question order. Answers to
// questions not asked are ignored.
func (q QuestionSet) Screen(child bool, answers map[string]string) (stop bool, advice string, yes []string, err error) {
	for _, x := range q.For(child) {
		switch answers[x.ID] {
		case "no":
		case "yes":
			yes = append(yes, x.ID)
			if advice == "" || urgency(x.Advice) > urgency(advice) {
				advice = x.Advice
			}
		default:
			return false, "", nil, fmt.Errorf("screen %s: %w", x.ID, ErrUnanswered)
		}
	}
	return len(yes) > 0, advice, yes, nil
}

// urgency ranks advice: 999 before 111.
func urgency(advice string) int {
	return slices.Index([]string{Advice111, Advice999}, advice)
}
