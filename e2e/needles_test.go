//go:build e2e

package e2e

import "testing"

// TestNeedlesFindLeak checks the scanner of TestRunLeavesNoSecretBehind,
// so that a scan that finds nothing means something.
func TestNeedlesFindLeak(t *testing.T) {
	found := needles{}
	found.add("access token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg")

	tests := []struct {
		name string
		data string
		want bool
	}{
		{"whole token", "token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg end", true},
		{"token tail", "…2lnbmF0dXJlLW9mLXRoZS10b2tlbg", true},
		{"clean", "level=INFO msg=\"token received\" profile=e2e", false},
	}
	for _, tt := range tests {
		if got := len(found.find([]byte(tt.data))) > 0; got != tt.want {
			t.Errorf("scan of %s found a leak: %v, want %v", tt.name, got, tt.want)
		}
	}
}
