package auth

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name under which client secrets are
// stored, one entry per profile with the profile name as the user name.
const KeyringService = "athos-token-tray"

// DefaultKeyringTimeout bounds one keyring call. A locked keyring shows an
// unlock prompt, so the limit leaves a person time to type a password.
const DefaultKeyringTimeout = 2 * time.Minute

// Keyring errors that callers branch on with errors.Is.
var (
	// ErrSecretNotFound means the keyring has no secret for the profile.
	ErrSecretNotFound = errors.New("client secret not found in the keyring")
	// ErrKeyringUnavailable means no keyring service could be reached.
	ErrKeyringUnavailable = errors.New("keyring unavailable")
	// ErrKeyringLocked means the keyring stayed locked, or did not answer
	// in time, typically because an unlock prompt was dismissed or ignored.
	ErrKeyringLocked = errors.New("keyring locked")
)

// SecretStore keeps one client secret per profile.
type SecretStore interface {
	Get(profile string) (string, error)
	Set(profile, secret string) error
	Delete(profile string) error
}

// Keyring is the SecretStore backed by the operating system's keyring:
// the Secret Service on Linux, the Keychain on macOS and the Credential
// Manager on Windows.
type Keyring struct {
	// Timeout bounds each call. Zero means DefaultKeyringTimeout.
	Timeout time.Duration
}

// Get returns the client secret of profile.
func (k Keyring) Get(profile string) (string, error) {
	var secret string
	err := k.call(func() error {
		var err error
		secret, err = keyring.Get(KeyringService, profile)
		return err
	})
	if err != nil {
		return "", k.explain("read the client secret of profile", profile, err)
	}
	return secret, nil
}

// Set stores secret as the client secret of profile, replacing any old one.
func (k Keyring) Set(profile, secret string) error {
	err := k.call(func() error { return keyring.Set(KeyringService, profile, secret) })
	if err != nil {
		return k.explain("store the client secret of profile", profile, err)
	}
	return nil
}

// Delete removes the client secret of profile. A missing secret is not an
// error, so that a half-removed profile can still be removed.
func (k Keyring) Delete(profile string) error {
	err := k.call(func() error { return keyring.Delete(KeyringService, profile) })
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return k.explain("delete the client secret of profile", profile, err)
	}
	return nil
}

// call checks that a keyring can be reached, then runs f with the time
// limit.
func (k Keyring) call(f func() error) error {
	if err := checkSessionBus(); err != nil {
		return err
	}
	limit := k.Timeout
	if limit <= 0 {
		limit = DefaultKeyringTimeout
	}
	return callWithTimeout(limit, f)
}

// callWithTimeout runs f and gives up after limit. On timeout f keeps
// running in the background: go-keyring offers no way to cancel a call
// that waits on an unlock prompt.
func callWithTimeout(limit time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()

	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("%w: timed out after %v", ErrKeyringLocked, limit)
	}
}

// explain wraps a keyring error in one of this package's sentinels, with
// the fix a person can apply.
func (k Keyring) explain(action, profile string, err error) error {
	message := err.Error()
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("%s %q: %w; add it again with 'athos-tray profile add %s --client-id ID'",
			action, profile, ErrSecretNotFound, profile)
	case errors.Is(err, ErrKeyringUnavailable):
		return fmt.Errorf("%s %q: %w", action, profile, err)
	case errors.Is(err, ErrKeyringLocked):
		return fmt.Errorf("%s %q: %w; unlock the login keyring, for example in Passwords and Keys (seahorse), "+
			"then try again", action, profile, err)
	case strings.Contains(message, "unlock"),
		strings.Contains(message, "dismissed"):
		return fmt.Errorf("%s %q: %w (%v); unlock the login keyring, for example in Passwords and Keys (seahorse), "+
			"then try again", action, profile, ErrKeyringLocked, err)
	case runtime.GOOS == "linux" && isMissingSecretService(message):
		return fmt.Errorf("%s %q: %w: no Secret Service on the session bus (%v); install and start one, "+
			"for example 'sudo apt install gnome-keyring' and log in again, or enable KeePassXC's "+
			"Secret Service integration", action, profile, ErrKeyringUnavailable, err)
	}
	return fmt.Errorf("%s %q: %w: %w", action, profile, ErrKeyringUnavailable, err)
}

func isMissingSecretService(message string) bool {
	for _, hint := range []string{
		"org.freedesktop.secrets",
		"ServiceUnknown",
		"DBUS_SESSION_BUS_ADDRESS",
		"session bus",
		"connection refused",
		"no such file or directory",
	} {
		if strings.Contains(message, hint) {
			return true
		}
	}
	return false
}
