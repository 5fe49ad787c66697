package rp

import "errors"

// Reason is the audit trail's word for why a callback failed.
func Reason(err error) string {
	for _, k := range []struct {
		err    error
		reason string
	}{
		{ErrUnknownState, "state"}, {ErrNonce, "nonce"}, {ErrVoT, "vot"}, {ErrIDToken, "id_token"},
		{ErrExchange, "exchange"}, {ErrUserInfo, "userinfo"}, {ErrNHSNumber, "nhs_number"},
	} {
		if errors.Is(err, k.err) {
			return k.reason
		}
	}
	return "error"
}
