package api

// Messages from the patient's practice, and the practice's view of what it
// sent.

// TextRun is a stretch of a message's text: plain, bold, or a link (Href,
// always https).
type TextRun struct {
	Text string `json:"text"`
	Bold bool   `json:"bold,omitempty"`
	Href string `json:"href,omitempty"`
}

// TextBlock is a paragraph (Runs) or a list (List "ul" or "ol", one run
// list per item) of a message's body, as the server read its Markdown, so
// the app draws it without parsing anything.
type TextBlock struct {
	Runs  []TextRun   `json:"runs,omitempty"`
	List  string      `json:"list,omitempty"`
	Items [][]TextRun `json:"items,omitempty"`
}

// Message is a message from the practice as the patient sees it. Body is
// set on the message's own page only.
type Message struct {
	ID      string      `json:"id"`
	Sender  string      `json:"sender"`
	Subject string      `json:"subject"`
	Body    []TextBlock `json:"body,omitempty"`
	// Sent is Unix milliseconds.
	Sent int64 `json:"sent"`
	Read bool  `json:"read"`
	// ReplyAsked: the practice asks for a reply, one of Keywords when
	// there are any, otherwise any text.
	ReplyAsked bool     `json:"reply_asked,omitempty"`
	Keywords   []string `json:"keywords,omitempty"`
	Reply      string   `json:"reply,omitempty"`
	// Replied is Unix milliseconds (0 before a reply).
	Replied int64 `json:"replied,omitempty"`
}

// MessageList is the patient's messages, newest first.
type MessageList struct {
	Messages []Message `json:"messages"`
	Unread   int       `json:"unread"`
}

// MessageReply is a patient's reply (POST …/messages/{id}/reply).
type MessageReply struct {
	Reply string `json:"reply"`
}

// MessagesPage is the messages pages' data: the list, or one message open
// (Open) with its reply form.
type MessagesPage struct {
	Patient  string    `json:"patient"`
	Messages []Message `json:"messages"`
	Open     *Message  `json:"open,omitempty"`
	// ReplyMax is the longest reply taken, in characters.
	ReplyMax int `json:"reply_max"`
	// Reply is the reply as typed, kept when it was refused.
	Reply  string       `json:"reply,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
	// Replied is set on the page after a reply was sent.
	Replied bool `json:"replied,omitempty"`
}

// ReplyRequest is what a practice's message asks of the patient: any text,
// or one of up to five keywords.
type ReplyRequest struct {
	Keywords []string `json:"keywords,omitempty"`
}

// NewMessage is a message a practice sends to one of its patients
// (POST /api/v1/admin/practices/{ods}/messages). Reply nil asks for none.
type NewMessage struct {
	NHSNumber string        `json:"nhs_number"`
	Subject   string        `json:"subject"`
	Body      string        `json:"body"`
	Reply     *ReplyRequest `json:"reply,omitempty"`
}

// SentMessage is a message as the practice that sent it sees it: to whom,
// whether it was read (and by the patient or a proxy), and the reply.
type SentMessage struct {
	ID        string      `json:"id"`
	Patient   string      `json:"patient"`
	BirthDate string      `json:"birthdate"`
	Subject   string      `json:"subject"`
	Body      []TextBlock `json:"body"`
	// Sent, Read and Replied are Unix milliseconds (0: not yet).
	Sent           int64    `json:"sent"`
	SentBy         string   `json:"sent_by"`
	Read           int64    `json:"read,omitempty"`
	ReadByProxy    bool     `json:"read_by_proxy,omitempty"`
	ReplyAsked     bool     `json:"reply_asked,omitempty"`
	Keywords       []string `json:"keywords,omitempty"`
	Reply          string   `json:"reply,omitempty"`
	Replied        int64    `json:"replied,omitempty"`
	RepliedByProxy bool     `json:"replied_by_proxy,omitempty"`
}

// Outbox is a practice's messages to its patients, on the staff messages
// page: what was sent, read receipts and replies, and the form to send one.
type Outbox struct {
	Practice     string        `json:"practice"`
	PracticeName string        `json:"practice_name"`
	Items        []SentMessage `json:"items"`
	// BodyMax is the longest body taken, in characters.
	BodyMax int `json:"body_max"`
	// Form is the message as typed, kept when it was refused; Keywords is
	// the keywords field as typed.
	Form     NewMessage   `json:"form"`
	Keywords string       `json:"keywords,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
	// Sent is the ID of the message just sent (its confirmation).
	Sent string `json:"sent,omitempty"`
	// Check is the message about to be sent, with whom it goes to, for
	// the member of staff to check before sending.
	Check *SentMessage `json:"check,omitempty"`
	// Key is the idempotency key made for the check's Send.
	Key string `json:"key,omitempty"`
}
