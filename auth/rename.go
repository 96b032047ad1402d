package auth

import (
	"errors"
	"fmt"
)

// Rename gives profile from the name to, moving its keyring entry. It
// copies the secret to the new entry first, then rewrites the profile file,
// and only then deletes the old entry, so that a failure at any step leaves
// a profile whose secret is in the keyring.
func (s ProfileSaver) Rename(from, to string) error {
	if from == to {
		return nil
	}
	if err := s.copyProfile(from, to, "rename", true); err != nil {
		return err
	}
	if err := s.Secrets.Delete(from); err != nil {
		return fmt.Errorf("renamed profile %q to %q, but the old keyring entry could not be deleted: %w",
			from, to, err)
	}
	return nil
}

// Duplicate adds profile to with the settings and the secret of profile
// from. The profile file is written only after the secret is stored, and
// the new keyring entry is deleted again when the file cannot be written.
func (s ProfileSaver) Duplicate(from, to string) error {
	return s.copyProfile(from, to, "duplicate", false)
}

// copyProfile stores the secret of from under to, then adds profile to to
// the profile file, replacing from when move is set. When the file cannot
// be written, the new keyring entry is deleted again.
func (s ProfileSaver) copyProfile(from, to, action string, move bool) error {
	secret, err := s.prepareCopy(from, to, action)
	if err != nil {
		return err
	}
	if err := s.Secrets.Set(to, secret); err != nil {
		return err
	}
	_, err = s.Store.Update(func(c *Config) error {
		p, ok := c.Find(from)
		if !ok {
			return fmt.Errorf("%s profile %q: %w", action, from, ErrProfileNotFound)
		}
		if _, taken := c.Find(to); taken {
			return fmt.Errorf("%w: %s profile %q: a profile named %q already exists; choose another name",
				ErrInvalidInput, action, from, to)
		}
		wasActive := c.Active == from
		if move {
			if err := c.Remove(from); err != nil {
				return err
			}
		}
		p.Name = to
		c.Put(p)
		if move && wasActive {
			c.Active = to
		}
		return nil
	})
	if err != nil {
		return s.restoreSecret(to, "", false, err)
	}
	return nil
}

// prepareCopy checks that from exists and to is a free, valid name, and
// returns the secret of from.
func (s ProfileSaver) prepareCopy(from, to, action string) (string, error) {
	if err := ValidateProfileName(to); err != nil {
		return "", err
	}
	config, err := s.Store.Load()
	if err != nil {
		return "", err
	}
	if _, ok := config.Find(from); !ok {
		return "", fmt.Errorf("%s profile %q: %w", action, from, ErrProfileNotFound)
	}
	if _, taken := config.Find(to); taken {
		return "", fmt.Errorf("%w: %s profile %q: a profile named %q already exists; choose another name",
			ErrInvalidInput, action, from, to)
	}
	secret, err := s.Secrets.Get(from)
	if err != nil {
		if errors.Is(err, ErrSecretNotFound) {
			return "", fmt.Errorf("%s profile %q: %w; edit the profile and enter its secret first", action, from, err)
		}
		return "", err
	}
	return secret, nil
}
