//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

// busConfig is a session bus without service activation, so that no
// keyring daemon starts on demand.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// startPrivateBus starts a dbus-daemon of its own and returns a
// connection to it and its address.
func startPrivateBus(t *testing.T) (*dbus.Conn, string) {
	t.Helper()
	// A short folder keeps the socket path within the 108-byte limit.
	dir, err := os.MkdirTemp("", "bus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	config := filepath.Join(dir, "bus.conf")
	socket := filepath.Join(dir, "bus")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(busConfig, socket)), 0o600); err != nil {
		t.Fatal(err)
	}

	daemon := exec.Command("dbus-daemon", "--config-file="+config, "--nofork", "--print-address=1")
	stdout, err := daemon.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := daemon.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		daemon.Process.Kill()
		daemon.Wait()
	})
	address, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read the private bus address: %v", err)
	}
	address = strings.TrimSpace(address)

	conn, err := dbus.Connect(address)
	if err != nil {
		t.Fatalf("connect to the private bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, address
}

// hangingSecrets is a Secret Service whose methods never respond until
// the test ends, like a keyring daemon that hangs.
type hangingSecrets struct {
	release chan struct{}
	calls   chan struct{}
}

// hang blocks until the test ends. godbus runs each incoming call on its
// own goroutine.
func (h hangingSecrets) hang() *dbus.Error {
	select {
	case h.calls <- struct{}{}:
	default:
	}
	<-h.release
	return dbus.MakeFailedError(fmt.Errorf("test ended"))
}

// Unlock is the first call with which go-keyring reads a secret.
func (h hangingSecrets) Unlock(objects []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	return nil, "/", h.hang()
}

// OpenSession is the first call with which go-keyring stores a secret.
func (h hangingSecrets) OpenSession(algorithm string, input dbus.Variant) (dbus.Variant, dbus.ObjectPath, *dbus.Error) {
	return dbus.MakeVariant(""), "/", h.hang()
}

// writeProfileFile writes a profile file by hand, because 'profile add'
// would need the keyring that these tests break.
func writeProfileFile(t *testing.T, f *fixture, name string) {
	t.Helper()
	config := map[string]any{
		"active":   name,
		"profiles": []map[string]string{{"name": name, "clientId": clientID, "apiUrl": f.baseURL}},
	}
	data, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.configDir, "profiles.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTrayKeyringFaults(t *testing.T) {
	t.Run("hanging Secret Service", func(t *testing.T) {
		conn, address := startPrivateBus(t)
		s := newShellOn(t, conn)
		secrets := hangingSecrets{release: make(chan struct{}), calls: make(chan struct{}, 1)}
		t.Cleanup(func() { close(secrets.release) })
		if err := conn.Export(secrets, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service"); err != nil {
			t.Fatal(err)
		}
		if reply, err := conn.RequestName("org.freedesktop.secrets", dbus.NameFlagDoNotQueue); err != nil ||
			reply != dbus.RequestNameReplyPrimaryOwner {
			t.Fatalf("own org.freedesktop.secrets: reply %v, error %v", reply, err)
		}

		f := newFixture(t, emulator.Config{})
		logOutputOnFailure(t, f)
		f.env = []string{"DBUS_SESSION_BUS_ADDRESS=" + address}
		writeProfileFile(t, f, "e2e")

		item, tray := f.startTray(s)
		select {
		case <-secrets.calls:
		case <-time.After(startTimeout):
			t.Fatalf("the tray did not call the Secret Service")
		}
		start := time.Now()
		item.waitForStatus(10*time.Second, equals("Waiting for the keyring… (unlock it if asked)"), "keyring wait status")
		t.Logf("keyring wait shown %v after the keyring call", time.Since(start).Round(100*time.Millisecond))
		if tip := item.tooltip(); !strings.Contains(tip, "Waiting for the keyring") {
			t.Errorf("tooltip = %q, want the keyring wait", tip)
		}

		// The event loop still runs: the menu responds and Quit ends the
		// tray while the keyring call hangs.
		if e := item.entry("Quit"); !e.Enabled {
			t.Errorf("Quit is disabled while the keyring hangs")
		}
		item.click("Quit")
		if err := waitExit(tray, 15*time.Second); err != nil {
			t.Errorf("tray after Quit while the keyring hangs: %v", err)
		}
		if got := f.emu.Stats().TokenRequests; got != 0 {
			t.Errorf("token requests without a secret = %d, want 0", got)
		}
	})

	t.Run("no Secret Service", func(t *testing.T) {
		conn, address := startPrivateBus(t)
		s := newShellOn(t, conn)
		f := newFixture(t, emulator.Config{})
		logOutputOnFailure(t, f)
		f.env = []string{"DBUS_SESSION_BUS_ADDRESS=" + address}
		writeProfileFile(t, f, "e2e")

		item, _ := f.startTray(s)
		item.waitForStatus(10*time.Second, equals("No keyring service"), "status without a Secret Service")
		if e := item.entry("Refresh token now"); !e.Enabled {
			t.Errorf("Refresh is disabled, want it on to read the keyring again")
		}
		if !strings.Contains(f.trayLog(), "org.freedesktop.secrets") {
			t.Errorf("tray log does not name the missing Secret Service")
		}
	})
}
