package auth

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The seed corpora are in testdata/fuzz/FuzzParseTokenResponse and
// testdata/fuzz/FuzzLoadConfig. 'make fuzz' runs each target briefly.

// minLeakCheck is the shortest accessToken value that the fuzz test looks
// for in error messages.
const minLeakCheck = 20

func FuzzParseTokenResponse(f *testing.F) {
	f.Add([]byte(goodBody))
	receivedAt := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	f.Fuzz(func(t *testing.T, body []byte) {
		token, err := parseTokenResponse(body, receivedAt)
		if err != nil {
			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("error does not wrap ErrMalformedResponse: %v", err)
			}
			// A short value can match words of the error's own text, as
			// "esIn" matches "expiresIn", so only values as long as the
			// shortest tokens count.
			if value := accessTokenIn(body); len(value) >= minLeakCheck && strings.Contains(err.Error(), value) {
				t.Fatalf("error shows the accessToken value (%d bytes)", len(value))
			}
			if token != (Token{}) {
				t.Fatalf("token is not zero together with an error")
			}
			return
		}

		if token.AccessToken == "" || strings.ContainsFunc(token.AccessToken, func(r rune) bool { return r <= ' ' || r > '~' }) {
			t.Fatalf("accepted an accessToken of %d bytes that is empty or not visible ASCII", len(token.AccessToken))
		}
		if token.ExpiresIn <= 0 || token.ExpiresIn > maxExpiresIn || token.ExpiresIn%time.Second != 0 {
			t.Fatalf("accepted expiresIn %v, want whole seconds from 1s to 7 days", token.ExpiresIn)
		}
		if !token.ReceivedAt.Equal(receivedAt) {
			t.Fatalf("ReceivedAt: got %v, want %v", token.ReceivedAt, receivedAt)
		}

		// The canonical form of an accepted token parses to the same token.
		canonical, err := json.Marshal(map[string]any{
			"accessToken": token.AccessToken,
			"expiresIn":   int64(token.ExpiresIn / time.Second),
			"scope":       token.Scope,
		})
		if err != nil {
			t.Fatal(err)
		}
		again, err := parseTokenResponse(canonical, receivedAt)
		if err != nil {
			t.Fatalf("canonical form of an accepted token rejected: %v", err)
		}
		token.ServerExpiresAt = time.Time{}
		if again != token {
			t.Fatalf("canonical form parsed to another token")
		}
	})
}

// accessTokenIn returns the accessToken string of a JSON object body, or
// "" when there is none.
func accessTokenIn(body []byte) string {
	var object map[string]json.RawMessage
	if json.Unmarshal(body, &object) != nil {
		return ""
	}
	var value string
	for key, raw := range object {
		if strings.EqualFold(key, "accessToken") && json.Unmarshal(raw, &value) == nil {
			return value
		}
	}
	return ""
}

func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(`{"active":"a","profiles":[{"name":"a","clientId":"c","apiUrl":"http://127.0.0.1:8787"}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		store := ConfigStore{Path: filepath.Join(dir, "profiles.json")}
		if err := os.WriteFile(store.Path, data, 0o600); err != nil {
			t.Fatal(err)
		}

		c, err := store.Load()
		if err != nil {
			t.Fatalf("Load of a readable file: got error %v, want nil", err)
		}
		for _, p := range c.Profiles {
			_ = store.CheckProfile(p) // must not panic on any stored value
		}

		if c.MovedAside != nil {
			if len(c.Profiles) != 0 || c.Active != "" {
				t.Fatalf("file moved aside, but Load returned %d profiles", len(c.Profiles))
			}
			moved, err := os.ReadFile(c.MovedAside.Aside)
			if err != nil || string(moved) != string(data) {
				t.Fatalf("file moved aside to %s: got %d bytes and error %v, want the original %d bytes",
					c.MovedAside.Aside, len(moved), err, len(data))
			}
			if _, err := os.Stat(store.Path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("profile file after moving it aside: got %v, want it gone", err)
			}
			return
		}

		content, err := os.ReadFile(store.Path)
		if err != nil || string(content) != string(data) {
			t.Fatalf("profile file changed by Load")
		}
		// What Load returns survives a save and a load unchanged.
		if err := store.Save(c); err != nil {
			t.Fatalf("Save: %v", err)
		}
		again, err := store.Load()
		if err != nil || again.MovedAside != nil {
			t.Fatalf("Load after Save: got report %v and error %v, want neither", again.MovedAside, err)
		}
		if !reflect.DeepEqual(normalized(again), normalized(c)) {
			t.Fatalf("Load after Save: got %+v, want %+v", again, c)
		}
	})
}

// normalized treats an empty profile list like a missing one.
func normalized(c Config) Config {
	if len(c.Profiles) == 0 {
		c.Profiles = nil
	}
	return c
}
