// Package nhs holds small NHS domain rules shared by the server and the
// WebAssembly app: NHS numbers and ODS codes.
//
// It must not import any server-only package.
package nhs

// ValidNumber reports whether s is a 10-digit NHS number whose last digit is
// the modulus 11 check digit of the first nine.
func ValidNumber(s string) bool {
	if len(s) != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		if i < 9 {
			sum += int(c-'0') * (10 - i)
		}
	}
	check := 11 - sum%11
	switch check {
	case 11:
		check = 0
	case 10:
		return false
	}
	return int(s[9]-'0') == check
}

// CheckDigit returns the check digit for the first nine digits of an NHS
// number, and false when those nine digits can never form a valid number.
func CheckDigit(nine string) (byte, bool) {
	if len(nine) != 9 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		c := nine[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sum += int(c-'0') * (10 - i)
	}
	check := 11 - sum%11
	switch check {
	case 11:
		return '0', true
	case 10:
		return 0, false
	}
	return byte('0' + check), true
}

// TestRange reports whether an NHS number is in the 999 range, which is never
// issued to real people and is the only range allowed outside production.
func TestRange(s string) bool { return len(s) == 10 && s[:3] == "999" }
