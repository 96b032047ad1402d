package auth

import (
	"context"
	"errors"
	"fmt"
)

// ProfileSaver adds, changes and removes profiles together with their
// secrets, so that the command line and the profile window behave alike.
type ProfileSaver struct {
	Store   ConfigStore
	Secrets SecretStore
	// Fetcher checks credentials before they are saved. Nil means a Client
	// for the profile's API URL.
	Fetcher func(p Profile) Fetcher
}

// Save validates p, checks the credentials with a token request unless
// verify is false, then stores the secret and the profile. An empty secret
// keeps the stored one, which must then exist. Nothing is changed when any
// step fails: a rejected secret never replaces a working one, and the old
// keyring entry is put back when the profile file cannot be written.
func (s ProfileSaver) Save(ctx context.Context, p Profile, secret string, verify bool) error {
	if p.APIURL != "" {
		u, err := ValidateAPIURL(p.APIURL)
		if err != nil {
			return err
		}
		p.APIURL = u.String()
	}
	if err := ValidateProfile(p); err != nil {
		return err
	}

	previous, previousErr := s.Secrets.Get(p.Name)
	if previousErr != nil && !errors.Is(previousErr, ErrSecretNotFound) {
		return previousErr
	}
	keepSecret := secret == ""
	if keepSecret {
		if previousErr != nil {
			return fmt.Errorf("%w: missing client secret for new profile %q; enter the secret issued with the client id",
				ErrInvalidInput, p.Name)
		}
		secret = previous
	}
	if err := ValidateSecret(secret); err != nil {
		return err
	}

	if verify {
		if _, err := s.fetcher(p).FetchToken(ctx, Credentials{ClientID: p.ClientID, ClientSecret: secret}); err != nil {
			return fmt.Errorf("check credentials of profile %q: %w; nothing was saved", p.Name, err)
		}
	}

	if !keepSecret {
		if err := s.Secrets.Set(p.Name, secret); err != nil {
			return err
		}
	}
	_, err := s.Store.Update(func(c *Config) error {
		c.Put(p)
		return nil
	})
	if err != nil && !keepSecret {
		return s.restoreSecret(p.Name, previous, previousErr == nil, err)
	}
	return err
}

// restoreSecret puts the keyring entry back as it was before a failed save.
func (s ProfileSaver) restoreSecret(name, previous string, existed bool, cause error) error {
	var err error
	if existed {
		err = s.Secrets.Set(name, previous)
	} else {
		err = s.Secrets.Delete(name)
	}
	if err != nil {
		return fmt.Errorf("%w (restoring the keyring entry also failed: %v)", cause, err)
	}
	return cause
}

// Remove deletes the profile's secret, then the profile. When the keyring
// entry cannot be deleted, the profile is kept so that removing it can be
// tried again.
func (s ProfileSaver) Remove(name string) error {
	config, err := s.Store.Load()
	if err != nil {
		return err
	}
	if _, ok := config.Find(name); !ok {
		return fmt.Errorf("remove profile %q: %w; run 'athos-tray profile list' for the names", name, ErrProfileNotFound)
	}
	if err := s.Secrets.Delete(name); err != nil {
		return fmt.Errorf("%w; the profile was kept", err)
	}
	_, err = s.Store.Update(func(c *Config) error { return c.Remove(name) })
	return err
}

// Use makes name the active profile.
func (s ProfileSaver) Use(name string) error {
	_, err := s.Store.Update(func(c *Config) error {
		if _, ok := c.Find(name); !ok {
			return fmt.Errorf("use profile %q: %w; run 'athos-tray profile list' for the names", name, ErrProfileNotFound)
		}
		c.Active = name
		return nil
	})
	return err
}

func (s ProfileSaver) fetcher(p Profile) Fetcher {
	if s.Fetcher != nil {
		return s.Fetcher(p)
	}
	return &Client{APIURL: p.BaseURL()}
}
