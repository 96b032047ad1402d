package auth

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

func TestKeyringExplain(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		want    error
		linux   bool
		wantFix string
	}{
		{"not found", keyring.ErrNotFound, ErrSecretNotFound, false, "profile add"},
		{"prompt dismissed", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ErrKeyringLocked, false, "unlock"},
		{"no secret service", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), ErrKeyringUnavailable, true, "gnome-keyring"},
		{"no session bus", errors.New("dbus: DBUS_SESSION_BUS_ADDRESS not set"), ErrKeyringUnavailable, true, "gnome-keyring"},
		{"other", errors.New("something odd"), ErrKeyringUnavailable, false, "something odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.linux && runtime.GOOS != "linux" {
				t.Skip("Secret Service messages apply to Linux only")
			}
			err := Keyring{}.explain("read the client secret of profile", "p", tt.err)
			if !errors.Is(err, tt.want) {
				t.Errorf("explain(%v) = %v, want it to wrap %v", tt.err, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantFix) {
				t.Errorf("explain(%v) = %q, want it to mention %q", tt.err, err, tt.wantFix)
			}
			if !strings.Contains(err.Error(), `"p"`) {
				t.Errorf("explain(%v) = %q, want it to name the profile", tt.err, err)
			}
		})
	}
}

func TestKeyringCallTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)

	err := callWithTimeout(time.Millisecond, func() error {
		<-release
		return nil
	})
	if !errors.Is(err, ErrKeyringLocked) {
		t.Errorf("call that does not return = %v, want ErrKeyringLocked", err)
	}
}
