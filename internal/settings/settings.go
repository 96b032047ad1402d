// Package settings reads and writes the tray's preferences, kept in
// settings.json next to the profile file.
package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/athos-tray/athos-tray/internal/atomicfile"
)

// FileName is the name of the settings file inside the config folder.
const FileName = "settings.json"

// CopyFormat selects what Copy Bearer header puts on the clipboard.
type CopyFormat string

// Copy formats, as stored in the settings file.
const (
	// CopyHeaderLine copies "Authorization: Bearer <token>".
	CopyHeaderLine CopyFormat = "header"
	// CopyHeaderValue copies "Bearer <token>".
	CopyHeaderValue CopyFormat = "value"
	// CopyToken copies the access token alone.
	CopyToken CopyFormat = "token"
)

// CopyFormats lists the copy formats in the order a menu shows them.
var CopyFormats = []CopyFormat{CopyHeaderLine, CopyHeaderValue, CopyToken}

// Format returns what a copy in format f puts on the clipboard for token.
func (f CopyFormat) Format(token string) string {
	switch f {
	case CopyHeaderValue:
		return "Bearer " + token
	case CopyToken:
		return token
	}
	return "Authorization: Bearer " + token
}

// ClearDelays lists the delays after which the clipboard may be cleared.
// Zero means never.
var ClearDelays = []time.Duration{0, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute}

// Settings are the tray's preferences. The zero value is not the default:
// use Default.
type Settings struct {
	// CopyFormat is the format of the text Copy Bearer header copies.
	CopyFormat CopyFormat `json:"copyFormat"`
	// ClearClipboardSeconds is how long after a copy the clipboard is
	// cleared, if it still contains what was copied. Zero means never.
	ClearClipboardSeconds int `json:"clearClipboardSeconds"`
	// Notifications turns desktop notifications on refresh failure and
	// expiry on or off.
	Notifications bool `json:"notifications"`
	// StartAtLogin records whether the tray is registered to start when
	// the user logs in. The registration itself is package autostart's.
	StartAtLogin bool `json:"startAtLogin"`
	// CredentialsPrompted records that the tray has opened the credentials
	// window by itself once, on the first run without a profile.
	CredentialsPrompted bool `json:"credentialsPrompted,omitempty"`
}

// Default returns the settings used before anything is saved.
func Default() Settings {
	return Settings{CopyFormat: CopyHeaderLine, Notifications: true}
}

// ClearAfter returns the clipboard clearing delay, zero for never.
func (s Settings) ClearAfter() time.Duration {
	return time.Duration(s.ClearClipboardSeconds) * time.Second
}

// Validate checks that the copy format and the clearing delay are values
// the settings window offers.
func (s Settings) Validate() error {
	if !slices.Contains(CopyFormats, s.CopyFormat) {
		return fmt.Errorf("invalid copyFormat %q; use %q, %q or %q",
			s.CopyFormat, CopyHeaderLine, CopyHeaderValue, CopyToken)
	}
	if !slices.Contains(ClearDelays, s.ClearAfter()) {
		return fmt.Errorf("invalid clearClipboardSeconds %d; use 0 (never), 30, 60, 120 or 300",
			s.ClearClipboardSeconds)
	}
	return nil
}

// Store reads and writes one settings file.
type Store struct {
	Path string
}

// StoreBeside returns the store of the settings file in the folder of
// the profile file at profilesPath.
func StoreBeside(profilesPath string) Store {
	return Store{Path: filepath.Join(filepath.Dir(profilesPath), FileName)}
}

// Load reads the settings file. A missing or empty file gives Default,
// and fields missing from the file keep their default values. An invalid
// file returns Default together with an error that names the file.
func (s Store) Load() (Settings, error) {
	settings := Default()
	data, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return settings, nil
	}
	if err != nil {
		return settings, fmt.Errorf("read settings: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return settings, nil
	}
	if err := json.Unmarshal(data, &settings); err != nil {
		return Default(), fmt.Errorf("read settings: %s is not valid JSON (%v); fix it or delete it to "+
			"return to the defaults", s.Path, err)
	}
	if err := settings.Validate(); err != nil {
		return Default(), fmt.Errorf("read settings from %s: %w", s.Path, err)
	}
	return settings, nil
}

// Save validates settings and writes them atomically with mode 0600, so
// that a reader sees either the old or the new file.
func (s Store) Save(settings Settings) error {
	if err := settings.Validate(); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	if err := atomicfile.WriteJSON(s.Path, settings); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// Update loads the settings, applies change and saves the result. An
// invalid file is replaced by the defaults with the change applied.
func (s Store) Update(change func(*Settings)) (Settings, error) {
	settings, _ := s.Load()
	change(&settings)
	return settings, s.Save(settings)
}
