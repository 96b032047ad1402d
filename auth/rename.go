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
	secret, err := s.prepareCopy(from, to, "rename")
	if err != nil {
		return err
	}
	if err := s.Secrets.Set(to, secret); err != nil {
		return err
	}
	_, err = s.Store.Update(func(c *Config) error {
		p, ok := c.Find(from)
		if !ok {
			return fmt.Errorf("rename profile %q: %w", from, ErrProfileNotFound)
		}
		if _, taken := c.Find(to); taken {
			return fmt.Errorf("%w: rename profile %q: a profile named %q already exists; choose another name",
				ErrInvalidInput, from, to)
		}
		active := c.Active == from
		if err := c.Remove(from); err != nil {
			return err
		}
		p.Name = to
		c.Put(p)
		if active {
			c.Active = to
		}
		return nil
	})
	if err != nil {
		return s.restoreSecret(to, "", false, err)
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
	secret, err := s.prepareCopy(from, to, "duplicate")
	if err != nil {
		return err
	}
	if err := s.Secrets.Set(to, secret); err != nil {
		return err
	}
	_, err = s.Store.Update(func(c *Config) error {
		p, ok := c.Find(from)
		if !ok {
			return fmt.Errorf("duplicate profile %q: %w", from, ErrProfileNotFound)
		}
		if _, taken := c.Find(to); taken {
			return fmt.Errorf("%w: duplicate profile %q: a profile named %q already exists; choose another name",
				ErrInvalidInput, from, to)
		}
		p.Name = to
		c.Put(p)
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
