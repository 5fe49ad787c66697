package nhs

import "testing"

func TestValidNumber(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"Amara", "9990000018", true},
		{"Layla", "9990000026", true},
		{"Priya", "9990000034", true},
		{"George", "9990000042", true},
		{"Rhys", "9990000050", true},
		{"Tom", "9990000069", true},
		{"wrong check digit", "9990000019", false},
		{"too short", "999000001", false},
		{"too long", "99900000188", false},
		{"letters", "99900000a8", false},
		{"spaces", "999 000 0018", false},
		{"check digit would be 10", "9990000100", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidNumber(tt.in); got != tt.want {
				t.Errorf("ValidNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheckDigitAgreesWithValidNumber(t *testing.T) {
	for n := 999100000; n < 999100200; n++ {
		nine := itoa(n)
		d, ok := CheckDigit(nine)
		for c := byte('0'); c <= '9'; c++ {
			want := ok && c == d
			if got := ValidNumber(nine + string(c)); got != want {
				t.Fatalf("ValidNumber(%s%c) = %v, want %v", nine, c, got, want)
			}
		}
	}
}

func itoa(n int) string {
	b := make([]byte, 9)
	for i := 8; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}
