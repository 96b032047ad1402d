package auth

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrConfigMovedAside marks a profile file that could not be parsed and was
// renamed so that its content is kept. *ConfigAside matches it.
var ErrConfigMovedAside = errors.New("profile file moved aside")

// asideInfix separates the profile file's name from the time in the name
// of a copy moved aside: profiles.json.broken-20261204T174500Z.
const asideInfix = ".broken-"

// asideTimeLayout is the UTC time in the name of a file moved aside.
const asideTimeLayout = "20060102T150405Z"

// ConfigAside reports a profile file that could not be parsed. Load renames
// such a file instead of replacing it, so that a hand edit with a typo
// loses nothing and the next save starts a new file.
type ConfigAside struct {
	// Path is the profile file's path, which no longer exists.
	Path string
	// Aside is the path the file was renamed to.
	Aside string
	// Reason is the parse error. It is empty when the file was moved aside
	// by an earlier Load, possibly in another process.
	Reason string
}

// Error names both paths and the fix.
func (a *ConfigAside) Error() string {
	reason := ""
	if a.Reason != "" {
		reason = " (" + a.Reason + ")"
	}
	return fmt.Sprintf("profile file %s could not be parsed%s and was renamed to %s, so no profiles are loaded; "+
		"fix that file and rename it back, or add the profiles again", a.Path, reason, a.Aside)
}

// Is lets errors.Is match a ConfigAside against ErrConfigMovedAside and
// ErrConfigUnreadable.
func (a *ConfigAside) Is(target error) bool {
	return target == ErrConfigMovedAside || target == ErrConfigUnreadable
}

// moveAside renames the profile file, whose content data failed to parse
// with parseErr, to a free name next to it. It reports retry when another
// process moved or replaced the file in the meantime.
func (s ConfigStore) moveAside(data []byte, parseErr error) (c Config, retry bool, err error) {
	aside, ok := s.freeAsideName(time.Now())
	if !ok {
		return Config{}, false, fmt.Errorf("%w: %s is not valid JSON (%v), and %s and 98 similar names are taken; "+
			"fix the file, or remove old copies and load it again", ErrConfigUnreadable, s.Path, parseErr, aside)
	}
	if err := os.Rename(s.Path, aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Config{}, true, nil
		}
		return Config{}, false, fmt.Errorf("%w: %s is not valid JSON (%v), and renaming it to %s failed: %w; "+
			"fix the file, or move it away and add the profiles again", ErrConfigUnreadable, s.Path, parseErr, aside, err)
	}

	// A save by another process between the read and the rename would have
	// been moved aside instead of the broken file. Put such a file back
	// unless an even newer one has taken its place.
	moved, err := os.ReadFile(aside)
	if err == nil && !bytes.Equal(moved, data) {
		if os.Link(aside, s.Path) == nil {
			_ = os.Remove(aside) // the same content now exists under s.Path
		}
		return Config{}, true, nil
	}

	return Config{MovedAside: &ConfigAside{Path: s.Path, Aside: aside, Reason: parseErr.Error()}}, false, nil
}

// freeAsideName returns a name for moving the profile file aside at now
// that no file has yet, and false with the first name when all are taken.
func (s ConfigStore) freeAsideName(now time.Time) (string, bool) {
	base := s.Path + asideInfix + now.UTC().Format(asideTimeLayout)
	name := base
	for n := 2; n <= 100; n++ {
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return name, true
		}
		name = base + "-" + strconv.Itoa(n)
	}
	return base, false
}

// findAside returns the report of the newest file that an earlier Load
// moved aside, or nil when there is none.
func (s ConfigStore) findAside() *ConfigAside {
	dir := filepath.Dir(s.Path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	prefix := filepath.Base(s.Path) + asideInfix
	newest := ""
	for _, entry := range entries {
		name := entry.Name()
		// Names hold the time in a fixed-width layout, so the newest
		// sorts last.
		if strings.HasPrefix(name, prefix) && entry.Type().IsRegular() && name > newest {
			newest = name
		}
	}
	if newest == "" {
		return nil
	}
	return &ConfigAside{Path: s.Path, Aside: filepath.Join(dir, newest)}
}
