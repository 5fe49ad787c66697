package fhir

import "encoding/json"

// The FHIR R4 shapes the adapter reads and writes: only the elements it
// uses. Unknown elements a server sends are ignored on reading; on writing
// an update the adapter sends back what it read (see raw), so nothing the
// GP system keeps is lost by a round trip through these structs.

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type codeableConcept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// code returns the concept's code in system ("" when none).
func (c codeableConcept) code(system string) string {
	for _, cd := range c.Coding {
		if cd.System == system {
			return cd.Code
		}
	}
	return ""
}

type identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

type reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type extension struct {
	URL         string `json:"url"`
	ValueString string `json:"valueString,omitempty"`
	ValueTime   string `json:"valueDateTime,omitempty"`
	ValueDate   string `json:"valueDate,omitempty"`
	ValueBool   bool   `json:"valueBoolean,omitempty"`
	ValueInt    int    `json:"valueInteger,omitempty"`
	// ValueReference is read only (nominated pharmacy): the adapter
	// writes reference extensions through setExtension.
	ValueReference *reference `json:"valueReference,omitempty"`
}

type meta struct {
	VersionID   string `json:"versionId,omitempty"`
	LastUpdated string `json:"lastUpdated,omitempty"`
}

type humanName struct {
	Use    string   `json:"use,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Prefix []string `json:"prefix,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type address struct {
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
}

type contactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

type organization struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *meta             `json:"meta,omitempty"`
	Identifier   []identifier      `json:"identifier,omitempty"`
	Active       bool              `json:"active"`
	Type         []codeableConcept `json:"type,omitempty"`
	Name         string            `json:"name,omitempty"`
	Telecom      []contactPoint    `json:"telecom,omitempty"`
	Address      []address         `json:"address,omitempty"`
	PartOf       *reference        `json:"partOf,omitempty"`
}

type patient struct {
	ResourceType        string       `json:"resourceType"`
	ID                  string       `json:"id,omitempty"`
	Meta                *meta        `json:"meta,omitempty"`
	Extension           []extension  `json:"extension,omitempty"`
	Identifier          []identifier `json:"identifier,omitempty"`
	Name                []humanName  `json:"name,omitempty"`
	Gender              string       `json:"gender,omitempty"`
	BirthDate           string       `json:"birthDate,omitempty"`
	GeneralPractitioner []reference  `json:"generalPractitioner,omitempty"`
	// raw is the resource as the server sent it, whole.
	raw json.RawMessage
}

type practitioner struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id,omitempty"`
	Meta         *meta       `json:"meta,omitempty"`
	Name         []humanName `json:"name,omitempty"`
}

type practitionerRole struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *meta             `json:"meta,omitempty"`
	Active       bool              `json:"active"`
	Practitioner *reference        `json:"practitioner,omitempty"`
	Organization *reference        `json:"organization,omitempty"`
	Code         []codeableConcept `json:"code,omitempty"`
}

type location struct {
	ResourceType         string     `json:"resourceType"`
	ID                   string     `json:"id,omitempty"`
	Meta                 *meta      `json:"meta,omitempty"`
	Name                 string     `json:"name,omitempty"`
	ManagingOrganization *reference `json:"managingOrganization,omitempty"`
}

type schedule struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id,omitempty"`
	Meta         *meta       `json:"meta,omitempty"`
	Active       bool        `json:"active"`
	Actor        []reference `json:"actor"`
}

type slot struct {
	ResourceType    string            `json:"resourceType"`
	ID              string            `json:"id,omitempty"`
	Meta            *meta             `json:"meta,omitempty"`
	ServiceType     []codeableConcept `json:"serviceType,omitempty"`
	AppointmentType *codeableConcept  `json:"appointmentType,omitempty"`
	Schedule        reference         `json:"schedule"`
	Status          string            `json:"status"`
	Start           string            `json:"start"`
	End             string            `json:"end"`
}

type participant struct {
	Actor  *reference `json:"actor,omitempty"`
	Status string     `json:"status"`
}

type appointment struct {
	ResourceType    string            `json:"resourceType"`
	ID              string            `json:"id,omitempty"`
	Meta            *meta             `json:"meta,omitempty"`
	Extension       []extension       `json:"extension,omitempty"`
	Identifier      []identifier      `json:"identifier,omitempty"`
	Status          string            `json:"status"`
	ServiceType     []codeableConcept `json:"serviceType,omitempty"`
	AppointmentType *codeableConcept  `json:"appointmentType,omitempty"`
	ReasonCode      []codeableConcept `json:"reasonCode,omitempty"`
	Start           string            `json:"start,omitempty"`
	End             string            `json:"end,omitempty"`
	Slot            []reference       `json:"slot,omitempty"`
	Created         string            `json:"created,omitempty"`
	Participant     []participant     `json:"participant"`
}

// ext returns the value of the extension with url ("" when absent).
func (a appointment) ext(url string) string { return extValue(a.Extension, url) }

func extValue(exts []extension, url string) string {
	for _, e := range exts {
		if e.URL == url {
			return e.ValueString + e.ValueTime + e.ValueDate
		}
	}
	return ""
}

type bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Total        *int          `json:"total,omitempty"`
	Link         []bundleLink  `json:"link,omitempty"`
	Entry        []bundleEntry `json:"entry,omitempty"`
}

type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Request  *bundleRequest  `json:"request,omitempty"`
	Response *bundleResponse `json:"response,omitempty"`
	Search   *struct {
		Mode string `json:"mode,omitempty"`
	} `json:"search,omitempty"`
}

type bundleRequest struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	IfMatch     string `json:"ifMatch,omitempty"`
	IfNoneExist string `json:"ifNoneExist,omitempty"`
}

type bundleResponse struct {
	Status   string `json:"status"`
	Location string `json:"location,omitempty"`
	Etag     string `json:"etag,omitempty"`
}

type operationOutcome struct {
	ResourceType string `json:"resourceType"`
	Issue        []struct {
		Severity string `json:"severity"`
		Code     string `json:"code"`
	} `json:"issue"`
}

type relatedPerson struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *meta             `json:"meta,omitempty"`
	Identifier   []identifier      `json:"identifier,omitempty"`
	Active       bool              `json:"active"`
	Patient      reference         `json:"patient"`
	Relationship []codeableConcept `json:"relationship,omitempty"`
	Name         []humanName       `json:"name,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type consentActor struct {
	Role      codeableConcept `json:"role"`
	Reference reference       `json:"reference"`
}

type consentProvision struct {
	Type   string            `json:"type,omitempty"`
	Period *period           `json:"period,omitempty"`
	Actor  []consentActor    `json:"actor,omitempty"`
	Action []codeableConcept `json:"action,omitempty"`
}

type consent struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *meta             `json:"meta,omitempty"`
	Extension    []extension       `json:"extension,omitempty"`
	Status       string            `json:"status"`
	Scope        codeableConcept   `json:"scope"`
	Category     []codeableConcept `json:"category"`
	Patient      *reference        `json:"patient,omitempty"`
	PolicyRule   *codeableConcept  `json:"policyRule,omitempty"`
	Provision    *consentProvision `json:"provision,omitempty"`
}

type taskInput struct {
	Type           codeableConcept `json:"type"`
	ValueString    string          `json:"valueString,omitempty"`
	ValueReference *reference      `json:"valueReference,omitempty"`
}

type task struct {
	ResourceType    string           `json:"resourceType"`
	ID              string           `json:"id,omitempty"`
	Meta            *meta            `json:"meta,omitempty"`
	Extension       []extension      `json:"extension,omitempty"`
	Identifier      []identifier     `json:"identifier,omitempty"`
	GroupIdentifier *identifier      `json:"groupIdentifier,omitempty"`
	StatusReason    *codeableConcept `json:"statusReason,omitempty"`
	BusinessStatus  *codeableConcept `json:"businessStatus,omitempty"`
	Focus           *reference       `json:"focus,omitempty"`
	Note            []annotation     `json:"note,omitempty"`
	Status          string           `json:"status"`
	Intent          string           `json:"intent"`
	Code            *codeableConcept `json:"code,omitempty"`
	Description     string           `json:"description,omitempty"`
	For             *reference       `json:"for,omitempty"`
	AuthoredOn      string           `json:"authoredOn,omitempty"`
	LastModified    string           `json:"lastModified,omitempty"`
	Owner           *reference       `json:"owner,omitempty"`
	ReasonCode      *codeableConcept `json:"reasonCode,omitempty"`
	Restriction     *taskRestriction `json:"restriction,omitempty"`
	Input           []taskInput      `json:"input,omitempty"`
	Output          []taskInput      `json:"output,omitempty"`
}

type taskRestriction struct {
	Period *period `json:"period,omitempty"`
}

type annotation struct {
	Text string `json:"text"`
}
