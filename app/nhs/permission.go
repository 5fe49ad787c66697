package nhs

// Permission is what a proxy (a parent, a carer) may do for the person they
// act for. People acting for themselves hold every permission their identity
// proofing allows.
type Permission string

// The permissions a relationship can grant.
const (
	PermAppointments  Permission = "appointments"
	PermPrescriptions Permission = "prescriptions"
	// PermRecordSummary shows allergies, medicines and immunisations only.
	PermRecordSummary Permission = "record_summary"
	// PermFullRecord shows the detailed coded record.
	PermFullRecord Permission = "full_record"
	// PermMessages reads the patient's messages from their practice and
	// replies to them.
	PermMessages Permission = "messages"
	// PermMonitoring sends readings for the patient's remote-monitoring
	// plan and sees them over time.
	PermMonitoring Permission = "monitoring"
)

// Permissions lists every permission, in the order pages show them.
var Permissions = []Permission{PermAppointments, PermPrescriptions, PermRecordSummary, PermFullRecord, PermMessages, PermMonitoring}

// KnownPermission reports whether p is one of Permissions.
func KnownPermission(p Permission) bool {
	for _, q := range Permissions {
		if p == q {
			return true
		}
	}
	return false
}
