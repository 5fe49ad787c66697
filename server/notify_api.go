package server

import (
	"net/http"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/notify"
)

// apiPushKey answers GET /api/v1/push/key: the VAPID public key devices
// subscribe with (public: it is in every push Companion signs).
func (s *Server) apiPushKey(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, api.PushKey{Key: s.Notify.Push.PublicKey})
	return nil
}

// apiSubscribe answers POST /api/v1/push/subscriptions: the device's
// subscription (PushSubscription.toJSON) joins the signed-in person's.
func (s *Server) apiSubscribe(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return err
	}
	var sub notify.Subscription
	if err := decodeJSON(r, &sub); err != nil {
		return err
	}
	if err := s.Notify.Subscribe(r.Context(), actorOf(sess), sub); err != nil {
		return err
	}
	return s.writeNotifySettings(w, r, sess, http.StatusCreated)
}

// apiUnsubscribe answers DELETE /api/v1/push/subscriptions
// ({"endpoint"}): that device gets no more pushes; with no endpoint, no
// device does.
func (s *Server) apiUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return err
	}
	var in struct {
		Endpoint string `json:"endpoint"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
	}
	if err := s.Notify.Unsubscribe(r.Context(), actorOf(sess), in.Endpoint); err != nil {
		return err
	}
	return s.writeNotifySettings(w, r, sess, http.StatusOK)
}

// apiNotifySettings answers GET /api/v1/notify/settings, and PUT with
// {"kinds":[…]} (the kinds to push; every other is off).
func (s *Server) apiNotifySettings(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return err
	}
	if r.Method == http.MethodPut {
		var in struct {
			Kinds []notify.Kind `json:"kinds"`
		}
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		if in.Kinds == nil {
			return fault.ErrBadRequest
		}
		if err := s.Notify.Choose(r.Context(), actorOf(sess), in.Kinds); err != nil {
			return err
		}
	}
	return s.writeNotifySettings(w, r, sess, http.StatusOK)
}

func (s *Server) writeNotifySettings(w http.ResponseWriter, r *http.Request, sess *session.Session, status int) error {
	out, err := s.notifySettings(r, sess)
	if err != nil {
		return err
	}
	writeJSON(w, status, out)
	return nil
}

// notifySettings are the person's choices as the settings page shows them.
func (s *Server) notifySettings(r *http.Request, sess *session.Session) (*api.NotifySettings, error) {
	p, err := s.Notify.Settings(r.Context(), actorOf(sess))
	if err != nil {
		return nil, err
	}
	out := &api.NotifySettings{Devices: len(p.Subs), Kinds: []api.NotifyKind{}, Key: s.Notify.Push.PublicKey}
	for _, k := range notify.Kinds {
		out.Kinds = append(out.Kinds, api.NotifyKind{Kind: string(k), On: p.Wants(k)})
	}
	return out, nil
}

// notifySettingsPage renders /settings/notifications.
func (s *Server) notifySettingsPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "patient")
	if sess == nil {
		return err
	}
	st := s.pageState(r)
	if st.Notify, err = s.notifySettings(r, sess); err != nil {
		return err
	}
	st.Notify.Saved = r.URL.Query().Get("saved") == "1"
	return s.renderPage(w, r, st)
}

// notifySettingsSubmit takes the settings form: the kinds ticked, or
// (action=push_off) no pushes to any device.
func (s *Server) notifySettingsSubmit(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return s.signInRedirect(w, r, "patient", err)
	}
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	a := actorOf(sess)
	switch r.PostForm.Get("action") {
	case "push_off":
		err = s.Notify.Unsubscribe(r.Context(), a, "")
	case "save":
		kinds := []notify.Kind{}
		for _, k := range r.PostForm["kinds"] {
			kinds = append(kinds, notify.Kind(k))
		}
		err = s.Notify.Choose(r.Context(), a, kinds)
	default:
		err = fault.ErrBadRequest
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/notifications?saved=1", http.StatusSeeOther)
	return nil
}

// openNotification answers GET /notifications/{pid}/{kind}/{key}, where an
// entry and a push lead: marked read, the patient in use, then its page.
// A kind the person may not see answers as its page would.
func (s *Server) openNotification(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	k := notify.Kind(r.PathValue("kind"))
	if !k.Valid() {
		return notify.ErrNoEntry
	}
	path, err := s.Notify.Open(r.Context(), p, k, r.PathValue("key"))
	if err != nil {
		return err
	}
	id := identityFrom(r.Context(), "patient")
	want, action := p.ID(), "switch_profile"
	if p.Self() {
		want, action = "", "switch_back"
	}
	if id.session.ActingFor != want {
		if err := s.Auth.Sessions.SetActingFor(r.Context(), id.token, want); err != nil {
			return fault.Unreachable(err)
		}
		s.Audit.Record(r.Context(), p.Event(action, "success", "", ""))
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// apiEntries answers GET /api/v1/patients/{pid}/entries: the unread
// notifications the home page lists.
func (s *Server) apiEntries(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	out, err := s.Notify.Entries(r.Context(), p)
	if err != nil {
		return err
	}
	if out == nil {
		out = []api.NotifyEntry{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
