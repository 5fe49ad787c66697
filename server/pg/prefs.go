package pg

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Prefs keeps people's preferences (preferences), by the identity
// provider's subject.
type Prefs struct{ db *DB }

// NewPrefs returns the preferences in db.
func NewPrefs(db *DB) *Prefs { return &Prefs{db: db} }

// Language is the language the person chose last, "" if none.
func (p *Prefs) Language(ctx context.Context, user string) (string, error) {
	var loc string
	err := p.db.App.QueryRow(ctx, `SELECT language FROM preferences WHERE subject = $1`, user).Scan(&loc)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return loc, err
}

// SetLanguage remembers the person's language.
func (p *Prefs) SetLanguage(ctx context.Context, user, loc string) error {
	_, err := p.db.App.Exec(ctx, `INSERT INTO preferences (subject, language) VALUES ($1, $2)
		ON CONFLICT (subject) DO UPDATE SET language = EXCLUDED.language`, user, loc)
	return err
}
