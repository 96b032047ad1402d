package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/athos-tray/athos-tray/internal/atomicfile"
)

// ConfigDirEnv names the environment variable that overrides the folder of
// the profile file.
const ConfigDirEnv = "ATHOS_TRAY_CONFIG_DIR"

// configFileName is the name of the profile file inside the config folder.
const configFileName = "profiles.json"

// maxProfileNameLength bounds profile names so that they fit a menu line.
const maxProfileNameLength = 64

// ErrProfileNotFound is returned for a profile name that is not configured.
var ErrProfileNotFound = errors.New("profile not found")

// ErrConfigUnreadable marks a profile file that exists but cannot be read
// or is not valid JSON.
var ErrConfigUnreadable = errors.New("profile file unreadable")

// ErrInvalidProfile marks a stored profile whose settings are invalid, for
// example after a hand edit of the profile file.
var ErrInvalidProfile = errors.New("invalid profile")

// Profile is the metadata of one set of Athos credentials. The client secret
// is not part of it: it lives in the keyring under the profile's name.
type Profile struct {
	Name     string `json:"name"`
	ClientID string `json:"clientId"`
	// APIURL is the API base URL. Empty means DefaultAPIURL.
	APIURL string `json:"apiUrl,omitempty"`
	// Legacy selects legacy Basic authentication instead of a token.
	Legacy bool `json:"legacy,omitempty"`
}

// BaseURL returns the profile's API base URL, or DefaultAPIURL when unset.
func (p Profile) BaseURL() string {
	if p.APIURL == "" {
		return DefaultAPIURL
	}
	return p.APIURL
}

// Config is the content of the profile file.
type Config struct {
	// Active is the name of the profile the tray and the command line use.
	Active   string    `json:"active,omitempty"`
	Profiles []Profile `json:"profiles"`
	// MovedAside is set by ConfigStore.Load while the profile file is
	// missing because Load renamed it after a parse failure. Its Error
	// method names both paths and the fix, for the tray and the command
	// line to show next to "no profiles". It is never saved.
	MovedAside *ConfigAside `json:"-"`
}

// Find returns the profile with the given name.
func (c Config) Find(name string) (Profile, bool) {
	i := c.index(name)
	if i < 0 {
		return Profile{}, false
	}
	return c.Profiles[i], true
}

// ActiveProfile returns the active profile, or the only profile when none
// is marked active.
func (c Config) ActiveProfile() (Profile, bool) {
	if p, ok := c.Find(c.Active); ok {
		return p, true
	}
	if len(c.Profiles) == 1 {
		return c.Profiles[0], true
	}
	return Profile{}, false
}

// Put adds p, or replaces the profile of the same name, keeping the list
// sorted by name. The first profile added becomes the active one.
func (c *Config) Put(p Profile) {
	if i := c.index(p.Name); i >= 0 {
		c.Profiles[i] = p
		return
	}
	c.Profiles = append(c.Profiles, p)
	slices.SortFunc(c.Profiles, func(a, b Profile) int { return strings.Compare(a.Name, b.Name) })
	if c.Active == "" {
		c.Active = p.Name
	}
}

// Remove deletes the named profile. When it was active, the first remaining
// profile becomes active.
func (c *Config) Remove(name string) error {
	i := c.index(name)
	if i < 0 {
		return fmt.Errorf("remove profile %q: %w", name, ErrProfileNotFound)
	}
	c.Profiles = slices.Delete(c.Profiles, i, i+1)
	if c.Active == name {
		c.Active = ""
		if len(c.Profiles) > 0 {
			c.Active = c.Profiles[0].Name
		}
	}
	return nil
}

func (c Config) index(name string) int {
	return slices.IndexFunc(c.Profiles, func(p Profile) bool { return p.Name == name })
}

// ValidateProfile checks a profile's name, client id and API URL.
func ValidateProfile(p Profile) error {
	if err := ValidateProfileName(p.Name); err != nil {
		return err
	}
	if err := ValidateClientID(p.ClientID); err != nil {
		return err
	}
	if p.APIURL != "" {
		if _, err := ValidateAPIURL(p.APIURL); err != nil {
			return err
		}
	}
	return nil
}

// ValidateProfileName checks that name is usable as a menu label and a
// keyring entry: 1 to 64 letters, digits, spaces, '.', '_' or '-', not
// starting with '-' so that it cannot be mistaken for an option.
func ValidateProfileName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: missing profile name; choose a short name such as \"production\"", ErrInvalidInput)
	case len(name) > maxProfileNameLength:
		return fmt.Errorf("%w: profile name %q is longer than %d bytes; choose a shorter name",
			ErrInvalidInput, name, maxProfileNameLength)
	case strings.HasPrefix(name, "-"):
		return fmt.Errorf("%w: profile name %q starts with '-'; choose a name that starts with a letter or digit",
			ErrInvalidInput, name)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("%w: profile name %q starts or ends with white space; remove it", ErrInvalidInput, name)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" ._-", r) {
			return fmt.Errorf("%w: profile name %q contains %q; use letters, digits, spaces, '.', '_' or '-'",
				ErrInvalidInput, name, r)
		}
	}
	return nil
}

// ConfigStore reads and writes the profile file.
type ConfigStore struct {
	// Path is the profile file's path.
	Path string
}

// DefaultConfigStore returns the store in $ATHOS_TRAY_CONFIG_DIR, or in the
// athos-tray folder of the user config directory (os.UserConfigDir).
func DefaultConfigStore() (ConfigStore, error) {
	dir := os.Getenv(ConfigDirEnv)
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return ConfigStore{}, fmt.Errorf("find the config folder: %w; set %s to a folder for the profile file",
				err, ConfigDirEnv)
		}
		dir = filepath.Join(base, "athos-tray")
	}
	return ConfigStore{Path: filepath.Join(dir, configFileName)}, nil
}

// Load reads the profile file. A missing file is an empty Config. Entries
// with invalid settings are kept, so that the others stay usable and the
// bad ones can be fixed or removed; CheckProfile reports them.
//
// A file that cannot be parsed is renamed aside (see ConfigAside) and Load
// returns an empty Config whose MovedAside reports it, with a nil error, so
// that the profile file can be written again. A file that cannot be read,
// for example for lack of permission, is left alone and Load returns an
// error wrapping ErrConfigUnreadable.
func (s ConfigStore) Load() (Config, error) {
	// Another process may move the file aside or replace it between the
	// read and the rename. Reading again settles that.
	for attempt := 0; ; attempt++ {
		c, retry, err := s.load()
		if !retry || attempt == 2 {
			return c, err
		}
	}
}

func (s ConfigStore) load() (c Config, retry bool, err error) {
	data, err := os.ReadFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{MovedAside: s.findAside()}, false, nil
	}
	if err != nil {
		return Config{}, false, fmt.Errorf("%w: %w", ErrConfigUnreadable, err)
	}

	if len(bytes.TrimSpace(data)) == 0 {
		return c, false, nil // an empty file, as left by some editors, holds no profiles
	}
	parseErr := json.Unmarshal(data, &c)
	if parseErr == nil {
		return c, false, nil
	}
	return s.moveAside(data, parseErr)
}

// CheckProfile validates a profile read from the file and names the entry
// and the fix when it is invalid.
func (s ConfigStore) CheckProfile(p Profile) error {
	if err := ValidateProfile(p); err != nil {
		return fmt.Errorf("%w %q in %s: %w; fix it with 'athos-tray profile add %s ...' or remove it with "+
			"'athos-tray profile remove %s'", ErrInvalidProfile, p.Name, s.Path, err, p.Name, p.Name)
	}
	return nil
}

// Save writes c atomically with mode 0600, so that a crash leaves either
// the old or the new content.
func (s ConfigStore) Save(c Config) error {
	if err := atomicfile.WriteJSON(s.Path, c); err != nil {
		return fmt.Errorf("save profiles: %w", err)
	}
	return nil
}

// Update loads the profile file, applies change and saves the result.
// Nothing is written when change returns an error.
func (s ConfigStore) Update(change func(*Config) error) (Config, error) {
	c, err := s.Load()
	if err != nil {
		return Config{}, err
	}
	if err := change(&c); err != nil {
		return Config{}, err
	}
	if err := s.Save(c); err != nil {
		return Config{}, err
	}
	return c, nil
}
