package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// memorySecrets is a SecretStore in memory that can be made to fail.
type memorySecrets struct {
	secrets map[string]string
	failSet error
}

func (m *memorySecrets) Get(profile string) (string, error) {
	s, ok := m.secrets[profile]
	if !ok {
		return "", ErrSecretNotFound
	}
	return s, nil
}

func (m *memorySecrets) Set(profile, secret string) error {
	if m.failSet != nil {
		return m.failSet
	}
	m.secrets[profile] = secret
	return nil
}

func (m *memorySecrets) Delete(profile string) error {
	delete(m.secrets, profile)
	return nil
}

// checkFetcher accepts one secret and rejects every other.
type checkFetcher struct{ accept string }

func (f checkFetcher) FetchToken(_ context.Context, creds Credentials) (Token, error) {
	if creds.ClientSecret != f.accept {
		return Token{}, &StatusError{StatusCode: 401}
	}
	return Token{AccessToken: "eyOK"}, nil
}

func newSaver(t *testing.T, accept string) (ProfileSaver, *memorySecrets) {
	t.Helper()
	secrets := &memorySecrets{secrets: map[string]string{}}
	return ProfileSaver{
		Store:   ConfigStore{Path: filepath.Join(t.TempDir(), "profiles.json")},
		Secrets: secrets,
		Fetcher: func(Profile) Fetcher { return checkFetcher{accept: accept} },
	}, secrets
}

func TestSaverRejectedSecretKeepsWorkingProfile(t *testing.T) {
	saver, secrets := newSaver(t, "good")
	p := Profile{Name: "prod", ClientID: "client"}
	if err := saver.Save(context.Background(), p, "good", true); err != nil {
		t.Fatalf("Save with the accepted secret: %v", err)
	}

	changed := Profile{Name: "prod", ClientID: "client", Legacy: true}
	err := saver.Save(context.Background(), changed, "typo", true)
	if !errors.Is(err, ErrCredentialsRejected) {
		t.Fatalf("Save with a rejected secret error = %v, want ErrCredentialsRejected", err)
	}
	if got := secrets.secrets["prod"]; got != "good" {
		t.Errorf("keyring secret after a rejected save changed, want the working one kept")
	}
	config, _ := saver.Store.Load()
	if got, _ := config.Find("prod"); got.Legacy {
		t.Errorf("profile after a rejected save = %+v, want it unchanged", got)
	}
}

func TestSaverEmptySecretKeepsStoredOne(t *testing.T) {
	saver, secrets := newSaver(t, "good")
	if err := saver.Save(context.Background(), Profile{Name: "p", ClientID: "client"}, "good", true); err != nil {
		t.Fatal(err)
	}
	if err := saver.Save(context.Background(), Profile{Name: "p", ClientID: "client", Legacy: true}, "", true); err != nil {
		t.Fatalf("Save with an empty secret for an existing profile: %v", err)
	}
	if secrets.secrets["p"] != "good" {
		t.Errorf("stored secret changed on a save without a new secret")
	}

	err := saver.Save(context.Background(), Profile{Name: "new", ClientID: "client"}, "", false)
	if !errors.Is(err, ErrInvalidInput) {
		t.Errorf("Save of a new profile without a secret error = %v, want ErrInvalidInput", err)
	}
}

func TestSaverRestoresSecretWhenFileWriteFails(t *testing.T) {
	saver, secrets := newSaver(t, "new")
	secrets.secrets["p"] = "old"
	if err := os.Mkdir(saver.Store.Path, 0o700); err != nil { // a folder where the file should be
		t.Fatal(err)
	}

	err := saver.Save(context.Background(), Profile{Name: "p", ClientID: "client"}, "new", true)
	if err == nil {
		t.Fatal("Save succeeded although the profile file cannot be written")
	}
	if got := secrets.secrets["p"]; got != "old" {
		t.Errorf("keyring secret after a failed save was not restored")
	}
}

func TestSaverKeyringFailureChangesNothing(t *testing.T) {
	saver, secrets := newSaver(t, "good")
	secrets.failSet = ErrKeyringLocked

	err := saver.Save(context.Background(), Profile{Name: "p", ClientID: "client"}, "good", true)
	if !errors.Is(err, ErrKeyringLocked) {
		t.Fatalf("Save with a locked keyring error = %v, want ErrKeyringLocked", err)
	}
	if _, statErr := os.Stat(saver.Store.Path); !errors.Is(statErr, os.ErrNotExist) {
		t.Errorf("profile file written although the secret could not be stored")
	}
}

func TestSaverRemoveAndUse(t *testing.T) {
	saver, secrets := newSaver(t, "s")
	for _, name := range []string{"a", "b"} {
		if err := saver.Save(context.Background(), Profile{Name: name, ClientID: "client"}, "s", false); err != nil {
			t.Fatal(err)
		}
	}
	if err := saver.Use("b"); err != nil {
		t.Fatalf("Use: %v", err)
	}
	if err := saver.Use("missing"); !errors.Is(err, ErrProfileNotFound) {
		t.Errorf("Use of a missing profile error = %v, want ErrProfileNotFound", err)
	}
	if err := saver.Remove("b"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, ok := secrets.secrets["b"]; ok {
		t.Errorf("secret of a removed profile is still in the keyring")
	}
	config, _ := saver.Store.Load()
	if config.Active != "a" || len(config.Profiles) != 1 {
		t.Errorf("config after removing the active profile = %+v, want only a, active", config)
	}
}
