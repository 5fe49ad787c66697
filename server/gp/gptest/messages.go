package gptest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// MessageFixture names what the messages contract needs. The suite sends
// messages and replies to them, so give it a system of its own (System).
type MessageFixture struct {
	// Patient and OtherPatient are registered at Practice.
	Patient, OtherPatient, Practice string
	// OtherPractice is another practice the system serves, where Patient
	// is not registered.
	OtherPractice string
	// System, if set, gives the part a system of its own.
	System func(t *testing.T) gp.System
	// Unsupported, if set, declares that the adapter does not offer this
	// part, and why.
	Unsupported string
}

// runMessages checks the messages part of the port: the practice sends,
// the patient reads once and replies once, and the practice sees both.
func runMessages(t *testing.T, sys gp.System, fx MessageFixture) {
	ctx := context.Background()
	send := func(t *testing.T, m gp.Message) gp.Message {
		t.Helper()
		out, err := sys.SendMessage(ctx, m)
		if err != nil {
			t.Fatalf("SendMessage: %v", err)
		}
		return out
	}
	unread := func(t *testing.T, patient string) int {
		t.Helper()
		n, err := sys.UnreadMessages(ctx, patient)
		if err != nil {
			t.Fatalf("UnreadMessages: %v", err)
		}
		return n
	}
	base := unread(t, fx.Patient)
	first := send(t, gp.Message{PatientNHS: fx.Patient, PracticeODS: fx.Practice, Sender: "The practice", SentBy: "staff-1",
		Subject: "Flu vaccination", Body: "Book your **flu** jab.", Sent: time.Now().Add(-time.Minute)})
	keyed := send(t, gp.Message{PatientNHS: fx.Patient, PracticeODS: fx.Practice, Sender: "The practice", SentBy: "staff-1",
		Subject: "Can you come in?", Body: "Reply yes or no.", ReplyAsked: true, Keywords: []string{"Yes", "No"}})
	free := send(t, gp.Message{PatientNHS: fx.Patient, PracticeODS: fx.Practice, Sender: "The practice",
		Subject: "How are you?", Body: "Tell us.", ReplyAsked: true, Sent: time.Now().Add(time.Minute)})

	t.Run("Sent", func(t *testing.T) {
		if first.ID == "" || first.ID == keyed.ID || first.Subject != "Flu vaccination" || first.Body != "Book your **flu** jab." ||
			first.Sender != "The practice" || first.SentBy != "staff-1" || !first.Read.IsZero() || first.ReplyAsked {
			t.Errorf("sent message: %+v", first)
		}
		if !keyed.ReplyAsked || len(keyed.Keywords) != 2 || keyed.Keywords[0] != "Yes" || keyed.Keywords[1] != "No" {
			t.Errorf("keywords: %+v", keyed)
		}
	})

	t.Run("NotRegisteredThere", func(t *testing.T) {
		for _, m := range []gp.Message{
			{PatientNHS: fx.Patient, PracticeODS: fx.OtherPractice, Subject: "x", Body: "x"},
			{PatientNHS: "9990000000", PracticeODS: fx.Practice, Subject: "x", Body: "x"},
			{PatientNHS: "not-a-number", PracticeODS: fx.Practice, Subject: "x", Body: "x"},
		} {
			if _, err := sys.SendMessage(ctx, m); !errors.Is(err, gp.ErrNotFound) {
				t.Errorf("SendMessage to %s at %s: %v, want ErrNotFound", m.PatientNHS, m.PracticeODS, err)
			}
		}
	})

	t.Run("ListedNewestFirst", func(t *testing.T) {
		list, err := sys.PatientMessages(ctx, fx.Patient)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) < 3 || list[0].ID != free.ID || list[1].ID != keyed.ID || list[2].ID != first.ID {
			t.Fatalf("PatientMessages: %+v", list)
		}
		if n := unread(t, fx.Patient); n != base+3 {
			t.Errorf("unread %d, want %d", n, base+3)
		}
		other, err := sys.PatientMessages(ctx, fx.OtherPatient)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range other {
			if m.ID == first.ID || m.ID == keyed.ID || m.ID == free.ID {
				t.Errorf("another patient lists %s", m.ID)
			}
		}
		if _, err := sys.PatientMessages(ctx, "9990000000"); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("PatientMessages(unknown): %v", err)
		}
	})

	t.Run("ReadOnce", func(t *testing.T) {
		if _, err := sys.MarkRead(ctx, fx.OtherPatient, first.ID, "other"); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("MarkRead by another patient: %v, want ErrNotFound", err)
		}
		m, err := sys.MarkRead(ctx, fx.Patient, first.ID, "reader-1")
		if err != nil {
			t.Fatal(err)
		}
		if m.Read.IsZero() || m.ReadBy != "reader-1" || m.Subject != first.Subject {
			t.Errorf("MarkRead: %+v", m)
		}
		again, err := sys.MarkRead(ctx, fx.Patient, first.ID, "reader-2")
		if err != nil {
			t.Fatal(err)
		}
		if !again.Read.Equal(m.Read) || again.ReadBy != "reader-1" {
			t.Errorf("second opening changed the receipt: %+v", again)
		}
		if n := unread(t, fx.Patient); n != base+2 {
			t.Errorf("unread %d after one opened, want %d", n, base+2)
		}
		if _, err := sys.MarkRead(ctx, fx.Patient, "nosuchmessage", "x"); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("MarkRead(no such message): %v", err)
		}
	})

	t.Run("Replies", func(t *testing.T) {
		if _, err := sys.ReplyToMessage(ctx, fx.Patient, first.ID, "thanks", "p"); !errors.Is(err, gp.ErrReplyNotAsked) {
			t.Errorf("reply to a message asking none: %v", err)
		}
		if _, err := sys.ReplyToMessage(ctx, fx.Patient, keyed.ID, "Maybe", "p"); !errors.Is(err, gp.ErrReplyNotAsked) {
			t.Errorf("reply not among the keywords: %v", err)
		}
		if _, err := sys.ReplyToMessage(ctx, fx.OtherPatient, keyed.ID, "Yes", "p"); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("reply by another patient: %v", err)
		}
		// Of replies sent at once, exactly one is kept.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = sys.ReplyToMessage(ctx, fx.Patient, keyed.ID, []string{"Yes", "No"}[i%2], "replier")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, gp.ErrAlreadyReplied):
				t.Errorf("concurrent reply: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d concurrent replies kept, want 1", ok)
		}
		m, err := sys.ReplyToMessage(ctx, fx.Patient, free.ID, "  Much better, thank you.  ", "replier")
		if err != nil {
			t.Fatal(err)
		}
		if m.Reply != "Much better, thank you." || m.Replied.IsZero() || m.RepliedBy != "replier" {
			t.Errorf("reply: %+v", m)
		}
	})

	t.Run("PracticeSees", func(t *testing.T) {
		sent, err := sys.SentMessages(ctx, fx.Practice)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]gp.Message{}
		for _, m := range sent {
			got[m.ID] = m
		}
		if m := got[first.ID]; m.Read.IsZero() || m.ReadBy != "reader-1" || m.PatientNHS != fx.Patient {
			t.Errorf("practice's view of the read message: %+v", m)
		}
		if m := got[keyed.ID]; m.Reply != "Yes" && m.Reply != "No" {
			t.Errorf("practice's view of the keyword reply: %+v", m)
		}
		if m := got[free.ID]; m.Reply != "Much better, thank you." {
			t.Errorf("practice's view of the reply: %+v", m)
		}
		if len(sent) < 3 || sent[0].ID != free.ID {
			t.Errorf("SentMessages not newest first: %+v", sent)
		}
		elsewhere, err := sys.SentMessages(ctx, fx.OtherPractice)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range elsewhere {
			if got[m.ID].ID != "" {
				t.Errorf("another practice lists %s", m.ID)
			}
		}
		if _, err := sys.SentMessages(ctx, "NOPE99"); !errors.Is(err, gp.ErrNotFound) {
			t.Errorf("SentMessages(unknown practice): %v", err)
		}
	})
}
