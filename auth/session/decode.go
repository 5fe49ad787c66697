package session

import (
	"encoding/json"
	"slices"
)

// decode parses a stored session, reusing the last parse of exactly the
// same bytes (most requests find a session unchanged since the last).
func (st *Store) decode(id, raw string) (Session, error) {
	if d, ok := st.decoded.Get(id); ok && d.raw == raw {
		s := d.s
		s.Roles, s.RoleODS = slices.Clone(s.Roles), slices.Clone(s.RoleODS)
		return s, nil
	}
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Session{}, err
	}
	st.decoded.Put(id, decoded{raw: raw, s: s})
	s.Roles, s.RoleODS = slices.Clone(s.Roles), slices.Clone(s.RoleODS)
	return s, nil
}

type decoded struct {
	raw string
	s   Session
}
