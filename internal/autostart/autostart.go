// Package autostart registers the tray to start when the user logs in.
// It uses each platform's own mechanism: an XDG autostart entry on Linux
// and other Unix desktops, a launch agent on macOS and the registry's Run
// key on Windows.
package autostart

// Name identifies the registration: the file name stem on Linux and
// macOS, and the value name under the Run key on Windows.
const Name = "athos-tray"

// Entry is one registration: the program to start and its arguments.
type Entry struct {
	// Executable is the absolute path of the program.
	Executable string
	// Args are passed to it, for example "tray".
	Args []string
}

// Enable registers entry to start at login, replacing an earlier
// registration.
func Enable(entry Entry) error {
	return enable(entry)
}

// Disable removes the registration. Removing a missing one is not an error.
func Disable() error {
	return disable()
}

// Enabled reports whether a registration exists.
func Enabled() (bool, error) {
	return enabled()
}

// Location names where the registration is kept, for messages.
func Location() string {
	return location()
}
