package api

import "encoding/json"

// decode turns an HTTP answer into out, or into a StatusError with its code.
func decode(status int, body []byte, out any) error {
	if status < 200 || status > 299 {
		var e Error
		_ = json.Unmarshal(body, &e)
		return &StatusError{Status: status, Body: e.Error}
	}
	if out == nil || len(body) == 0 {
		return nil
	}
	return json.Unmarshal(body, out)
}
