package locale

import (
	"os"
	"testing"
)

func TestFix(t *testing.T) {
	tests := []struct {
		name                string
		lcAll, lcMsg, lang  string
		wantLang, wantLCAll string
	}{
		{"unset", "", "", "", fallback, ""},
		{"lang C", "", "", "C", fallback, ""},
		{"lang C.UTF-8", "", "", "C.UTF-8", fallback, ""},
		{"lc_all POSIX falls back to LANG", "POSIX", "", "de_DE.UTF-8", "de_DE.UTF-8", ""},
		{"german kept", "", "", "de_DE.UTF-8", "de_DE.UTF-8", ""},
		{"lc_all wins", "fr_FR.UTF-8", "", "C", "C", "fr_FR.UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("LC_ALL", tt.lcAll)
			t.Setenv("LC_MESSAGES", tt.lcMsg)
			t.Setenv("LANG", tt.lang)

			Fix()

			if got := os.Getenv("LANG"); got != tt.wantLang {
				t.Errorf("LANG = %q, want %q", got, tt.wantLang)
			}
			if got := os.Getenv("LC_ALL"); got != tt.wantLCAll {
				t.Errorf("LC_ALL = %q, want %q", got, tt.wantLCAll)
			}
		})
	}
}
