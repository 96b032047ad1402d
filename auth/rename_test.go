package auth

import (
	"context"
	"errors"
	"os"
	"testing"
)

func saveTestProfile(t *testing.T, saver ProfileSaver, name, secret string) {
	t.Helper()
	if err := saver.Save(context.Background(), Profile{Name: name, ClientID: "client"}, secret, false); err != nil {
		t.Fatal(err)
	}
}

func TestRenameMovesSecretAndActive(t *testing.T) {
	saver, secrets := newSaver(t, "")
	saveTestProfile(t, saver, "old", "s1")
	saveTestProfile(t, saver, "other", "s2")

	if err := saver.Rename("old", "new"); err != nil {
		t.Fatal(err)
	}
	config, err := saver.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := config.Find("old"); ok {
		t.Errorf("old name still in the profile file")
	}
	if p, ok := config.Find("new"); !ok || p.ClientID != "client" {
		t.Errorf("renamed profile = %+v, %v; want client id client", p, ok)
	}
	if config.Active != "new" {
		t.Errorf("active profile = %q, want the new name", config.Active)
	}
	if secrets.secrets["new"] != "s1" {
		t.Errorf("secret not moved to the new keyring entry")
	}
	if _, ok := secrets.secrets["old"]; ok {
		t.Errorf("old keyring entry kept after the rename")
	}
}

func TestRenameRejectsTakenOrInvalidName(t *testing.T) {
	saver, secrets := newSaver(t, "")
	saveTestProfile(t, saver, "a", "s1")
	saveTestProfile(t, saver, "b", "s2")

	for _, to := range []string{"b", "", "-x", "bad/name"} {
		if err := saver.Rename("a", to); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("Rename(a, %q) = %v, want ErrInvalidInput", to, err)
		}
	}
	if err := saver.Rename("missing", "c"); !errors.Is(err, ErrProfileNotFound) {
		t.Errorf("Rename of a missing profile = %v, want ErrProfileNotFound", err)
	}
	if secrets.secrets["a"] != "s1" || secrets.secrets["b"] != "s2" || len(secrets.secrets) != 2 {
		t.Errorf("keyring changed by rejected renames: %d entries", len(secrets.secrets))
	}
}

// breakFileOnSet turns the profile file into a folder once a secret is
// stored, so that the profile-file step after the keyring step fails.
type breakFileOnSet struct {
	*memorySecrets
	path string
}

func (b breakFileOnSet) Set(profile, secret string) error {
	if err := b.memorySecrets.Set(profile, secret); err != nil {
		return err
	}
	if err := os.Remove(b.path); err != nil {
		return err
	}
	return os.Mkdir(b.path, 0o700)
}

func TestRenameKeepsSecretWhenFileWriteFails(t *testing.T) {
	for _, action := range []string{"rename", "duplicate"} {
		t.Run(action, func(t *testing.T) {
			saver, secrets := newSaver(t, "")
			saveTestProfile(t, saver, "a", "s1")
			saver.Secrets = breakFileOnSet{memorySecrets: secrets, path: saver.Store.Path}

			var err error
			if action == "rename" {
				err = saver.Rename("a", "b")
			} else {
				err = saver.Duplicate("a", "b")
			}
			if !errors.Is(err, ErrConfigUnreadable) {
				t.Fatalf("%s with a broken profile file = %v, want ErrConfigUnreadable", action, err)
			}
			if secrets.secrets["a"] != "s1" {
				t.Errorf("old secret lost after a failed %s", action)
			}
			if _, ok := secrets.secrets["b"]; ok {
				t.Errorf("new keyring entry left behind after a failed %s", action)
			}
		})
	}
}

func TestRenameKeepsSecretWhenKeyringFails(t *testing.T) {
	saver, secrets := newSaver(t, "")
	saveTestProfile(t, saver, "a", "s1")
	secrets.failSet = ErrKeyringLocked

	if err := saver.Rename("a", "b"); !errors.Is(err, ErrKeyringLocked) {
		t.Fatalf("Rename with a locked keyring = %v, want ErrKeyringLocked", err)
	}
	config, _ := saver.Store.Load()
	if _, ok := config.Find("a"); !ok {
		t.Errorf("profile a gone after a failed rename")
	}
	if secrets.secrets["a"] != "s1" {
		t.Errorf("secret of a lost after a failed rename")
	}
}

func TestDuplicateCopiesSecret(t *testing.T) {
	saver, secrets := newSaver(t, "")
	saveTestProfile(t, saver, "a", "s1")

	if err := saver.Duplicate("a", "a copy"); err != nil {
		t.Fatal(err)
	}
	config, _ := saver.Store.Load()
	if _, ok := config.Find("a copy"); !ok {
		t.Errorf("duplicate missing from the profile file")
	}
	if config.Active != "a" {
		t.Errorf("active profile = %q after duplicating, want a", config.Active)
	}
	if secrets.secrets["a copy"] != "s1" || secrets.secrets["a"] != "s1" {
		t.Errorf("secrets not copied to the duplicate")
	}
	if err := saver.Duplicate("a", "a copy"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("Duplicate onto an existing name = %v, want ErrInvalidInput", err)
	}
}

func TestDuplicateWithoutSecretFails(t *testing.T) {
	saver, secrets := newSaver(t, "")
	saveTestProfile(t, saver, "a", "s1")
	delete(secrets.secrets, "a")

	if err := saver.Duplicate("a", "b"); !errors.Is(err, ErrSecretNotFound) {
		t.Errorf("Duplicate without a stored secret = %v, want ErrSecretNotFound", err)
	}
	config, _ := saver.Store.Load()
	if _, ok := config.Find("b"); ok {
		t.Errorf("duplicate written without a secret")
	}
}
