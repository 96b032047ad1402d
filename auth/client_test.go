package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testNow is the injected wall clock of the client tests, on a whole second
// so that HTTP dates in Retry-After round-trip exactly.
var testNow = time.Date(2024, 10, 25, 18, 52, 9, 0, time.UTC)

var testCreds = Credentials{ClientID: "client", ClientSecret: "secret"}

const goodBody = `{"accessToken":"eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl","expiresIn":43200,` +
	`"expiresAt":"2024-10-26T06:52:09.443Z","scope":"read:corp write:corp"}`

// tokenServer is an httptest server on 127.0.0.1 that counts its requests.
type tokenServer struct {
	*httptest.Server
	requests atomic.Int32
}

func newTokenServer(t *testing.T, handler http.HandlerFunc) *tokenServer {
	t.Helper()
	server := &tokenServer{}
	server.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		server.requests.Add(1)
		handler(w, r)
	}))
	t.Cleanup(server.Close)
	return server
}

// respondWith returns a handler that sends status and body as JSON.
func respondWith(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func newTestClient(apiURL string) *Client {
	return &Client{
		APIURL:  apiURL,
		Timeout: 5 * time.Second,
		Now:     func() time.Time { return testNow },
	}
}

func TestClientSendsTokenRequest(t *testing.T) {
	type request struct {
		method, path, authorization, accept, userAgent, body string
		contentLength                                        int64
	}
	received := make(chan request, 1)
	server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		received <- request{
			method:        r.Method,
			path:          r.URL.Path,
			authorization: r.Header.Get("Authorization"),
			accept:        r.Header.Get("Accept"),
			userAgent:     r.Header.Get("User-Agent"),
			body:          string(body),
			contentLength: r.ContentLength,
		}
		respondWith(http.StatusOK, goodBody)(w, r)
	})

	if _, err := newTestClient(server.URL).FetchToken(context.Background(), testCreds); err != nil {
		t.Fatalf("FetchToken: got error %v, want nil", err)
	}
	got := <-received

	if got.method != http.MethodPost {
		t.Errorf("method: got %q, want %q", got.method, http.MethodPost)
	}
	if got.path != "/corp/auth/m2m" {
		t.Errorf("path: got %q, want %q", got.path, "/corp/auth/m2m")
	}
	if got.authorization != "Basic Y2xpZW50OnNlY3JldA==" {
		t.Errorf("Authorization: got %q, want %q", got.authorization, "Basic Y2xpZW50OnNlY3JldA==")
	}
	if got.accept != "application/json" {
		t.Errorf("Accept: got %q, want %q", got.accept, "application/json")
	}
	if !strings.HasPrefix(got.userAgent, "athos-tray") {
		t.Errorf("User-Agent: got %q, want prefix %q", got.userAgent, "athos-tray")
	}
	if got.body != "" {
		t.Errorf("body: got %q, want empty", got.body)
	}
	if got.contentLength != 0 {
		t.Errorf("Content-Length: got %d, want 0", got.contentLength)
	}
}

func TestClientAPIURLPathPrefix(t *testing.T) {
	for _, suffix := range []string{"/staging", "/staging/"} {
		t.Run(suffix, func(t *testing.T) {
			paths := make(chan string, 1)
			server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
				paths <- r.URL.Path
				respondWith(http.StatusOK, goodBody)(w, r)
			})

			_, err := newTestClient(server.URL+suffix).FetchToken(context.Background(), testCreds)
			if err != nil {
				t.Fatalf("FetchToken: got error %v, want nil", err)
			}
			if got := <-paths; got != "/staging/corp/auth/m2m" {
				t.Errorf("path: got %q, want %q", got, "/staging/corp/auth/m2m")
			}
		})
	}
}

func TestClientSecretWithColon(t *testing.T) {
	type basicAuth struct {
		id, secret string
		ok         bool
	}
	received := make(chan basicAuth, 1)
	server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		received <- basicAuth{id, secret, ok}
		respondWith(http.StatusOK, goodBody)(w, r)
	})

	creds := Credentials{ClientID: "client", ClientSecret: "se:cr:et"}
	if _, err := newTestClient(server.URL).FetchToken(context.Background(), creds); err != nil {
		t.Fatalf("FetchToken: got error %v, want nil", err)
	}
	got := <-received

	if !got.ok {
		t.Fatalf("server BasicAuth: got ok false, want true")
	}
	if got.id != "client" {
		t.Errorf("server client id: got %q, want %q", got.id, "client")
	}
	if got.secret != "se:cr:et" {
		t.Errorf("server secret: got %q, want %q", got.secret, "se:cr:et")
	}
}

func TestClientRejectsInvalidInputBeforeRequest(t *testing.T) {
	server := newTokenServer(t, respondWith(http.StatusOK, goodBody))
	loopbackPort := strings.TrimPrefix(server.URL, "http://127.0.0.1")

	tests := []struct {
		name          string
		apiURL        string
		creds         Credentials
		wantInMessage string
	}{
		{"colon in client id", server.URL, Credentials{ClientID: "a:b", ClientSecret: "secret"}, `"a:b"`},
		{"empty client id", server.URL, Credentials{ClientSecret: "secret"}, "missing client id"},
		{"newline in client id", server.URL, Credentials{ClientID: "client\n", ClientSecret: "secret"}, "control"},
		{"empty secret", server.URL, Credentials{ClientID: "client"}, "missing client secret"},
		{"newline in secret", server.URL, Credentials{ClientID: "client", ClientSecret: "secret\n"}, "control"},
		{"user info in URL", "http://user:pw@127.0.0.1" + loopbackPort, testCreds, "user info"},
		{"query in URL", server.URL + "/?x=1", testCreds, "query"},
		{"wrong scheme", "ftp://127.0.0.1" + loopbackPort, testCreds, "https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := server.requests.Load()

			token, err := newTestClient(tt.apiURL).FetchToken(context.Background(), tt.creds)

			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("FetchToken: got error %v, want ErrInvalidInput", err)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("FetchToken message: got %q, want it to contain %q", err, tt.wantInMessage)
			}
			if token != (Token{}) {
				t.Errorf("FetchToken token: got %+v, want zero Token", token)
			}
			if got := server.requests.Load() - before; got != 0 {
				t.Errorf("server requests: got %d, want 0", got)
			}
		})
	}
}

func TestClientParsesTokenResponse(t *testing.T) {
	tests := []struct {
		name            string
		body            string
		wantToken       string
		wantScope       string
		wantExpiresIn   time.Duration
		wantServerAtUTC time.Time
	}{
		{
			name:            "full response",
			body:            goodBody,
			wantToken:       "eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl",
			wantScope:       "read:corp write:corp",
			wantExpiresIn:   12 * time.Hour,
			wantServerAtUTC: time.Date(2024, 10, 26, 6, 52, 9, 443_000_000, time.UTC),
		},
		{
			name:          "cached token with less time left",
			body:          `{"accessToken":"abc","expiresIn":4320,"scope":"read:corp"}`,
			wantToken:     "abc",
			wantScope:     "read:corp",
			wantExpiresIn: 72 * time.Minute,
		},
		{
			name:          "whole expiresIn with a fraction part",
			body:          `{"accessToken":"abc","expiresIn":43200.0}`,
			wantToken:     "abc",
			wantExpiresIn: 12 * time.Hour,
		},
		{
			name:          "string expiresIn",
			body:          `{"accessToken":"abc","expiresIn":"43200"}`,
			wantToken:     "abc",
			wantExpiresIn: 12 * time.Hour,
		},
		{
			name:          "string expiresIn with exponent",
			body:          `{"accessToken":"abc","expiresIn":"4.32e4"}`,
			wantToken:     "abc",
			wantExpiresIn: 12 * time.Hour,
		},
		{
			name:          "expiresIn under the refresh margin",
			body:          `{"accessToken":"abc","expiresIn":1}`,
			wantToken:     "abc",
			wantExpiresIn: time.Second,
		},
		{
			name:          "field names in another case",
			body:          `{"AccessToken":"abc","EXPIRESIN":60}`,
			wantToken:     "abc",
			wantExpiresIn: time.Minute,
		},
		{
			name:          "byte order mark",
			body:          "\ufeff" + `{"accessToken":"abc","expiresIn":60}`,
			wantToken:     "abc",
			wantExpiresIn: time.Minute,
		},
		{
			name:          "exponent expiresIn",
			body:          `{"accessToken":"abc","expiresIn":4.32e4}`,
			wantToken:     "abc",
			wantExpiresIn: 12 * time.Hour,
		},
		{
			name:          "maximum expiresIn of 7 days",
			body:          `{"accessToken":"abc","expiresIn":604800}`,
			wantToken:     "abc",
			wantExpiresIn: 7 * 24 * time.Hour,
		},
		{
			name:            "expiresAt without fraction and with offset",
			body:            `{"accessToken":"abc","expiresIn":60,"expiresAt":"2024-10-26T08:52:09+02:00"}`,
			wantToken:       "abc",
			wantExpiresIn:   time.Minute,
			wantServerAtUTC: time.Date(2024, 10, 26, 6, 52, 9, 0, time.UTC),
		},
		{
			name:          "invalid expiresAt ignored",
			body:          `{"accessToken":"abc","expiresIn":60,"expiresAt":"tomorrow"}`,
			wantToken:     "abc",
			wantExpiresIn: time.Minute,
		},
		{
			name:          "expiresAt number ignored",
			body:          `{"accessToken":"abc","expiresIn":60,"expiresAt":1729925529}`,
			wantToken:     "abc",
			wantExpiresIn: time.Minute,
		},
		{
			name:          "null scope and expiresAt",
			body:          `{"accessToken":"abc","expiresIn":60,"expiresAt":null,"scope":null}`,
			wantToken:     "abc",
			wantExpiresIn: time.Minute,
		},
		{
			name:          "unknown fields ignored",
			body:          `{"accessToken":"abc","expiresIn":60,"tokenType":"Bearer"}`,
			wantToken:     "abc",
			wantExpiresIn: time.Minute,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := newTokenServer(t, respondWith(http.StatusOK, tt.body))

			token, err := newTestClient(server.URL).FetchToken(context.Background(), testCreds)
			if err != nil {
				t.Fatalf("FetchToken: got error %v, want nil", err)
			}

			if token.AccessToken != tt.wantToken {
				t.Errorf("AccessToken: got %q, want %q", token.AccessToken, tt.wantToken)
			}
			if token.Scope != tt.wantScope {
				t.Errorf("Scope: got %q, want %q", token.Scope, tt.wantScope)
			}
			if token.ExpiresIn != tt.wantExpiresIn {
				t.Errorf("ExpiresIn: got %v, want %v", token.ExpiresIn, tt.wantExpiresIn)
			}
			if !token.ServerExpiresAt.Equal(tt.wantServerAtUTC) {
				t.Errorf("ServerExpiresAt: got %v, want %v", token.ServerExpiresAt, tt.wantServerAtUTC)
			}
			if !token.ReceivedAt.Equal(testNow) {
				t.Errorf("ReceivedAt: got %v, want %v", token.ReceivedAt, testNow)
			}
			if want := testNow.Add(tt.wantExpiresIn); !token.Expiry().Equal(want) {
				t.Errorf("Expiry: got %v, want %v", token.Expiry(), want)
			}
		})
	}
}

func TestClientDefaultNowIsWallClock(t *testing.T) {
	server := newTokenServer(t, respondWith(http.StatusOK, goodBody))
	client := &Client{APIURL: server.URL}

	before := time.Now()
	token, err := client.FetchToken(context.Background(), testCreds)
	after := time.Now()
	if err != nil {
		t.Fatalf("FetchToken: got error %v, want nil", err)
	}

	if token.ReceivedAt.Before(before.Round(0)) || token.ReceivedAt.After(after.Round(0)) {
		t.Errorf("ReceivedAt: got %v, want between %v and %v", token.ReceivedAt, before, after)
	}
	// time.Time.String shows the monotonic clock reading as "m=±...".
	if strings.Contains(token.ReceivedAt.String(), "m=") {
		t.Errorf("ReceivedAt: got %v, want no monotonic clock reading", token.ReceivedAt)
	}
}

func TestClientMalformedResponse(t *testing.T) {
	tests := []struct {
		name          string
		body          string
		wantInMessage string
	}{
		{"HTML page", "<html><body>Welcome</body></html>", "not JSON"},
		{"empty body", "", "not JSON"},
		{"truncated JSON", `{"accessToken":"abc","expiresIn":`, "not JSON"},
		{"JSON array", `[{"accessToken":"abc","expiresIn":60}]`, "not a JSON object"},
		{"JSON string", `"abc"`, "not a JSON object"},
		{"JSON null", `null`, "missing accessToken"},
		{"trailing data", `{"accessToken":"abc","expiresIn":60} x`, "not JSON"},
		{"snake_case fields", `{"access_token":"abc","expires_in":60}`, "missing accessToken"},
		{"missing accessToken", `{"expiresIn":60}`, "missing accessToken"},
		{"null accessToken", `{"accessToken":null,"expiresIn":60}`, "missing accessToken"},
		{"empty accessToken", `{"accessToken":"","expiresIn":60}`, "accessToken is empty"},
		{"number accessToken", `{"accessToken":12345,"expiresIn":60}`, "accessToken is not a string"},
		{"accessToken with space", `{"accessToken":"abc def","expiresIn":60}`, "accessToken contains a space"},
		{"accessToken with newline", `{"accessToken":"abc\ndef","expiresIn":60}`, "accessToken contains"},
		{"accessToken with CRLF", `{"accessToken":"abc\r\nX-Evil: 1","expiresIn":60}`, "accessToken contains"},
		{"accessToken with non-ASCII", `{"accessToken":"abcé","expiresIn":60}`, "not visible ASCII"},
		{"missing expiresIn", `{"accessToken":"abc"}`, "missing expiresIn"},
		{"zero expiresIn", `{"accessToken":"abc","expiresIn":0}`, "expiresIn 0 seconds is not positive"},
		{"negative expiresIn", `{"accessToken":"abc","expiresIn":-60}`, "expiresIn -60 seconds is not positive"},
		{"negative zero expiresIn", `{"accessToken":"abc","expiresIn":-0}`, "not positive"},
		{"expiresIn below a nanosecond", `{"accessToken":"abc","expiresIn":1e-12}`, "not a whole number"},
		{"fractional expiresIn", `{"accessToken":"abc","expiresIn":1.5}`, "expiresIn 1.5 is not a whole number"},
		{"fractional string expiresIn", `{"accessToken":"abc","expiresIn":"1799.5"}`, "not a whole number"},
		{"expiresIn over 7 days", `{"accessToken":"abc","expiresIn":604801}`, "exceeds the maximum"},
		{"huge expiresIn", `{"accessToken":"abc","expiresIn":1e300}`, "exceeds the maximum"},
		{"expiresIn out of float range", `{"accessToken":"abc","expiresIn":1e400}`, "exceeds the maximum"},
		{"word expiresIn", `{"accessToken":"abc","expiresIn":"soon"}`, "string that does not contain a number"},
		{"padded string expiresIn", `{"accessToken":"abc","expiresIn":" 60"}`, "string that does not contain"},
		{"empty string expiresIn", `{"accessToken":"abc","expiresIn":""}`, "string that does not contain"},
		{"boolean expiresIn", `{"accessToken":"abc","expiresIn":true}`, "expiresIn is not a number"},
		{"object expiresIn", `{"accessToken":"abc","expiresIn":{"s":60}}`, "expiresIn is not a number"},
		{"duplicate accessToken", `{"accessToken":"abc","accessToken":"abd","expiresIn":60}`,
			"contains accessToken 2 times"},
		{"duplicate expiresIn in another case", `{"accessToken":"abc","expiresIn":60,"ExpiresIn":6000}`,
			"contains expiresIn 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := newTokenServer(t, respondWith(http.StatusOK, tt.body))

			token, err := newTestClient(server.URL).FetchToken(context.Background(), testCreds)

			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("FetchToken: got error %v, want ErrMalformedResponse", err)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("FetchToken message: got %q, want it to contain %q", err, tt.wantInMessage)
			}
			if strings.Contains(err.Error(), "abc") {
				t.Errorf("FetchToken message: got %q, want no part of the access token", err)
			}
			if token != (Token{}) {
				t.Errorf("FetchToken token: got %+v, want zero Token", token)
			}
		})
	}
}

func TestClientResponseSizeLimit(t *testing.T) {
	// Pad a valid body with JSON white space to an exact size.
	padded := func(size int) string {
		return goodBody + strings.Repeat(" ", size-len(goodBody))
	}
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{"exactly 64 KiB", padded(MaxResponseBytes), false},
		{"one byte over 64 KiB", padded(MaxResponseBytes + 1), true},
		{"1 MiB", padded(1 << 20), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := newTokenServer(t, respondWith(http.StatusOK, tt.body))

			token, err := newTestClient(server.URL).FetchToken(context.Background(), testCreds)

			if !checkTokenOrMalformed(t, token, err, tt.wantErr) {
				return
			}
			if !strings.Contains(err.Error(), "response larger than 64 KiB") {
				t.Errorf("FetchToken message: got %q, want it to contain %q", err, "response larger than 64 KiB")
			}
		})
	}
}

func TestClientStatusErrors(t *testing.T) {
	tests := []struct {
		status        int
		wantRejected  bool
		wantServer    bool
		wantInMessage string
	}{
		{http.StatusUnauthorized, true, false, "check the client id and secret"},
		{http.StatusForbidden, true, false, "check the client id and secret"},
		{http.StatusInternalServerError, false, true, "500 Internal Server Error"},
		{http.StatusBadGateway, false, true, "502 Bad Gateway"},
		{http.StatusServiceUnavailable, false, true, "503 Service Unavailable"},
		{http.StatusTooManyRequests, false, true, "429 Too Many Requests"},
		{http.StatusNotFound, false, false, "check the API URL"},
		{http.StatusBadRequest, false, false, "400 Bad Request"},
		{http.StatusFound, false, false, "302 Found"},
		{http.StatusNoContent, false, false, "204 No Content"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.status == http.StatusFound {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, `{"message":"echo of the request"}`)
			})

			token, err := newTestClient(server.URL).FetchToken(context.Background(), testCreds)

			var statusErr *StatusError
			if !errors.As(err, &statusErr) {
				t.Fatalf("FetchToken: got error %v, want a *StatusError", err)
			}
			if statusErr.StatusCode != tt.status {
				t.Errorf("StatusCode: got %d, want %d", statusErr.StatusCode, tt.status)
			}
			if got := errors.Is(err, ErrCredentialsRejected); got != tt.wantRejected {
				t.Errorf("errors.Is(err, ErrCredentialsRejected): got %v, want %v", got, tt.wantRejected)
			}
			if got := errors.Is(err, ErrServer); got != tt.wantServer {
				t.Errorf("errors.Is(err, ErrServer): got %v, want %v", got, tt.wantServer)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("FetchToken message: got %q, want it to contain %q", err, tt.wantInMessage)
			}
			if !strings.Contains(err.Error(), `client "client"`) {
				t.Errorf("FetchToken message: got %q, want it to name the client id", err)
			}
			if strings.Contains(err.Error(), "echo of the request") {
				t.Errorf("FetchToken message: got %q, want no part of the response body", err)
			}
			if token != (Token{}) {
				t.Errorf("FetchToken token: got %+v, want zero Token", token)
			}
			// Only the token request reaches the server: a redirect is not followed.
			if got := server.requests.Load(); got != 1 {
				t.Errorf("server requests: got %d, want 1", got)
			}
		})
	}
}

func TestClientRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		want       time.Duration
	}{
		{"seconds", "120", 2 * time.Minute},
		{"HTTP date", testNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"HTTP date in the past", testNow.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"absent", "", 0},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"fractional", "1.5", 0},
		{"garbage", "soon", 0},
		{"overflowing seconds", "99999999999999999", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(http.StatusServiceUnavailable)
			})

			_, err := newTestClient(server.URL).FetchToken(context.Background(), testCreds)

			var statusErr *StatusError
			if !errors.As(err, &statusErr) {
				t.Fatalf("FetchToken: got error %v, want a *StatusError", err)
			}
			if statusErr.RetryAfter != tt.want {
				t.Errorf("RetryAfter: got %v, want %v", statusErr.RetryAfter, tt.want)
			}
		})
	}
}

func TestClientTimeout(t *testing.T) {
	server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	client := newTestClient(server.URL)
	client.Timeout = 20 * time.Millisecond

	_, err := client.FetchToken(context.Background(), testCreds)

	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("FetchToken: got error %v, want ErrTimeout", err)
	}
	if errors.Is(err, ErrNetwork) {
		t.Errorf("FetchToken: got error %v, want it not to match ErrNetwork", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Errorf("FetchToken: got error %v, want it not to match context.Canceled", err)
	}
}

func TestClientTimeoutWhileReadingBody(t *testing.T) {
	server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"accessToken":`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	client := newTestClient(server.URL)
	client.Timeout = 50 * time.Millisecond

	_, err := client.FetchToken(context.Background(), testCreds)

	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("FetchToken: got error %v, want ErrTimeout", err)
	}
}

func TestClientCallerDeadline(t *testing.T) {
	server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()

	_, err := newTestClient(server.URL).FetchToken(ctx, testCreds)

	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("FetchToken: got error %v, want ErrTimeout", err)
	}
}

func TestClientCallerCancel(t *testing.T) {
	arrived := make(chan struct{})
	server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()

	_, err := newTestClient(server.URL).FetchToken(ctx, testCreds)

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("FetchToken: got error %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrTimeout) {
		t.Errorf("FetchToken: got error %v, want it not to match ErrTimeout", err)
	}
	if errors.Is(err, ErrNetwork) {
		t.Errorf("FetchToken: got error %v, want it not to match ErrNetwork", err)
	}
}

func TestClientConnectionRefused(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	apiURL := "http://" + listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}

	_, err = newTestClient(apiURL).FetchToken(context.Background(), testCreds)

	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("FetchToken: got error %v, want ErrNetwork", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("FetchToken: got error %v, want it to wrap a *net.OpError", err)
	}
	if errors.Is(err, ErrTimeout) {
		t.Errorf("FetchToken: got error %v, want it not to match ErrTimeout", err)
	}
}

func TestClientConnectionDropped(t *testing.T) {
	server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack connection: %v", err)
			return
		}
		_ = conn.Close()
	})

	_, err := newTestClient(server.URL).FetchToken(context.Background(), testCreds)

	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("FetchToken: got error %v, want ErrNetwork", err)
	}
}

func TestClientErrorsOmitSecrets(t *testing.T) {
	const (
		secret = "s3cr3t-Value"
		token  = "tok-9f8e7d6c"
	)
	creds := Credentials{ClientID: "client", ClientSecret: secret}
	header, err := BasicHeader(creds)
	if err != nil {
		t.Fatalf("BasicHeader: got error %v, want nil", err)
	}
	encoded := strings.TrimPrefix(header, "Basic ")

	// echo writes the request's Authorization header into the response body,
	// as a badly behaved server might.
	echo := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, strings.ReplaceAll(body, "AUTH", r.Header.Get("Authorization")))
		}
	}
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	refusedURL := "http://" + refused.Addr().String()
	if err := refused.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}

	tests := []struct {
		name    string
		handler http.HandlerFunc
		apiURL  string
		creds   Credentials
	}{
		{name: "401 echoing header", handler: echo(http.StatusUnauthorized, `{"error":"bad AUTH"}`)},
		{name: "500 echoing header", handler: echo(http.StatusInternalServerError, `AUTH`)},
		{name: "token with bad expiresIn", handler: echo(http.StatusOK,
			`{"accessToken":"`+token+`","expiresIn":"soon","note":"AUTH"}`)},
		{name: "token with space", handler: echo(http.StatusOK, `{"accessToken":"`+token+` x","expiresIn":60}`)},
		{name: "not JSON", handler: echo(http.StatusOK, token+" AUTH")},
		{name: "secret with newline", handler: echo(http.StatusOK, goodBody),
			creds: Credentials{ClientID: "client", ClientSecret: secret + "\n"}},
		{name: "connection refused", apiURL: refusedURL},
		{name: "timeout", handler: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiURL := tt.apiURL
			if tt.handler != nil {
				apiURL = newTokenServer(t, tt.handler).URL
			}
			fetchCreds := creds
			if tt.creds != (Credentials{}) {
				fetchCreds = tt.creds
			}
			client := newTestClient(apiURL)
			client.Timeout = 50 * time.Millisecond

			_, err := client.FetchToken(context.Background(), fetchCreds)
			if err == nil {
				t.Fatalf("FetchToken: got nil error, want an error")
			}

			for _, leak := range []string{secret, token, encoded, "Basic"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("FetchToken message: got %q, want it not to contain %q", err, leak)
				}
			}
		})
	}
}

func TestClientDefaultTransport(t *testing.T) {
	client := (&Client{}).httpClient()
	if client == http.DefaultClient {
		t.Fatalf("httpClient: got http.DefaultClient, want a client of its own")
	}
	transport, ok := client.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("Transport: got %T, want *http.Transport", client.Transport)
	}
	if transport == http.DefaultTransport {
		t.Errorf("Transport: got http.DefaultTransport itself, want a clone")
	}
	if transport.Proxy == nil {
		t.Fatalf("Transport.Proxy: got nil, want http.ProxyFromEnvironment")
	}
	got := reflect.ValueOf(transport.Proxy).Pointer()
	want := reflect.ValueOf(http.ProxyFromEnvironment).Pointer()
	if got != want {
		t.Errorf("Transport.Proxy: got another function, want http.ProxyFromEnvironment")
	}
	if client.CheckRedirect == nil {
		t.Errorf("CheckRedirect: got nil, want a function that stops redirects")
	}
}

func TestClientCustomHTTPClient(t *testing.T) {
	var used atomic.Bool
	custom := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Store(true)
		return http.DefaultTransport.RoundTrip(r)
	})}
	server := newTokenServer(t, respondWith(http.StatusOK, goodBody))
	client := newTestClient(server.URL)
	client.HTTPClient = custom

	if _, err := client.FetchToken(context.Background(), testCreds); err != nil {
		t.Fatalf("FetchToken: got error %v, want nil", err)
	}
	if !used.Load() {
		t.Errorf("custom HTTPClient: got unused, want it to send the request")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestClientTimeoutDefault(t *testing.T) {
	tests := []struct {
		timeout time.Duration
		want    time.Duration
	}{
		{0, DefaultTimeout},
		{-time.Second, DefaultTimeout},
		{3 * time.Second, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.timeout.String(), func(t *testing.T) {
			if got := (&Client{Timeout: tt.timeout}).timeout(); got != tt.want {
				t.Errorf("timeout: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClientContentType(t *testing.T) {
	tests := []struct {
		contentType string
		wantErr     bool
	}{
		{"application/json", false},
		{"application/json; charset=utf-8", false},
		{"Application/JSON;charset=UTF-8", false},
		{"application/json; charset=", false},
		{"application/vnd.athos+json", false},
		{"text/json", false},
		{"text/plain; charset=utf-8", false},
		{"application/octet-stream", false},
		{"", false},
		{"text/html; charset=utf-8", true},
		{"application/xml", true},
		{"image/png", true},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
				// Setting the header to nil keeps net/http from sniffing a type.
				w.Header()["Content-Type"] = nil
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				_, _ = io.WriteString(w, goodBody)
			})

			token, err := newTestClient(server.URL).FetchToken(context.Background(), testCreds)

			if !checkTokenOrMalformed(t, token, err, tt.wantErr) {
				return
			}
			mediaType, _, _ := strings.Cut(tt.contentType, ";")
			if !strings.Contains(err.Error(), "content type "+mediaType+", not JSON") {
				t.Errorf("FetchToken message: got %q, want it to name the content type %s", err, mediaType)
			}
			if strings.Contains(err.Error(), "eyJ") {
				t.Errorf("FetchToken message: got %q, want no part of the body", err)
			}
		})
	}
}

func TestClientRejectsLargeContentLength(t *testing.T) {
	wrote := make(chan error, 1)
	server := newTokenServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(8<<20))
		w.WriteHeader(http.StatusOK)
		// The client closes the connection after the header, so a large
		// write fails before the whole body is sent.
		_, err := w.Write([]byte(strings.Repeat(" ", 8<<20)))
		wrote <- err
	})

	_, err := newTestClient(server.URL).FetchToken(context.Background(), testCreds)

	if !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Fatalf("FetchToken: got error %v, want ErrMalformedResponse for a response larger than 64 KiB", err)
	}
	if writeErr := <-wrote; writeErr == nil {
		t.Errorf("server write of 8 MiB: got nil error, want the client to close the connection early")
	}
}

func TestClientTLSFailure(t *testing.T) {
	server := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached the handler despite an untrusted certificate")
	}))
	server.Config.ErrorLog = log.New(io.Discard, "", 0)
	server.StartTLS()
	t.Cleanup(server.Close)
	// The client does not trust the test server's certificate.
	client := newTestClient(server.URL)
	client.HTTPClient = &http.Client{Transport: &http.Transport{}}

	_, err := client.FetchToken(context.Background(), testCreds)

	if !errors.Is(err, ErrTLS) {
		t.Fatalf("FetchToken: got error %v, want ErrTLS", err)
	}
	if !errors.Is(err, ErrNetwork) {
		t.Errorf("FetchToken: got error %v, want it to match ErrNetwork too", err)
	}
	if !IsNetworkError(err) {
		t.Errorf("IsNetworkError: got false for %v, want true", err)
	}
}

func TestClientPlainHTTPServerOnHTTPS(t *testing.T) {
	server := newTokenServer(t, respondWith(http.StatusOK, goodBody))
	client := newTestClient(strings.Replace(server.URL, "http://", "https://", 1))

	_, err := client.FetchToken(context.Background(), testCreds)

	if !errors.Is(err, ErrTLS) {
		t.Fatalf("FetchToken: got error %v, want ErrTLS for a server that does not speak TLS", err)
	}
}

func TestClientDNSFailure(t *testing.T) {
	// The dialer fails as a lookup of an unknown host does, so that no
	// query leaves the machine.
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network,
			Err: &net.DNSError{Err: "no such host", Name: "athos.invalid", IsNotFound: true}}
	}}
	client := newTestClient("https://athos.invalid")
	client.HTTPClient = &http.Client{Transport: transport}

	_, err := client.FetchToken(context.Background(), testCreds)

	if !errors.Is(err, ErrNetwork) {
		t.Fatalf("FetchToken: got error %v, want ErrNetwork", err)
	}
	if errors.Is(err, ErrTLS) {
		t.Errorf("FetchToken: got error %v, want it not to match ErrTLS", err)
	}
	if !strings.Contains(err.Error(), "host name") {
		t.Errorf("FetchToken message: got %q, want it to mention the host name", err)
	}
}

func TestIsNetworkError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"network", fmt.Errorf("fetch: %w: refused", ErrNetwork), true},
		{"TLS", fmt.Errorf("fetch: %w: %w", ErrNetwork, ErrTLS), true},
		{"timeout", fmt.Errorf("fetch: %w", ErrTimeout), true},
		{"server error", fmt.Errorf("fetch: %w", &StatusError{StatusCode: 503}), false},
		{"rejected", fmt.Errorf("fetch: %w", &StatusError{StatusCode: 401}), false},
		{"malformed", fmt.Errorf("fetch: %w", ErrMalformedResponse), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsNetworkError(tt.err); got != tt.want {
				t.Errorf("IsNetworkError(%v): got %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// checkTokenOrMalformed checks that FetchToken returned a token, or an
// ErrMalformedResponse when wantErr is set, and reports whether the error
// is there for more checks.
func checkTokenOrMalformed(t *testing.T, token Token, err error, wantErr bool) bool {
	t.Helper()
	if !wantErr {
		if err != nil {
			t.Fatalf("FetchToken: got error %v, want nil", err)
		}
		if token.AccessToken == "" {
			t.Errorf("AccessToken: got empty, want the token")
		}
		return false
	}
	if !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("FetchToken: got error %v, want ErrMalformedResponse", err)
	}
	return true
}
