package prescribing

import (
	"context"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
)

// Draft is an order in progress, kept between the ordering steps on the
// server: the note is clinical, so it never travels in a URL.
type Draft struct {
	IDs      []string `json:"ids,omitempty"`
	Note     string   `json:"note,omitempty"`
	NoteDone bool     `json:"note_done,omitempty"`
	Pharmacy string   `json:"pharmacy,omitempty"`
	Key      string   `json:"key,omitempty"`
	// Ordered is the order the draft became: pressing Send again shows
	// its confirmation, and the next visit starts afresh.
	Ordered string `json:"ordered,omitempty"`
}

// DraftName names ordering drafts among a session's drafts.
const DraftName = "rx"

// Reached is the furthest step the draft allows.
func (d Draft) Reached() api.OrderStep {
	switch {
	case len(d.IDs) == 0:
		return api.OrderMedicines
	case !d.NoteDone:
		return api.OrderNote
	case d.Pharmacy == "":
		return api.OrderPharmacy
	}
	return api.OrderCheck
}

// Answers are what one ordering step's form said.
type Answers struct {
	Medicines []string
	Note      string
	Pharmacy  string
}

// Advance applies a question step's answers to the draft and says which
// step comes next; "" when the step was submitted out of turn (nothing
// changes). A refused answer is returned as the error, with the draft
// holding what was typed so the page can show it again. The check step is
// sent with Order, not here.
func (s *Service) Advance(ctx context.Context, p *access.Patient, d *Draft, step api.OrderStep, a Answers) (api.OrderStep, error) {
	switch step {
	case api.OrderMedicines:
		m, err := s.Medicines(ctx, p)
		if err != nil {
			return "", err
		}
		ids, err := m.Choose(a.Medicines)
		if err != nil {
			d.IDs = a.Medicines
			return "", err
		}
		d.IDs, d.Key = ids, ""
		return api.OrderNote, nil
	case api.OrderNote:
		if len(d.IDs) == 0 {
			return "", nil
		}
		m, err := s.Medicines(ctx, p)
		if err != nil {
			return "", err
		}
		d.Note = a.Note
		note, err := CheckNote(d.Note, m.Rules(), len(m.Early(d.IDs)) > 0)
		if err != nil {
			return "", err
		}
		d.Note, d.NoteDone, d.Key = note, true, ""
		return api.OrderPharmacy, nil
	case api.OrderPharmacy:
		if len(d.IDs) == 0 {
			return "", nil
		}
		if a.Pharmacy == "" {
			return "", ErrPharmacyRequired
		}
		if _, err := s.Pharmacy(ctx, a.Pharmacy); err != nil {
			return "", err
		}
		d.Pharmacy, d.Key = a.Pharmacy, ""
		return api.OrderCheck, nil
	}
	return "", nil
}
