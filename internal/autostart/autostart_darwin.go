package autostart

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// label is the launch agent's Label, the app id in reverse-DNS form.
const label = "com.athostray.tokentray"

func plistPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the LaunchAgents folder: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", label+".plist"), nil
}

func location() string {
	path, err := plistPath()
	if err != nil {
		return "~/Library/LaunchAgents"
	}
	return path
}

func enable(entry Entry) error {
	path, err := plistPath()
	if err != nil {
		return err
	}
	return writeRegistration(path, launchAgent(entry))
}

func disable() error {
	path, err := plistPath()
	if err != nil {
		return err
	}
	return removeRegistration(path)
}

func enabled() (bool, error) {
	path, err := plistPath()
	if err != nil {
		return false, err
	}
	return registrationExists(path)
}

// launchAgent returns a property list that launchd reads at login
// (launchd.plist(5)): RunAtLoad starts the program once per login.
func launchAgent(entry Entry) string {
	var args strings.Builder
	for _, a := range append([]string{entry.Executable}, entry.Args...) {
		args.WriteString("\t\t<string>")
		xml.EscapeText(&args, []byte(a))
		args.WriteString("</string>\n")
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + label + `</string>
	<key>ProgramArguments</key>
	<array>
` + args.String() + `	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`
}
