package autostart

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// runKey is the per-user key whose values Windows starts at login.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

func location() string {
	return `HKEY_CURRENT_USER\` + runKey
}

func enable(entry Entry) error {
	key, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("enable start at login: open %s: %w", location(), err)
	}
	defer key.Close()
	if err := key.SetStringValue(Name, commandLine(entry)); err != nil {
		return fmt.Errorf("enable start at login: %w", err)
	}
	return nil
}

func disable() error {
	key, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("disable start at login: open %s: %w", location(), err)
	}
	defer key.Close()
	if err := key.DeleteValue(Name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("disable start at login: %w", err)
	}
	return nil
}

func enabled() (bool, error) {
	key, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check start at login: %w", err)
	}
	defer key.Close()
	_, _, err = key.GetStringValue(Name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, registry.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("check start at login: %w", err)
}

// commandLine quotes every argument that contains a space or a quote, as
// the Run key's value is a command line parsed by CommandLineToArgvW.
func commandLine(entry Entry) string {
	parts := []string{}
	for _, a := range append([]string{entry.Executable}, entry.Args...) {
		if a != "" && !strings.ContainsAny(a, " \t\"") {
			parts = append(parts, a)
			continue
		}
		parts = append(parts, `"`+strings.ReplaceAll(a, `"`, `\"`)+`"`)
	}
	return strings.Join(parts, " ")
}
