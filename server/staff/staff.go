// Package staff is what practice and national staff do in Companion:
// switch feature flags within their scope, with reasons and history, and
// run a practice's inbox of online requests (replies, pauses, opening hours
// and limits). HTTP handlers decode, call it and render.
//
// It is server-only, and must not import the HTTP package (server) or app/ui.
package staff

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/notify"
	"github.com/nhs-companion/companion/server/safety"
	"github.com/nhs-companion/companion/server/text"
)

// Refusals.
var (
	ErrReasonRequired = fault.New(fault.Invalid, "reason_required", "admin.error.reason")
	ErrOutOfScope     = fault.New(fault.Forbidden, "forbidden", "admin.error.scope")
	ErrReplyRequired  = fault.New(fault.Invalid, "reply_required", "inbox.error.reply")
	ErrAlreadyReplied = fault.New(fault.Conflict, "already_responded", "inbox.error.already")
	ErrSuspendTooLong = fault.New(fault.Invalid, "suspension_too_long", "inbox.error.tooLong")
	ErrBadHours       = fault.New(fault.Invalid, "bad_hours", "inbox.error.hours")
	ErrBadNumber      = fault.New(fault.Invalid, "bad_number", "inbox.error.number")
)

// maxReason bounds a change's reason.
const maxReason = 500

// GP is what a practice's staff reach in the GP system: practices, their
// inbox, and who each request is from.
type GP interface {
	gp.Directory
	gp.Inbox
}

// Service is staff work. Its fields are set at wiring time.
type Service struct {
	GP      GP
	Flags   *flags.Store
	Contact *consult.Service
	// IDs tells a request sent by the patient from one sent by a proxy.
	IDs   *access.IDs
	Audit *audit.Trail
	// Notify hears of what patients should be told (nil: nobody is).
	Notify *notify.Service
	// Safety lists the practice's safety events on its inbox.
	Safety *safety.Log
	// MaxSuspension is the longest a practice may pause online requests.
	MaxSuspension time.Duration
}

// National reports whether the member of staff is a national admin.
func National(sess *session.Session) bool { return slices.Contains(sess.Roles, "national_admin") }

// Member is the signed-in member of staff as pages show them.
func Member(sess *session.Session) *api.Staff {
	return &api.Staff{Name: strings.TrimSpace(sess.GivenName + " " + sess.FamilyName), Roles: sess.Roles,
		Practices: sess.RoleODS, National: National(sess)}
}

// Reason checks the reason a member of staff gave for a change.
func Reason(r string) (string, error) {
	r = strings.TrimSpace(r)
	if r == "" || utf8.RuneCountInString(r) > maxReason || text.Unsafe(r) {
		return "", ErrReasonRequired
	}
	return r, nil
}

// Practice is the practice whose inbox the member of staff asked for
// (their first when ods is ""): one they look after. Only practice staff
// (site admins) have an inbox.
func (s *Service) Practice(ctx context.Context, sess *session.Session, ods string) (gp.Practice, error) {
	return s.practiceAs(ctx, sess, ods, "site_admin")
}

// MessagingPractice is the practice whose messages the member of staff
// asked for (their first when ods is ""): one where they are a site admin
// or write to patients.
func (s *Service) MessagingPractice(ctx context.Context, sess *session.Session, ods string) (gp.Practice, error) {
	return s.practiceAs(ctx, sess, ods, "site_admin", "messaging")
}

func (s *Service) practiceAs(ctx context.Context, sess *session.Session, ods string, roles ...string) (gp.Practice, error) {
	if ods == "" && len(sess.RoleODS) > 0 {
		ods = sess.RoleODS[0]
	}
	for _, role := range roles {
		if ods != "" && holds(sess, role, ods) {
			return s.GP.Practice(ctx, ods)
		}
	}
	return gp.Practice{}, ErrOutOfScope
}

// holds reports whether the member of staff holds role at the practice: a
// session carries one role, for the organisations in RoleODS.
func holds(sess *session.Session, role, ods string) bool {
	return slices.Contains(sess.Roles, role) && slices.Contains(sess.RoleODS, ods)
}

func (s *Service) record(ctx context.Context, sess *session.Session, action, reason, object string) {
	s.Audit.Record(ctx, audit.Event{Action: action, Outcome: "success", Actor: sess.Subject, Session: sess.ID, Reason: reason, Object: object})
}

// Inbox is a practice's requests with who sent them, and its settings.
func (s *Service) Inbox(ctx context.Context, practice gp.Practice) (*api.Inbox, error) {
	list, err := s.GP.Inbox(ctx, practice.ODS)
	if err != nil {
		return nil, err
	}
	av, set, err := s.Contact.Availability(ctx, practice, "")
	if err != nil {
		return nil, err
	}
	out := &api.Inbox{Practice: practice.ODS, PracticeName: practice.Name, Items: []api.InboxItem{}, Availability: av,
		MaxSuspension: int(s.MaxSuspension / time.Minute),
		Settings: api.ContactSettings{Hours: consult.FormatWindows(set.Windows), BankHolidaysOpen: set.BankHolidaysOpen,
			Caps: map[string]int{}, PatientDaily: set.PatientDaily}}
	for k, n := range set.Caps {
		out.Settings.Caps[string(k)] = n
	}
	who := people{gp: s.GP, read: map[string]gp.Patient{}}
	if out.Safety, err = s.safetyEvents(ctx, practice.ODS, who); err != nil {
		return nil, err
	}
	for _, c := range list {
		who, err := who.get(ctx, c.PatientNHS)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, api.InboxItem{Request: consult.View(c), Patient: who.GivenName + " " + who.FamilyName,
			BirthDate: who.BirthDate.String(), ByProxy: c.SubmittedBy != "" && c.SubmittedBy != s.IDs.For(c.PatientNHS)})
	}
	return out, nil
}

// shownSafety is how many safety events the inbox lists.
const shownSafety = 50

// people reads patients from the GP system once each for one page (a
// patient with several requests and events is one read); one the GP system
// does not know is a zero Patient.
type people struct {
	gp   GP
	read map[string]gp.Patient
}

func (p people) get(ctx context.Context, nhsNumber string) (gp.Patient, error) {
	if who, ok := p.read[nhsNumber]; ok {
		return who, nil
	}
	who, err := p.gp.Patient(ctx, nhsNumber)
	if err != nil && !errors.Is(err, gp.ErrNotFound) {
		return gp.Patient{}, err
	}
	p.read[nhsNumber] = who
	return who, nil
}

// safetyEvents lists the practice's recent safety events, each patient
// named as the GP record names them.
func (s *Service) safetyEvents(ctx context.Context, ods string, people people) ([]api.SafetyEvent, error) {
	events, err := s.Safety.List(ctx, ods, shownSafety)
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	out := make([]api.SafetyEvent, 0, len(events))
	for _, e := range events {
		v := api.SafetyEvent{Kind: string(e.Kind), Detail: e.Detail, At: e.At.UnixMilli()}
		if nhsNumber, err := s.IDs.NHSNumber(e.Patient); e.Patient != "" && err == nil {
			who, err := people.get(ctx, nhsNumber)
			if err != nil {
				return nil, err
			}
			v.Patient, v.BirthDate = strings.TrimSpace(who.GivenName+" "+who.FamilyName), who.BirthDate.String()
		}
		out = append(out, v)
	}
	return out, nil
}

// Respond records a reply to a request.
func (s *Service) Respond(ctx context.Context, sess *session.Session, practice gp.Practice, id, reply string) error {
	reply = strings.TrimSpace(reply)
	if reply == "" || utf8.RuneCountInString(reply) > consult.TextMax || text.Unsafe(reply) {
		return ErrReplyRequired
	}
	req, err := s.GP.Respond(ctx, practice.ODS, id, reply, sess.Subject)
	switch {
	case errors.Is(err, gp.ErrNotFound):
		return consult.ErrNoRequest
	case errors.Is(err, gp.ErrAlreadyResponded):
		return ErrAlreadyReplied
	case err != nil:
		return err
	}
	s.record(ctx, sess, "contact_respond", "", "contact:"+id)
	s.Notify.Emit(ctx, notify.Event{Kind: notify.ContactReply, Patient: s.IDs.For(req.PatientNHS), Key: id, Path: "/", Need: consult.Need})
	return nil
}

// Suspend pauses online requests with a reason for minutes, up to the
// configured maximum.
func (s *Service) Suspend(ctx context.Context, sess *session.Session, practice gp.Practice, minutes, reason string) error {
	m, err := strconv.Atoi(minutes)
	if err != nil || m <= 0 {
		return fault.ErrBadRequest
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxReason || text.Unsafe(reason) {
		return fault.ErrBadRequest
	}
	now := time.Now()
	err = s.Contact.Store.Suspend(ctx, practice.ODS, consult.Suspension{Until: now.Add(time.Duration(m) * time.Minute), Reason: reason, By: sess.Subject}, now)
	switch {
	case errors.Is(err, consult.ErrReasonRequired):
		return ErrReasonRequired
	case errors.Is(err, consult.ErrSuspensionTooLong), errors.Is(err, consult.ErrBadSuspension):
		return ErrSuspendTooLong
	case err != nil:
		return fault.Unreachable(err)
	}
	s.record(ctx, sess, "contact_suspend", reason, "practice:"+practice.ODS)
	return nil
}

// Resume ends a pause.
func (s *Service) Resume(ctx context.Context, sess *session.Session, practice gp.Practice) error {
	if err := s.Contact.Store.Resume(ctx, practice.ODS); err != nil {
		return fault.Unreachable(err)
	}
	s.record(ctx, sess, "contact_resume", "", "practice:"+practice.ODS)
	return nil
}

// maxSetting bounds a cap or limit.
const maxSetting = 100000

// SettingsForm reads the inbox page's settings form (get reads a field):
// the settings, or the field holding a number that is not one.
func SettingsForm(get func(string) string) (api.ContactSettings, string, error) {
	in := api.ContactSettings{Hours: get("hours"), BankHolidaysOpen: get("bank_holidays_open") == "on", Caps: map[string]int{}, Reason: get("reason")}
	number := func(name string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(get(name)))
		return n, err == nil && n >= 0 && n <= maxSetting
	}
	for _, k := range gp.ContactKinds {
		n, ok := number("cap-" + string(k))
		if !ok {
			return in, "cap-" + string(k), ErrBadNumber
		}
		in.Caps[string(k)] = n
	}
	n, ok := number("patient_daily")
	if !ok {
		return in, "patient_daily", ErrBadNumber
	}
	in.PatientDaily = n
	return in, "", nil
}

// SaveSettings checks and keeps a practice's opening windows, daily caps
// and per-patient limit, with the reason for the change in the audit trail.
func (s *Service) SaveSettings(ctx context.Context, sess *session.Session, practice gp.Practice, in api.ContactSettings) error {
	reason, err := Reason(in.Reason)
	if err != nil {
		return err
	}
	windows, err := consult.ParseWindows(in.Hours)
	if err != nil {
		return ErrBadHours
	}
	set := consult.Settings{Windows: windows, BankHolidaysOpen: in.BankHolidaysOpen, Caps: map[gp.ContactKind]int{}, PatientDaily: in.PatientDaily}
	for k, n := range in.Caps {
		if !slices.Contains(gp.ContactKinds, gp.ContactKind(k)) {
			return fault.ErrBadRequest
		}
		if n < 0 || n > maxSetting {
			return ErrBadNumber
		}
		set.Caps[gp.ContactKind(k)] = n
	}
	if in.PatientDaily < 0 || in.PatientDaily > maxSetting {
		return ErrBadNumber
	}
	if err := s.Contact.Store.SaveSettings(ctx, practice.ODS, set); errors.Is(err, consult.ErrInvalidSettings) {
		return ErrBadHours
	} else if err != nil {
		return fault.Unreachable(err)
	}
	s.record(ctx, sess, "contact_settings", reason, "practice:"+practice.ODS)
	return nil
}
