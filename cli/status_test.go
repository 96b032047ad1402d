package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

// startSkewedEmulator starts an emulator whose clock runs offset ahead of
// the local one.
func startSkewedEmulator(t *testing.T, offset time.Duration) string {
	t.Helper()
	emu := emulator.New(emulator.Config{ClientID: testClientID, ClientSecret: testSecret,
		Now: func() time.Time { return time.Now().Add(offset) }})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { emu.Close() })
	return url
}

func TestStatusReportsClockSkew(t *testing.T) {
	tests := []struct {
		name        string
		offset      time.Duration
		wantWarning string
		wantSeconds int64
	}{
		// expiresIn has whole seconds, so the skew is known to about a
		// second and the text may read 7m 1s.
		{"local clock behind", 7 * time.Minute, "Local clock is 7m ", -420},
		{"local clock ahead", -time.Hour, "Local clock is 1h 0m ahead of the server", 3600},
		{"within two minutes", 90 * time.Second, "", -90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.addProfile("work", startSkewedEmulator(t, tt.offset))

			text := h.run("", "status")
			if text.code != ExitOK {
				t.Fatalf("status: exit code %d, stderr %s", text.code, text.stderr)
			}
			hasLine := strings.Contains(text.stdout, "Clock:     ")
			switch {
			case tt.wantWarning == "" && hasLine:
				t.Errorf("status output %q has a clock line, want none within two minutes", text.stdout)
			case tt.wantWarning != "" && !strings.Contains(text.stdout, "Clock:     "+tt.wantWarning):
				t.Errorf("status output %q, want the line %q", text.stdout, "Clock:     "+tt.wantWarning)
			}

			r := h.run("", "status", "--json")
			if r.code != ExitOK {
				t.Fatalf("status --json: exit code %d, stderr %s", r.code, r.stderr)
			}
			var report struct {
				ClockSkewSeconds *int64
				ClockWarning     string
			}
			if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
				t.Fatalf("decode status --json: %v", err)
			}
			if report.ClockSkewSeconds == nil {
				t.Fatalf("status --json has no clockSkewSeconds")
			}
			// The request takes a moment, so allow a second either way.
			if got := *report.ClockSkewSeconds; got < tt.wantSeconds-1 || got > tt.wantSeconds+1 {
				t.Errorf("clockSkewSeconds = %d, want %d±1", got, tt.wantSeconds)
			}
			if !strings.HasPrefix(report.ClockWarning, tt.wantWarning) || (tt.wantWarning == "") != (report.ClockWarning == "") {
				t.Errorf("clockWarning = %q, want it to start with %q", report.ClockWarning, tt.wantWarning)
			}
		})
	}
}
