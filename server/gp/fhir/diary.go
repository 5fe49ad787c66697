package fhir

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// practiceInfo is a practice with its clinicians and their schedules, read
// together and remembered for the directory TTL: they change rarely, and
// every diary call needs them.
type practiceInfo struct {
	gp.Practice
	orgID      string
	clinicians []gp.Clinician          // ordered by ID
	schedules  map[string]scheduleInfo // by Schedule id
	roles      map[string]gp.Clinician // by PractitionerRole id
}

// scheduleInfo is whose diary a Schedule is, and where.
type scheduleInfo struct {
	clinician gp.Clinician
	location  string // the room's name; "" for remote sessions
}

// practice returns the practice's info, from memory when fresh.
func (s *System) practice(ctx context.Context, ods string) (*practiceInfo, error) {
	s.mu.Lock()
	c, ok := s.orgs[ods]
	s.mu.Unlock()
	if ok && s.now().Sub(c.at) < s.ttl {
		return &c.v, nil
	}
	info, err := s.loadPractice(ctx, ods)
	if err != nil {
		return nil, fmt.Errorf("practice: %w", err)
	}
	s.mu.Lock()
	s.orgs[ods] = cached[practiceInfo]{v: *info, at: s.now()}
	s.mu.Unlock()
	return info, nil
}

func (s *System) loadPractice(ctx context.Context, ods string) (*practiceInfo, error) {
	if ods == "" {
		return nil, gp.ErrNotFound
	}
	orgs, err := s.organisations(ctx, RolePractice, ods)
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return nil, gp.ErrNotFound
	}
	info := &practiceInfo{Practice: practiceOf(orgs[0]), orgID: orgs[0].ID,
		schedules: map[string]scheduleInfo{}, roles: map[string]gp.Clinician{}}
	roles, err := searchAll[practitionerRole](ctx, s.c, "PractitionerRole", url.Values{"organization": {ref("Organization", info.orgID)}})
	if err != nil {
		return nil, err
	}
	var actors []string
	for _, r := range roles {
		if !r.Active || r.Organization == nil || idOf(*r.Organization, "Organization") != info.orgID || r.Practitioner == nil {
			continue
		}
		var p practitioner
		if _, err := s.c.read(ctx, "Practitioner", idOf(*r.Practitioner, "Practitioner"), &p); err != nil {
			return nil, fmt.Errorf("clinician: %w", err)
		}
		c := gp.Clinician{ID: r.ID, Name: displayName(p.Name)}
		if len(r.Code) > 0 {
			c.Role = cmp.Or(r.Code[0].Text, firstDisplay(r.Code[0]))
		}
		info.roles[r.ID] = c
		info.clinicians = append(info.clinicians, c)
		actors = append(actors, ref("PractitionerRole", r.ID))
	}
	slices.SortFunc(info.clinicians, func(a, b gp.Clinician) int { return cmp.Compare(a.ID, b.ID) })
	if len(actors) == 0 {
		return info, nil
	}
	scheds, err := searchAll[schedule](ctx, s.c, "Schedule", url.Values{"actor": {strings.Join(actors, ",")}})
	if err != nil {
		return nil, err
	}
	rooms := map[string]string{}
	for _, sc := range scheds {
		var si scheduleInfo
		found := false
		for _, a := range sc.Actor {
			if c, ok := info.roles[idOf(a, "PractitionerRole")]; ok {
				si.clinician, found = c, true
			}
			if id := idOf(a, "Location"); id != "" {
				if _, ok := rooms[id]; !ok {
					var l location
					if _, err := s.c.read(ctx, "Location", id, &l); err != nil {
						return nil, fmt.Errorf("location: %w", err)
					}
					rooms[id] = l.Name
				}
				si.location = rooms[id]
			}
		}
		if found && sc.Active {
			info.schedules[sc.ID] = si
		}
	}
	return info, nil
}

func displayName(names []humanName) string {
	n := officialName(names)
	if n == nil {
		return ""
	}
	if n.Text != "" {
		return n.Text
	}
	return strings.Join(slices.Concat(n.Prefix, n.Given, []string{n.Family}), " ")
}

func firstDisplay(c codeableConcept) string {
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	return ""
}

// Clinicians lists the practice's bookable staff.
func (s *System) Clinicians(ctx context.Context, ods string) ([]gp.Clinician, error) {
	ctx = withPractice(ctx, ods)
	info, err := s.practice(ctx, ods)
	if err != nil {
		return nil, fmt.Errorf("clinicians: %w", err)
	}
	return slices.Clone(info.clinicians), nil
}

// window is the longest span one Slot search asks for.
const window = 14 * 24 * time.Hour

// Slots lists free slots matching q that start within [From, To) and have
// not started yet, ordered by start.
func (s *System) Slots(ctx context.Context, q gp.SlotQuery) ([]gp.Slot, error) {
	if q.From.IsZero() || q.To.IsZero() {
		return nil, errors.New("slots: from and to are required")
	}
	ctx = withPractice(ctx, q.Practice)
	info, err := s.practice(ctx, q.Practice)
	if err != nil {
		return nil, fmt.Errorf("slots: %w", err)
	}
	var scheds []string
	for id, si := range info.schedules {
		if q.ClinicianID == "" || si.clinician.ID == q.ClinicianID {
			scheds = append(scheds, ref("Schedule", id))
		}
	}
	from := q.From
	if now := s.now(); from.Before(now) {
		from = now
	}
	out := []gp.Slot{}
	if len(scheds) == 0 {
		return out, nil
	}
	slices.Sort(scheds)
	for start := from; start.Before(q.To); start = start.Add(window) {
		end := start.Add(window)
		if end.After(q.To) {
			end = q.To
		}
		v := url.Values{
			"schedule": {strings.Join(scheds, ",")}, "status": {"free"},
			"start": {"ge" + stamp(start), "lt" + stamp(end)}, "_count": {"500"},
		}
		if q.Type != "" {
			v.Set("service-type", SlotTypeSystem+"|"+string(q.Type))
		}
		if q.Mode != "" {
			v.Set("appointment-type", ModeSystem+"|"+string(q.Mode))
		}
		found, err := searchAll[slot](ctx, s.c, "Slot", v)
		if err != nil {
			return nil, fmt.Errorf("slots: %w", err)
		}
		for _, sl := range found {
			g, ok := info.slotOf(sl)
			// Check every criterion again: a server that ignores a
			// parameter it does not know answers with too much.
			if !ok || sl.Status != "free" || g.Start.Before(start) || !g.Start.Before(end) ||
				(q.Type != "" && g.Type != q.Type) || (q.Mode != "" && g.Mode != q.Mode) ||
				(q.ClinicianID != "" && g.Clinician.ID != q.ClinicianID) {
				continue
			}
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b gp.Slot) int { return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// Slot returns one slot of the practice and whether it is free.
func (s *System) Slot(ctx context.Context, ods, id string) (gp.Slot, bool, error) {
	ctx = withPractice(ctx, ods)
	g, sl, _, err := s.readSlot(ctx, ods, id)
	if err != nil {
		return gp.Slot{}, false, fmt.Errorf("slot: %w", err)
	}
	return g, sl.Status == "free" && g.Start.After(s.now()), nil
}

// readSlot reads a slot of the practice with its version ETag.
func (s *System) readSlot(ctx context.Context, ods, id string) (gp.Slot, slot, string, error) {
	info, err := s.practice(ctx, ods)
	if err != nil {
		return gp.Slot{}, slot{}, "", err
	}
	var sl slot
	etag, err := s.c.read(ctx, "Slot", id, &sl)
	if err != nil {
		return gp.Slot{}, slot{}, "", err
	}
	g, ok := info.slotOf(sl)
	if !ok {
		return gp.Slot{}, slot{}, "", gp.ErrNotFound // another practice's slot
	}
	if etag == "" && sl.Meta != nil {
		etag = `W/"` + sl.Meta.VersionID + `"`
	}
	return g, sl, etag, nil
}

// slotOf maps a Slot of one of the practice's schedules; ok is false for
// another practice's or an unreadable one.
func (p *practiceInfo) slotOf(sl slot) (gp.Slot, bool) {
	si, ok := p.schedules[idOf(sl.Schedule, "Schedule")]
	if !ok {
		return gp.Slot{}, false
	}
	start, err1 := time.Parse(time.RFC3339, sl.Start)
	end, err2 := time.Parse(time.RFC3339, sl.End)
	if err1 != nil || err2 != nil {
		return gp.Slot{}, false
	}
	loc := p.Location()
	g := gp.Slot{ID: sl.ID, PracticeODS: p.ODS, Start: start.In(loc), End: end.In(loc), Clinician: si.clinician, Location: si.location}
	for _, st := range sl.ServiceType {
		if c := st.code(SlotTypeSystem); c != "" {
			g.Type = gp.SlotType(c)
		}
	}
	if sl.AppointmentType != nil {
		g.Mode = gp.Mode(sl.AppointmentType.code(ModeSystem))
	}
	return g, true
}

// stamp formats a time as a FHIR instant.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
