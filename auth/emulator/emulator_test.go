package emulator

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth"
)

// testStart is 12 hours before the expiresAt of the vendor's example token
// response, so a fresh token issued at testStart expires at
// "2024-10-26T06:52:09.443Z".
var testStart = time.Date(2024, 10, 25, 18, 52, 9, 443_000_000, time.UTC)

// fakeClock is a manually advanced clock for Config.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: testStart}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// tokenBody is the decoded body of a successful token response.
type tokenBody struct {
	AccessToken string `json:"accessToken"`
	ExpiresIn   int64  `json:"expiresIn"`
	ExpiresAt   string `json:"expiresAt"`
	Scope       string `json:"scope"`
}

// newTestEmulator returns an emulator with the default credentials and
// lifetimes, driven by a fake clock.
func newTestEmulator() (*Emulator, *fakeClock) {
	clock := newFakeClock()
	return New(Config{Now: clock.Now}), clock
}

func basicAuthorization(clientID, clientSecret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+clientSecret))
}

// serve sends one request straight to the handler. An empty authorization
// sends no Authorization header.
func serve(e *Emulator, method, path, authorization string) *httptest.ResponseRecorder {
	request := httptest.NewRequest(method, path, nil)
	if authorization != "" {
		request.Header.Set("Authorization", authorization)
	}
	recorder := httptest.NewRecorder()
	e.ServeHTTP(recorder, request)
	return recorder
}

// fetchToken requests a token with the default credentials and fails the test
// unless the response is 200 with a decodable body.
func fetchToken(t *testing.T, e *Emulator) tokenBody {
	t.Helper()
	recorder := serve(e, http.MethodPost, auth.TokenPath, basicAuthorization("client", "secret"))
	if recorder.Code != http.StatusOK {
		t.Fatalf("token request: got status %d, want %d (body %q)", recorder.Code, http.StatusOK, recorder.Body.String())
	}
	var body tokenBody
	if err := json.Unmarshal(recorder.Body.Bytes(), &body); err != nil {
		t.Fatalf("token response: got undecodable body %q: %v", recorder.Body.String(), err)
	}
	return body
}

// newLoopbackClient returns a client with its own transport and no proxy, so
// that requests go straight to the emulator on 127.0.0.1.
func newLoopbackClient(timeout time.Duration) (*http.Client, *http.Transport) {
	transport := &http.Transport{Proxy: nil}
	return &http.Client{Transport: transport, Timeout: timeout}, transport
}

func startEmulator(t *testing.T, e *Emulator) string {
	t.Helper()
	baseURL, err := e.Start("")
	if err != nil {
		t.Fatalf("Start: got error %v, want nil", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return baseURL
}

func newTokenRequest(t *testing.T, ctx context.Context, baseURL string) *http.Request {
	t.Helper()
	request, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+auth.TokenPath, strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	request.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	request.Header.Set("Authorization", basicAuthorization("client", "secret"))
	return request
}

func TestTokenEndpointCredentials(t *testing.T) {
	tests := []struct {
		name          string
		authorization string
		wantStatus    int
	}{
		{"correct credentials", basicAuthorization("client", "secret"), http.StatusOK},
		{"vendor example header", "Basic Y2xpZW50OnNlY3JldA==", http.StatusOK},
		{"lowercase scheme", "basic Y2xpZW50OnNlY3JldA==", http.StatusOK},
		{"wrong secret", basicAuthorization("client", "wrong-secret-value"), http.StatusUnauthorized},
		{"wrong client id", basicAuthorization("wrong-client-value", "secret"), http.StatusUnauthorized},
		{"empty secret", basicAuthorization("client", ""), http.StatusUnauthorized},
		{"missing header", "", http.StatusUnauthorized},
		{"bearer scheme", "Bearer Y2xpZW50OnNlY3JldA==", http.StatusUnauthorized},
		{"invalid base64", "Basic !!not-base64!!", http.StatusUnauthorized},
		{"no colon", "Basic " + base64.StdEncoding.EncodeToString([]byte("clientsecret")), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTestEmulator()
			recorder := serve(e, http.MethodPost, auth.TokenPath, tt.authorization)

			if recorder.Code != tt.wantStatus {
				t.Fatalf("got status %d, want %d", recorder.Code, tt.wantStatus)
			}
			if got := recorder.Header().Get("Content-Type"); got != "application/json" {
				t.Errorf("got Content-Type %q, want %q", got, "application/json")
			}
			if tt.wantStatus == http.StatusOK {
				return
			}
			if got, want := recorder.Header().Get("WWW-Authenticate"), `Basic realm="athos"`; got != want {
				t.Errorf("got WWW-Authenticate %q, want %q", got, want)
			}
			if got, want := recorder.Body.String(), `{"error":"invalid_client"}`; got != want {
				t.Errorf("got body %q, want %q", got, want)
			}
			if strings.Contains(recorder.Body.String(), "wrong-") {
				t.Errorf("got body %q, want no echo of the credentials", recorder.Body.String())
			}
			if got := e.Stats().TokensIssued; got != 0 {
				t.Errorf("got TokensIssued %d, want 0", got)
			}
		})
	}
}

func TestTokenEndpointSecretWithColon(t *testing.T) {
	tests := []struct {
		name         string
		clientSecret string
		wantStatus   int
	}{
		{"full secret", "pa:ss:word", http.StatusOK},
		{"secret cut at first colon", "pa", http.StatusUnauthorized},
		{"secret missing last character", "pa:ss:wor", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(Config{ClientID: "id", ClientSecret: "pa:ss:word"})
			recorder := serve(e, http.MethodPost, auth.TokenPath, basicAuthorization("id", tt.clientSecret))
			if recorder.Code != tt.wantStatus {
				t.Errorf("got status %d, want %d", recorder.Code, tt.wantStatus)
			}
		})
	}
}

func TestTokenEndpointMethodNotAllowed(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			e, _ := newTestEmulator()
			recorder := serve(e, method, auth.TokenPath, basicAuthorization("client", "secret"))
			if recorder.Code != http.StatusMethodNotAllowed {
				t.Errorf("got status %d, want %d", recorder.Code, http.StatusMethodNotAllowed)
			}
			if got := recorder.Header().Get("Allow"); got != http.MethodPost {
				t.Errorf("got Allow %q, want %q", got, http.MethodPost)
			}
			if got := e.Stats().TokensIssued; got != 0 {
				t.Errorf("got TokensIssued %d, want 0", got)
			}
		})
	}
}

func TestUnknownPathNotFound(t *testing.T) {
	e, _ := newTestEmulator()
	recorder := serve(e, http.MethodPost, "/corp/auth/token", basicAuthorization("client", "secret"))
	if recorder.Code != http.StatusNotFound {
		t.Errorf("got status %d, want %d", recorder.Code, http.StatusNotFound)
	}
}

func TestTokenResponseFields(t *testing.T) {
	e, _ := newTestEmulator()
	recorder := serve(e, http.MethodPost, auth.TokenPath, basicAuthorization("client", "secret"))
	if recorder.Code != http.StatusOK {
		t.Fatalf("got status %d, want %d", recorder.Code, http.StatusOK)
	}
	if got := recorder.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("got Content-Type %q, want %q", got, "application/json")
	}
	if got := recorder.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("got Cache-Control %q, want %q", got, "no-store")
	}

	decoder := json.NewDecoder(bytes.NewReader(recorder.Body.Bytes()))
	decoder.UseNumber()
	var fields map[string]any
	if err := decoder.Decode(&fields); err != nil {
		t.Fatalf("got undecodable body %q: %v", recorder.Body.String(), err)
	}
	for _, key := range []string{"accessToken", "expiresIn", "expiresAt", "scope"} {
		if _, ok := fields[key]; !ok {
			t.Errorf("got body %q, want key %q", recorder.Body.String(), key)
		}
	}
	if len(fields) != 4 {
		t.Errorf("got %d keys in %q, want 4", len(fields), recorder.Body.String())
	}
	if got, ok := fields["expiresIn"].(json.Number); !ok || got.String() != "43200" {
		t.Errorf("got expiresIn %v, want the integer 43200", fields["expiresIn"])
	}
	if got, want := fields["expiresAt"], "2024-10-26T06:52:09.443Z"; got != want {
		t.Errorf("got expiresAt %v, want %q", got, want)
	}
	if got, want := fields["scope"], "read:corp write:corp"; got != want {
		t.Errorf("got scope %v, want %q", got, want)
	}

	token, _ := fields["accessToken"].(string)
	if !strings.HasPrefix(token, "ey") {
		t.Errorf("got accessToken %q, want prefix %q", token, "ey")
	}
	if got := len(strings.Split(token, ".")); got != 3 {
		t.Errorf("got %d dot-separated parts in accessToken, want 3", got)
	}
	for _, part := range strings.Split(token, ".") {
		if _, err := base64.RawURLEncoding.DecodeString(part); err != nil {
			t.Errorf("got accessToken part %q that is not base64url: %v", part, err)
		}
	}
	for _, char := range token {
		if char <= ' ' || char > '~' {
			t.Errorf("got accessToken with character %q, want only visible ASCII", char)
			break
		}
	}
}

func TestTokenCachedWithinThreshold(t *testing.T) {
	e, clock := newTestEmulator()
	first := fetchToken(t, e)

	// Each elapsed time is measured from the first request.
	tests := []struct {
		elapsed       time.Duration
		wantExpiresIn int64
	}{
		{time.Second, 43199},
		{1500 * time.Millisecond, 43198},
		{time.Hour, 39600},
		{9 * time.Hour, 10800},
		{11*time.Hour + 29*time.Minute + 59*time.Second, 1801},
		{11*time.Hour + 30*time.Minute, 1800},
	}
	elapsed := time.Duration(0)
	for _, tt := range tests {
		t.Run(tt.elapsed.String(), func(t *testing.T) {
			clock.Advance(tt.elapsed - elapsed)
			elapsed = tt.elapsed
			got := fetchToken(t, e)

			if got.AccessToken != first.AccessToken {
				t.Errorf("got a new accessToken, want the cached one")
			}
			if got.ExpiresIn != tt.wantExpiresIn {
				t.Errorf("got expiresIn %d, want %d", got.ExpiresIn, tt.wantExpiresIn)
			}
			if got.ExpiresAt != first.ExpiresAt {
				t.Errorf("got expiresAt %q, want %q", got.ExpiresAt, first.ExpiresAt)
			}
		})
	}
	if got := e.Stats().TokensIssued; got != 1 {
		t.Errorf("got TokensIssued %d, want 1", got)
	}
}

func TestTokenReissuedUnderThreshold(t *testing.T) {
	tests := []struct {
		name    string
		elapsed time.Duration
	}{
		{"one second under threshold", 11*time.Hour + 30*time.Minute + time.Second},
		{"twenty minutes left", 11*time.Hour + 40*time.Minute},
		{"at expiry", 12 * time.Hour},
		{"after expiry", 13 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, clock := newTestEmulator()
			first := fetchToken(t, e)
			clock.Advance(tt.elapsed)
			second := fetchToken(t, e)

			if second.AccessToken == first.AccessToken {
				t.Fatalf("got the cached accessToken, want a new one")
			}
			if second.ExpiresIn != 43200 {
				t.Errorf("got expiresIn %d, want 43200", second.ExpiresIn)
			}
			wantExpiresAt := testStart.Add(tt.elapsed + 12*time.Hour).Format("2006-01-02T15:04:05.000Z")
			if second.ExpiresAt != wantExpiresAt {
				t.Errorf("got expiresAt %q, want %q", second.ExpiresAt, wantExpiresAt)
			}

			third := fetchToken(t, e)
			if third.AccessToken != second.AccessToken {
				t.Errorf("got another new accessToken, want the new one cached")
			}
			if got := e.Stats().TokensIssued; got != 2 {
				t.Errorf("got TokensIssued %d, want 2", got)
			}
		})
	}
}

func TestConfigLifetimeAndThreshold(t *testing.T) {
	clock := newFakeClock()
	e := New(Config{Lifetime: 10 * time.Minute, CacheThreshold: 5 * time.Minute, Now: clock.Now})
	first := fetchToken(t, e)
	if first.ExpiresIn != 600 {
		t.Errorf("got expiresIn %d, want 600", first.ExpiresIn)
	}

	clock.Advance(4 * time.Minute)
	cached := fetchToken(t, e)
	if cached.AccessToken != first.AccessToken {
		t.Errorf("with 6m left: got a new accessToken, want the cached one")
	}
	if cached.ExpiresIn != 360 {
		t.Errorf("with 6m left: got expiresIn %d, want 360", cached.ExpiresIn)
	}

	clock.Advance(2 * time.Minute)
	renewed := fetchToken(t, e)
	if renewed.AccessToken == first.AccessToken {
		t.Errorf("with 4m left: got the cached accessToken, want a new one")
	}
}

func TestConfigDefaults(t *testing.T) {
	e := New(Config{})
	before := time.Now()
	body := fetchToken(t, e)
	after := time.Now()

	if body.ExpiresIn != 43200 {
		t.Errorf("got expiresIn %d, want 43200", body.ExpiresIn)
	}
	expiresAt, err := time.Parse(time.RFC3339Nano, body.ExpiresAt)
	if err != nil {
		t.Fatalf("got unparsable expiresAt %q: %v", body.ExpiresAt, err)
	}
	earliest := before.Add(12 * time.Hour).Truncate(time.Millisecond)
	latest := after.Add(12 * time.Hour)
	if expiresAt.Before(earliest) || expiresAt.After(latest) {
		t.Errorf("got expiresAt %v, want between %v and %v", expiresAt, earliest, latest)
	}
}

func TestSetLifetimeAffectsLaterTokens(t *testing.T) {
	e, _ := newTestEmulator()
	first := fetchToken(t, e)

	e.SetLifetime(time.Hour)
	cached := fetchToken(t, e)
	if cached.AccessToken != first.AccessToken {
		t.Errorf("got a new accessToken, want the cached one")
	}
	if cached.ExpiresIn != 43200 {
		t.Errorf("got expiresIn %d for the cached token, want 43200", cached.ExpiresIn)
	}

	e.RevokeTokens()
	renewed := fetchToken(t, e)
	if renewed.ExpiresIn != 3600 {
		t.Errorf("got expiresIn %d after SetLifetime(1h), want 3600", renewed.ExpiresIn)
	}

	e.SetLifetime(0)
	e.RevokeTokens()
	restored := fetchToken(t, e)
	if restored.ExpiresIn != 43200 {
		t.Errorf("got expiresIn %d after SetLifetime(0), want 43200", restored.ExpiresIn)
	}
}

func TestLifetimeBelowThresholdIssuesUniqueTokens(t *testing.T) {
	e, _ := newTestEmulator()
	e.SetLifetime(time.Minute)

	const count = 100
	seen := make(map[string]bool, count)
	for range count {
		body := fetchToken(t, e)
		if seen[body.AccessToken] {
			t.Fatalf("got accessToken %q twice, want a new token each time", body.AccessToken)
		}
		seen[body.AccessToken] = true
	}
	if got := e.Stats().TokensIssued; got != count {
		t.Errorf("got TokensIssued %d, want %d", got, count)
	}
}

func TestConcurrentTokenRequestsShareToken(t *testing.T) {
	e, _ := newTestEmulator()

	const count = 20
	tokens := make([]string, count)
	var wg sync.WaitGroup
	for i := range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recorder := serve(e, http.MethodPost, auth.TokenPath, basicAuthorization("client", "secret"))
			var body tokenBody
			_ = json.Unmarshal(recorder.Body.Bytes(), &body)
			tokens[i] = body.AccessToken
		}()
	}
	wg.Wait()

	for i, token := range tokens {
		if token == "" || token != tokens[0] {
			t.Errorf("request %d: got accessToken %q, want %q", i, token, tokens[0])
		}
	}
	if got := e.Stats().TokensIssued; got != 1 {
		t.Errorf("got TokensIssued %d, want 1", got)
	}
}

func TestProtectedEndpoint(t *testing.T) {
	tests := []struct {
		name string
		// authorize prepares the emulator and returns the Authorization header.
		authorize  func(t *testing.T, e *Emulator, clock *fakeClock) string
		wantStatus int
		wantAuth   string
	}{
		{
			name: "current token",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				return "Bearer " + fetchToken(t, e).AccessToken
			},
			wantStatus: http.StatusOK,
			wantAuth:   "bearer",
		},
		{
			name: "lowercase bearer scheme",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				return "bearer " + fetchToken(t, e).AccessToken
			},
			wantStatus: http.StatusOK,
			wantAuth:   "bearer",
		},
		{
			name: "old but unexpired token",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				old := fetchToken(t, e).AccessToken
				clock.Advance(11*time.Hour + 40*time.Minute)
				if fetchToken(t, e).AccessToken == old {
					t.Fatalf("got the old accessToken, want a new one")
				}
				return "Bearer " + old
			},
			wantStatus: http.StatusOK,
			wantAuth:   "bearer",
		},
		{
			name: "token one second before expiry",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				token := fetchToken(t, e).AccessToken
				clock.Advance(12*time.Hour - time.Second)
				return "Bearer " + token
			},
			wantStatus: http.StatusOK,
			wantAuth:   "bearer",
		},
		{
			name: "token at expiry",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				token := fetchToken(t, e).AccessToken
				clock.Advance(12 * time.Hour)
				return "Bearer " + token
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "old token after expiry",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				old := fetchToken(t, e).AccessToken
				clock.Advance(11*time.Hour + 40*time.Minute)
				fetchToken(t, e)
				clock.Advance(21 * time.Minute)
				return "Bearer " + old
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "revoked token",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				token := fetchToken(t, e).AccessToken
				e.RevokeTokens()
				return "Bearer " + token
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "valid basic credentials",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				return basicAuthorization("client", "secret")
			},
			wantStatus: http.StatusOK,
			wantAuth:   "basic",
		},
		{
			name: "wrong basic credentials",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				return basicAuthorization("client", "wrong-secret-value")
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "garbage bearer token",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				fetchToken(t, e)
				return "Bearer eyGarbage.not.issued"
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "empty bearer token",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				fetchToken(t, e)
				return "Bearer "
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "unknown scheme",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				return "Token " + fetchToken(t, e).AccessToken
			},
			wantStatus: http.StatusUnauthorized,
		},
		{
			name: "missing header",
			authorize: func(t *testing.T, e *Emulator, clock *fakeClock) string {
				fetchToken(t, e)
				return ""
			},
			wantStatus: http.StatusUnauthorized,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, clock := newTestEmulator()
			authorization := tt.authorize(t, e, clock)
			recorder := serve(e, http.MethodGet, "/corp/me", authorization)

			if recorder.Code != tt.wantStatus {
				t.Fatalf("got status %d, want %d (body %q)", recorder.Code, tt.wantStatus, recorder.Body.String())
			}
			stats := e.Stats()
			if tt.wantStatus == http.StatusUnauthorized {
				if got, want := recorder.Body.String(), `{"error":"unauthorized"}`; got != want {
					t.Errorf("got body %q, want %q", got, want)
				}
				if stats.ProtectedRejected != 1 {
					t.Errorf("got ProtectedRejected %d, want 1", stats.ProtectedRejected)
				}
				return
			}

			var body struct {
				ClientID string `json:"clientId"`
				Auth     string `json:"auth"`
			}
			if err := json.Unmarshal(recorder.Body.Bytes(), &body); err != nil {
				t.Fatalf("got undecodable body %q: %v", recorder.Body.String(), err)
			}
			if body.ClientID != "client" {
				t.Errorf("got clientId %q, want %q", body.ClientID, "client")
			}
			if body.Auth != tt.wantAuth {
				t.Errorf("got auth %q, want %q", body.Auth, tt.wantAuth)
			}
			if stats.ProtectedOK != 1 {
				t.Errorf("got ProtectedOK %d, want 1", stats.ProtectedOK)
			}
		})
	}
}

func TestProtectedEndpointMethodNotAllowed(t *testing.T) {
	e, _ := newTestEmulator()
	recorder := serve(e, http.MethodPost, "/corp/me", basicAuthorization("client", "secret"))
	if recorder.Code != http.StatusMethodNotAllowed {
		t.Errorf("got status %d, want %d", recorder.Code, http.StatusMethodNotAllowed)
	}
	if got := recorder.Header().Get("Allow"); got != http.MethodGet {
		t.Errorf("got Allow %q, want %q", got, http.MethodGet)
	}
}

func TestRevokeTokensIssuesNewToken(t *testing.T) {
	e, _ := newTestEmulator()
	revoked := fetchToken(t, e).AccessToken
	e.RevokeTokens()

	renewed := fetchToken(t, e).AccessToken
	if renewed == revoked {
		t.Fatalf("got the revoked accessToken, want a new one")
	}
	if got := serve(e, http.MethodGet, "/corp/me", "Bearer "+renewed).Code; got != http.StatusOK {
		t.Errorf("new token: got status %d, want %d", got, http.StatusOK)
	}
	if got := serve(e, http.MethodGet, "/corp/me", "Bearer "+revoked).Code; got != http.StatusUnauthorized {
		t.Errorf("revoked token: got status %d, want %d", got, http.StatusUnauthorized)
	}
}

func TestFailureResponses(t *testing.T) {
	tests := []struct {
		failure     Failure
		wantStatus  int
		wantHeaders map[string]string
		// checkBody reports what is wrong with the body, or "" when nothing is.
		checkBody func(body []byte) string
	}{
		{
			failure:    FailReject,
			wantStatus: http.StatusUnauthorized,
			wantHeaders: map[string]string{
				"WWW-Authenticate": `Basic realm="athos"`,
				"Content-Type":     "application/json",
			},
			checkBody: wantBody(`{"error":"invalid_client"}`),
		},
		{
			failure:     FailServerError,
			wantStatus:  http.StatusInternalServerError,
			wantHeaders: map[string]string{"Content-Type": "application/json"},
			checkBody:   wantBody(`{"error":"server_error"}`),
		},
		{
			failure:     FailRateLimit,
			wantStatus:  http.StatusTooManyRequests,
			wantHeaders: map[string]string{"Retry-After": "30"},
			checkBody:   wantBody(`{"error":"rate_limited"}`),
		},
		{
			failure:     FailMalformed,
			wantStatus:  http.StatusOK,
			wantHeaders: map[string]string{"Content-Type": "application/json"},
			checkBody: func(body []byte) string {
				if len(body) == 0 {
					return "got an empty body, want a non-JSON body"
				}
				if json.Valid(body) {
					return "got valid JSON, want a body that is not JSON"
				}
				return ""
			},
		},
		{
			failure:    FailOversized,
			wantStatus: http.StatusOK,
			wantHeaders: map[string]string{
				"Content-Type":   "application/json",
				"Content-Length": "1048576",
			},
			checkBody: func(body []byte) string {
				if len(body) != 1<<20 {
					return fmt.Sprintf("got a body of %d bytes, want %d", len(body), 1<<20)
				}
				if !bytes.HasPrefix(body, []byte(`{"accessToken":"ey`)) {
					return "got a body without the accessToken prefix, want a JSON-looking token response"
				}
				if !json.Valid(body) {
					return "got invalid JSON, want valid JSON so that only a size limit rejects it"
				}
				return ""
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.failure.String(), func(t *testing.T) {
			e, _ := newTestEmulator()
			e.SetFailure(tt.failure)
			recorder := serve(e, http.MethodPost, auth.TokenPath, basicAuthorization("client", "secret"))

			if recorder.Code != tt.wantStatus {
				t.Errorf("got status %d, want %d", recorder.Code, tt.wantStatus)
			}
			for name, want := range tt.wantHeaders {
				if got := recorder.Header().Get(name); got != want {
					t.Errorf("got %s %q, want %q", name, got, want)
				}
			}
			if problem := tt.checkBody(recorder.Body.Bytes()); problem != "" {
				t.Error(problem)
			}
			stats := e.Stats()
			if stats.TokenRequests != 1 {
				t.Errorf("got TokenRequests %d, want 1", stats.TokenRequests)
			}
			if stats.TokensIssued != 0 {
				t.Errorf("got TokensIssued %d, want 0", stats.TokensIssued)
			}
		})
	}
}

func wantBody(want string) func(body []byte) string {
	return func(body []byte) string {
		if string(body) != want {
			return "got body " + string(body) + ", want " + want
		}
		return ""
	}
}

func TestSetFailureNoneRestoresTokens(t *testing.T) {
	e, _ := newTestEmulator()
	e.SetFailure(FailServerError)
	if got := serve(e, http.MethodPost, auth.TokenPath, basicAuthorization("client", "secret")).Code; got != http.StatusInternalServerError {
		t.Fatalf("with server-error: got status %d, want %d", got, http.StatusInternalServerError)
	}
	e.SetFailure(FailNone)
	fetchToken(t, e)
}

func TestFailureHangTimesOut(t *testing.T) {
	e, _ := newTestEmulator()
	baseURL := startEmulator(t, e)
	e.SetFailure(FailHang)
	client, transport := newLoopbackClient(200 * time.Millisecond)
	defer transport.CloseIdleConnections()

	started := time.Now()
	response, err := client.Do(newTokenRequest(t, context.Background(), baseURL))
	if err == nil {
		response.Body.Close()
		t.Fatalf("got status %d, want a client timeout", response.StatusCode)
	}
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Errorf("got error %v, want a timeout", err)
	}
	if elapsed := time.Since(started); elapsed > 5*time.Second {
		t.Errorf("got an error after %v, want one after about 200ms", elapsed)
	}

	// The protected endpoint ignores the failure mode.
	request, err := http.NewRequest(http.MethodGet, baseURL+"/corp/me", nil)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	request.Header.Set("Authorization", basicAuthorization("client", "secret"))
	response, err = client.Do(request)
	if err != nil {
		t.Fatalf("protected endpoint: got error %v, want status 200", err)
	}
	response.Body.Close()
	if response.StatusCode != http.StatusOK {
		t.Errorf("protected endpoint: got status %d, want %d", response.StatusCode, http.StatusOK)
	}
}

func TestFailureSlowDelaysToken(t *testing.T) {
	e := New(Config{SlowDelay: 50 * time.Millisecond})
	baseURL := startEmulator(t, e)
	e.SetFailure(FailSlow)

	started := time.Now()
	token, err := (&auth.Client{APIURL: baseURL}).FetchToken(context.Background(),
		auth.Credentials{ClientID: "client", ClientSecret: "secret"})
	if err != nil {
		t.Fatalf("FetchToken: got error %v, want a token", err)
	}
	if token.AccessToken == "" {
		t.Errorf("FetchToken: got an empty token")
	}
	if elapsed := time.Since(started); elapsed < 50*time.Millisecond {
		t.Errorf("got the token after %v, want it after the 50ms delay", elapsed)
	}

}

func TestFailureSlowClientGivesUp(t *testing.T) {
	e := New(Config{SlowDelay: time.Hour})
	client := &auth.Client{APIURL: startEmulator(t, e), Timeout: 10 * time.Millisecond}
	e.SetFailure(FailSlow)

	_, err := client.FetchToken(context.Background(), auth.Credentials{ClientID: "client", ClientSecret: "secret"})
	if !errors.Is(err, auth.ErrTimeout) {
		t.Errorf("FetchToken with a 10ms timeout: got error %v, want auth.ErrTimeout", err)
	}
	if got := e.Stats().TokensIssued; got != 0 {
		t.Errorf("got TokensIssued %d after the client gave up, want 0", got)
	}
}

func TestFailureLoginPageRejectedByClient(t *testing.T) {
	e, _ := newTestEmulator()
	baseURL := startEmulator(t, e)
	e.SetFailure(FailLoginPage)

	_, err := (&auth.Client{APIURL: baseURL}).FetchToken(context.Background(),
		auth.Credentials{ClientID: "client", ClientSecret: "secret"})
	if !errors.Is(err, auth.ErrMalformedResponse) || !strings.Contains(err.Error(), "text/html") {
		t.Errorf("FetchToken: got error %v, want auth.ErrMalformedResponse naming text/html", err)
	}
}

func TestFailureHangReleasedByClose(t *testing.T) {
	goroutinesBefore := runtime.NumGoroutine()

	e, _ := newTestEmulator()
	baseURL, err := e.Start("")
	if err != nil {
		t.Fatalf("Start: got error %v, want nil", err)
	}
	e.SetFailure(FailHang)
	client, transport := newLoopbackClient(0)

	request := newTokenRequest(t, context.Background(), baseURL)
	result := make(chan error, 1)
	go func() {
		response, err := client.Do(request)
		if err == nil {
			response.Body.Close()
		}
		result <- err
	}()

	// Wait until the handler holds the request.
	deadline := time.Now().Add(5 * time.Second)
	for e.Stats().TokenRequests == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("got no token request within 5s, want one")
		}
		time.Sleep(time.Millisecond)
	}

	if err := e.Close(); err != nil {
		t.Errorf("Close: got error %v, want nil", err)
	}
	select {
	case err := <-result:
		if err == nil {
			t.Errorf("got a response, want a closed connection")
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("got no result 5s after Close, want the request to fail")
	}
	transport.CloseIdleConnections()

	// Goroutines of the server, the handler and the client connection end
	// shortly after Close, so poll instead of counting once.
	deadline = time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > goroutinesBefore {
		if time.Now().After(deadline) {
			t.Fatalf("got %d goroutines 5s after Close, want at most %d", runtime.NumGoroutine(), goroutinesBefore)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProtectedEndpointIgnoresFailures(t *testing.T) {
	e, _ := newTestEmulator()
	baseURL := startEmulator(t, e)
	client, transport := newLoopbackClient(5 * time.Second)
	defer transport.CloseIdleConnections()

	for _, failure := range []Failure{FailReject, FailServerError, FailRateLimit, FailMalformed, FailOversized, FailHang,
		FailDrop, FailSlow, FailLoginPage} {
		t.Run(failure.String(), func(t *testing.T) {
			e.SetFailure(failure)
			request, err := http.NewRequest(http.MethodGet, baseURL+"/corp/me", nil)
			if err != nil {
				t.Fatalf("NewRequest: %v", err)
			}
			request.Header.Set("Authorization", basicAuthorization("client", "secret"))

			response, err := client.Do(request)
			if err != nil {
				t.Fatalf("got error %v, want status 200", err)
			}
			body, _ := io.ReadAll(response.Body)
			response.Body.Close()
			if response.StatusCode != http.StatusOK {
				t.Errorf("got status %d, want %d", response.StatusCode, http.StatusOK)
			}
			if want := `{"clientId":"client","auth":"basic"}`; string(body) != want {
				t.Errorf("got body %q, want %q", body, want)
			}
		})
	}
}

func TestFailureDropClosesConnection(t *testing.T) {
	e, _ := newTestEmulator()
	baseURL := startEmulator(t, e)
	e.SetFailure(FailDrop)
	client, transport := newLoopbackClient(5 * time.Second)
	defer transport.CloseIdleConnections()

	response, err := client.Do(newTokenRequest(t, context.Background(), baseURL))
	if err == nil {
		response.Body.Close()
		t.Fatalf("got status %d, want a closed connection", response.StatusCode)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Errorf("got timeout %v, want a closed connection", err)
	}
	if got := e.Stats().TokenRequests; got != 1 {
		t.Errorf("got TokenRequests %d, want 1", got)
	}
}

func TestFailureDropWithoutHijackPanics(t *testing.T) {
	e, _ := newTestEmulator()
	e.SetFailure(FailDrop)
	defer func() {
		if got := recover(); got != http.ErrAbortHandler {
			t.Errorf("got panic value %v, want http.ErrAbortHandler", got)
		}
	}()
	serve(e, http.MethodPost, auth.TokenPath, basicAuthorization("client", "secret"))
}

func TestParseFailure(t *testing.T) {
	tests := []struct {
		name string
		want Failure
	}{
		{"none", FailNone},
		{"reject", FailReject},
		{"server-error", FailServerError},
		{"rate-limit", FailRateLimit},
		{"malformed", FailMalformed},
		{"oversized", FailOversized},
		{"hang", FailHang},
		{"drop", FailDrop},
		{"slow", FailSlow},
		{"login-page", FailLoginPage},
		{"Rate-Limit", FailRateLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFailure(tt.name)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if !strings.EqualFold(got.String(), tt.name) {
				t.Errorf("got String %q, want %q", got.String(), tt.name)
			}
		})
	}
}

func TestParseFailureUnknownName(t *testing.T) {
	for _, name := range []string{"", "timeout", "server_error", " hang"} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseFailure(name)
			if err == nil {
				t.Fatalf("got %v and no error, want an error", got)
			}
			if !strings.Contains(err.Error(), "server-error") {
				t.Errorf("got error %q, want it to list the valid names", err)
			}
		})
	}
}

func TestFailureStringUndeclared(t *testing.T) {
	if got, want := Failure(42).String(), "Failure(42)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestStartRejectsNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.10:0", "example.com:0", "127.0.0.1"} {
		t.Run(addr, func(t *testing.T) {
			e, _ := newTestEmulator()
			defer e.Close()
			baseURL, err := e.Start(addr)
			if err == nil {
				t.Fatalf("got base URL %q, want an error", baseURL)
			}
			if baseURL != "" {
				t.Errorf("got base URL %q, want empty", baseURL)
			}
		})
	}
}

func TestStartServesOnLoopback(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:0", "localhost:0"} {
		t.Run("addr "+addr, func(t *testing.T) {
			e, _ := newTestEmulator()
			baseURL, err := e.Start(addr)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			defer e.Close()
			if !strings.HasPrefix(baseURL, "http://127.0.0.1:") || strings.HasSuffix(baseURL, ":0") {
				t.Fatalf("got base URL %q, want http://127.0.0.1:PORT", baseURL)
			}

			client, transport := newLoopbackClient(5 * time.Second)
			defer transport.CloseIdleConnections()
			response, err := client.Do(newTokenRequest(t, context.Background(), baseURL))
			if err != nil {
				t.Fatalf("token request: got error %v, want nil", err)
			}
			var body tokenBody
			decodeErr := json.NewDecoder(response.Body).Decode(&body)
			response.Body.Close()
			if response.StatusCode != http.StatusOK {
				t.Fatalf("token request: got status %d, want %d", response.StatusCode, http.StatusOK)
			}
			if decodeErr != nil {
				t.Fatalf("token request: got undecodable body: %v", decodeErr)
			}

			request, err := http.NewRequest(http.MethodGet, baseURL+"/corp/me", nil)
			if err != nil {
				t.Fatalf("NewRequest: %v", err)
			}
			request.Header.Set("Authorization", "Bearer "+body.AccessToken)
			response, err = client.Do(request)
			if err != nil {
				t.Fatalf("protected request: got error %v, want nil", err)
			}
			_, _ = io.Copy(io.Discard, response.Body)
			response.Body.Close()
			if response.StatusCode != http.StatusOK {
				t.Errorf("protected request: got status %d, want %d", response.StatusCode, http.StatusOK)
			}
		})
	}
}

func TestCloseStopsServer(t *testing.T) {
	e, _ := newTestEmulator()
	baseURL, err := e.Start("")
	if err != nil {
		t.Fatalf("Start: got error %v, want nil", err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: got error %v, want nil", err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: got error %v, want nil", err)
	}

	client, transport := newLoopbackClient(5 * time.Second)
	defer transport.CloseIdleConnections()
	response, err := client.Do(newTokenRequest(t, context.Background(), baseURL))
	if err == nil {
		response.Body.Close()
		t.Errorf("got status %d after Close, want a connection error", response.StatusCode)
	}
}

func TestStartTwiceFails(t *testing.T) {
	e, _ := newTestEmulator()
	startEmulator(t, e)
	if baseURL, err := e.Start(""); err == nil {
		t.Errorf("got base URL %q, want an error", baseURL)
	}
}

func TestStartAfterCloseFails(t *testing.T) {
	e, _ := newTestEmulator()
	if err := e.Close(); err != nil {
		t.Fatalf("Close without Start: got error %v, want nil", err)
	}
	if baseURL, err := e.Start(""); err == nil {
		_ = e.Close()
		t.Errorf("got base URL %q, want an error", baseURL)
	}
}

func TestStatsCounts(t *testing.T) {
	e, _ := newTestEmulator()
	token := fetchToken(t, e).AccessToken
	fetchToken(t, e)
	serve(e, http.MethodPost, auth.TokenPath, basicAuthorization("client", "wrong-secret-value"))
	e.SetFailure(FailServerError)
	serve(e, http.MethodPost, auth.TokenPath, basicAuthorization("client", "secret"))
	serve(e, http.MethodGet, "/corp/me", "Bearer "+token)
	serve(e, http.MethodGet, "/corp/me", "Bearer not-a-token")
	serve(e, http.MethodGet, "/corp/me", "")

	want := Stats{TokenRequests: 4, TokensIssued: 1, ProtectedOK: 1, ProtectedRejected: 2}
	if got := e.Stats(); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
