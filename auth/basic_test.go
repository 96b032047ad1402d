package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestBasicHeaderEncoding(t *testing.T) {
	tests := []struct {
		name   string
		creds  Credentials
		want   string
		wantID string
		// wantSecret is what a server gets back after decoding and
		// splitting at the first colon, as RFC 7617 specifies.
		wantSecret string
	}{
		{
			name:       "vendor example",
			creds:      Credentials{ClientID: "client", ClientSecret: "secret"},
			want:       "Basic Y2xpZW50OnNlY3JldA==",
			wantID:     "client",
			wantSecret: "secret",
		},
		{
			name:       "secret with colons",
			creds:      Credentials{ClientID: "client", ClientSecret: "se:cr:et"},
			want:       "Basic " + base64.StdEncoding.EncodeToString([]byte("client:se:cr:et")),
			wantID:     "client",
			wantSecret: "se:cr:et",
		},
		{
			name:       "non-ASCII and url-unsafe characters",
			creds:      Credentials{ClientID: "kund+1@hotel", ClientSecret: "på/&=% x"},
			want:       "Basic " + base64.StdEncoding.EncodeToString([]byte("kund+1@hotel:på/&=% x")),
			wantID:     "kund+1@hotel",
			wantSecret: "på/&=% x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BasicHeader(tt.creds)
			if err != nil {
				t.Fatalf("BasicHeader: got error %v, want nil", err)
			}
			if got != tt.want {
				t.Errorf("BasicHeader: got %q, want %q", got, tt.want)
			}

			decoded, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(got, "Basic "))
			if err != nil {
				t.Fatalf("decode header: got error %v, want nil", err)
			}
			id, secret, _ := strings.Cut(string(decoded), ":")
			if id != tt.wantID {
				t.Errorf("decoded client id: got %q, want %q", id, tt.wantID)
			}
			if secret != tt.wantSecret {
				t.Errorf("decoded secret: got %q, want %q", secret, tt.wantSecret)
			}
		})
	}
}

func TestBasicHeaderRejectsInvalidCredentials(t *testing.T) {
	tests := []struct {
		name  string
		creds Credentials
	}{
		{"colon in client id", Credentials{ClientID: "a:b", ClientSecret: "secret"}},
		{"empty client id", Credentials{ClientID: "", ClientSecret: "secret"}},
		{"empty secret", Credentials{ClientID: "client", ClientSecret: ""}},
		{"newline in secret", Credentials{ClientID: "client", ClientSecret: "sec\nret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BasicHeader(tt.creds)
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("BasicHeader error: got %v, want ErrInvalidInput", err)
			}
			if got != "" {
				t.Errorf("BasicHeader: got %q, want empty header", got)
			}
		})
	}
}

func TestValidateClientID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		// wantInMessage is empty for a valid id.
		wantInMessage []string
	}{
		{name: "plain", id: "client"},
		{name: "uuid", id: "8f14e45f-ceea-467f-a0e8-3d2b1c4a5e6f"},
		{name: "inner space", id: "my client"},
		{name: "non-ASCII", id: "hôtel"},
		{name: "empty", id: "", wantInMessage: []string{"missing client id"}},
		{name: "colon", id: "a:b", wantInMessage: []string{`client id "a:b"`, "contains ':'", "RFC 7617", "typo"}},
		{name: "newline", id: "client\n", wantInMessage: []string{`client id "client\n"`, "control character"}},
		{name: "tab", id: "cli\tent", wantInMessage: []string{`client id "cli\tent"`, "control character"}},
		{name: "DEL", id: "client\x7f", wantInMessage: []string{"control character"}},
		{name: "leading space", id: " client", wantInMessage: []string{`client id " client"`, "white space"}},
		{name: "trailing space", id: "client ", wantInMessage: []string{`client id "client "`, "white space"}},
		{name: "trailing no-break space", id: "client\u00a0", wantInMessage: []string{"white space"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateClientID(tt.id)
			if len(tt.wantInMessage) == 0 {
				if err != nil {
					t.Errorf("ValidateClientID(%q): got error %v, want nil", tt.id, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("ValidateClientID(%q): got error %v, want ErrInvalidInput", tt.id, err)
			}
			for _, want := range tt.wantInMessage {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("ValidateClientID(%q) message: got %q, want it to contain %q", tt.id, err, want)
				}
			}
		})
	}
}

func TestValidateSecret(t *testing.T) {
	tests := []struct {
		name    string
		secret  string
		wantErr bool
	}{
		{name: "plain", secret: "secret"},
		{name: "colons", secret: "se:cr:et"},
		{name: "spaces", secret: " s e c r e t "},
		{name: "symbols", secret: `!"#$%&'()*+,-./;<=>?@[\]^_{|}~`},
		{name: "empty", secret: "", wantErr: true},
		{name: "trailing newline", secret: "topsecret\n", wantErr: true},
		{name: "carriage return", secret: "top\rsecret", wantErr: true},
		{name: "NUL", secret: "top\x00secret", wantErr: true},
		{name: "tab", secret: "top\tsecret", wantErr: true},
		{name: "only spaces", secret: "   ", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSecret(tt.secret)
			if !tt.wantErr {
				if err != nil {
					t.Errorf("ValidateSecret: got error %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("ValidateSecret: got error %v, want ErrInvalidInput", err)
			}
			if !strings.Contains(err.Error(), "client secret") {
				t.Errorf("ValidateSecret message: got %q, want it to name the client secret", err)
			}
			if strings.Contains(err.Error(), "top") {
				t.Errorf("ValidateSecret message: got %q, want no part of the secret", err)
			}
		})
	}
}

func TestValidateAPIURLAccepts(t *testing.T) {
	tests := []struct {
		raw  string
		want string
	}{
		{DefaultAPIURL, "https://api.athos.vingcard.com"},
		{"https://api.athos.vingcard.com/", "https://api.athos.vingcard.com"},
		{"HTTPS://api.athos.vingcard.com", "https://api.athos.vingcard.com"},
		{"https://api.athos.vingcard.com:8443/staging/", "https://api.athos.vingcard.com:8443/staging"},
		{"https://api.athos.vingcard.com/a%2Fb/", "https://api.athos.vingcard.com/a%2Fb"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080"},
		{"http://127.1.2.3:8080/prefix", "http://127.1.2.3:8080/prefix"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"http://LocalHost", "http://LocalHost"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ValidateAPIURL(tt.raw)
			if err != nil {
				t.Fatalf("ValidateAPIURL(%q): got error %v, want nil", tt.raw, err)
			}
			if got.String() != tt.want {
				t.Errorf("ValidateAPIURL(%q): got %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestValidateAPIURLRejects(t *testing.T) {
	tests := []struct {
		name          string
		raw           string
		wantInMessage string
	}{
		{"plain http to public host", "http://example.com", "plain http"},
		{"plain http to production", "http://api.athos.vingcard.com", "plain http"},
		{"plain http to private address", "http://10.0.0.1:8080", "plain http"},
		{"plain http to host named like loopback", "http://127.0.0.1.example.com", "plain http"},
		{"plain http to unspecified address", "http://0.0.0.0:8080", "plain http"},
		{"empty", "", "https://"},
		{"no scheme", "api.athos.vingcard.com", "https://"},
		{"host and port without scheme", "localhost:8080", "https://"},
		{"ftp scheme", "ftp://127.0.0.1/", "https://"},
		{"no host", "https://", "no host"},
		{"port without host", "http://:8080", "no host"},
		{"user info", "https://user@api.athos.vingcard.com", "user info"},
		{"user info on loopback", "http://user:pw@127.0.0.1:8080", "user info"},
		{"query", "https://api.athos.vingcard.com/?env=test", "query"},
		{"empty query", "https://api.athos.vingcard.com/?", "query"},
		{"fragment", "https://api.athos.vingcard.com/#top", "fragment"},
		{"empty fragment", "https://api.athos.vingcard.com/#", "fragment"},
		{"unparsable", "https://api.athos.vingcard.com:port", "not a valid URL"},
		{"control character", "https://api.athos.vingcard.com/\n", "not a valid URL"},
		{"port out of range", "http://127.0.0.1:99999", "port"},
		{"port zero", "http://127.0.0.1:0", "port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ValidateAPIURL(tt.raw)
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("ValidateAPIURL(%q): got error %v, want ErrInvalidInput", tt.raw, err)
			}
			if got != nil {
				t.Errorf("ValidateAPIURL(%q): got URL %q, want nil", tt.raw, got)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("ValidateAPIURL(%q) message: got %q, want it to contain %q", tt.raw, err, tt.wantInMessage)
			}
		})
	}
}

func TestValidateAPIURLHidesPassword(t *testing.T) {
	for _, raw := range []string{
		"https://user:hunter2@api.athos.vingcard.com",
		"https://user:hunter2@api.athos.vingcard.com:port",
	} {
		t.Run(raw, func(t *testing.T) {
			_, err := ValidateAPIURL(raw)
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("ValidateAPIURL: got error %v, want ErrInvalidInput", err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("ValidateAPIURL message: got %q, want the password replaced", err)
			}
			if !strings.Contains(err.Error(), "api.athos.vingcard.com") {
				t.Errorf("ValidateAPIURL message: got %q, want it to name the host", err)
			}
		})
	}
}
