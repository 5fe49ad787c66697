package session

import (
	"context"
	"fmt"

	"github.com/nhs-companion/companion/app/api"
)

// Infos lists a person's sessions as the settings page shows them, marking
// the current one.
func (st *Store) Infos(ctx context.Context, user, current string) ([]api.SessionInfo, error) {
	list, err := st.List(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out := make([]api.SessionInfo, 0, len(list))
	for _, x := range list {
		out = append(out, api.SessionInfo{ID: x.ID, Device: x.Device, Started: x.CreatedAt.UnixMilli(), LastSeen: x.LastSeen.UnixMilli(), Current: x.ID == current})
	}
	return out, nil
}
