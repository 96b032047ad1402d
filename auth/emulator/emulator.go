// Package emulator serves an in-process emulation of the Athos token endpoint
// and of one protected API endpoint. Tests and the app's --sandbox mode use it
// in place of the production API, which development machines cannot reach.
//
// The emulation follows the vendor's documented behaviour. The token endpoint
// accepts one client id and secret as Basic credentials and returns a
// camelCase JSON token response. Tokens live 12 hours, and the server caches
// them: it returns the same token until less than 30 minutes of its lifetime
// remain. The protected endpoint accepts those tokens as Bearer credentials
// and, like the production API for now, the Basic credentials themselves.
// Failure modes make the token endpoint misbehave on demand.
//
// The emulator writes no logs and never puts credentials or tokens into an
// error response.
package emulator

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/athos-tray/athos-tray/auth"
)

const (
	defaultClientID       = "client"
	defaultClientSecret   = "secret"
	defaultLifetime       = 12 * time.Hour
	defaultCacheThreshold = 30 * time.Minute
	defaultListenAddress  = "127.0.0.1:0"
	defaultSlowDelay      = 3 * time.Second

	// mePath is the path of the protected endpoint, which returns the
	// authenticated client id.
	mePath = "/corp/me"

	// grantedScope is the scope every token response reports.
	grantedScope = "read:corp write:corp"

	// expiresAtLayout formats expiresAt in UTC with milliseconds, as in
	// "2024-10-26T06:52:09.443Z". Callers must convert the time to UTC first.
	expiresAtLayout = "2006-01-02T15:04:05.000Z"

	// maxRequestBodyBytes is how much of a token request body the emulator
	// reads. The body carries nothing it uses.
	maxRequestBodyBytes = 64 << 10

	// shutdownTimeout is how long Close waits for running handlers before it
	// closes their connections.
	shutdownTimeout = 5 * time.Second
)

// Config sets the credentials, token lifetime, cache threshold and clock of an
// Emulator. The zero value is a valid configuration.
type Config struct {
	// ClientID and ClientSecret are the one accepted credential pair. An
	// empty ClientID means "client" and an empty ClientSecret means "secret".
	ClientID, ClientSecret string
	// Lifetime is the lifetime of a new token. Zero or negative means 12h.
	Lifetime time.Duration
	// CacheThreshold is the remaining lifetime below which the token endpoint
	// stops returning the cached token and issues a new one. While at least
	// this much remains, it returns the same token. Zero or negative means
	// 30m.
	CacheThreshold time.Duration
	// Now returns the current time for issuing tokens and checking their
	// expiry. Nil means time.Now.
	Now func() time.Time
	// SlowDelay is how long FailSlow delays each token response. Zero or
	// negative means 3s.
	SlowDelay time.Duration
}

// Stats contains request counters since New.
type Stats struct {
	// TokenRequests counts every request to the token endpoint, including
	// rejected ones and those served by a failure mode.
	TokenRequests int
	// TokensIssued counts new tokens. A response with the cached token does
	// not add to it.
	TokensIssued int
	// ProtectedOK counts protected-endpoint requests that got status 200.
	ProtectedOK int
	// ProtectedRejected counts protected-endpoint requests that got status
	// 401.
	ProtectedRejected int
}

// Emulator is an http.Handler that emulates the Athos token endpoint and the
// protected endpoint GET /corp/me. Start serves it on a loopback address.
// All methods are safe for concurrent use.
type Emulator struct {
	// These fields are set by New and never change.
	clientID       string
	clientSecret   string
	cacheThreshold time.Duration
	slowDelay      time.Duration
	now            func() time.Time
	// done is closed by the first Close call. It releases requests that
	// FailHang holds.
	done chan struct{}

	// mu guards every field below.
	mu       sync.Mutex
	lifetime time.Duration
	failure  Failure
	// tokens maps each issued, unrevoked token to its expiry time. Expired
	// tokens are pruned whenever a new token is issued.
	tokens map[string]time.Time
	// current is the token that the cache returns, or "" when there is none.
	current string
	stats   Stats
	// server is the server that Start created, nil before Start and after
	// Close. serveDone is closed when its Serve call returns.
	server    *http.Server
	serveDone chan struct{}
	closed    bool
}

// tokenResponse is the JSON body of a successful token request.
type tokenResponse struct {
	AccessToken string `json:"accessToken"`
	// ExpiresIn is the remaining lifetime in whole seconds.
	ExpiresIn int64  `json:"expiresIn"`
	ExpiresAt string `json:"expiresAt"`
	Scope     string `json:"scope"`
}

// meResponse is the JSON body of a successful protected-endpoint request.
type meResponse struct {
	ClientID string `json:"clientId"`
	// Auth is the scheme that authenticated the request: "bearer" or "basic".
	Auth string `json:"auth"`
}

// errorResponse is the JSON body of every error status. Code never contains
// credentials or tokens.
type errorResponse struct {
	Code string `json:"error"`
}

// New returns an Emulator that applies the defaults described on Config. It
// serves requests through ServeHTTP at once, and on a socket after Start.
func New(cfg Config) *Emulator {
	e := &Emulator{
		clientID:       cfg.ClientID,
		clientSecret:   cfg.ClientSecret,
		cacheThreshold: cfg.CacheThreshold,
		now:            cfg.Now,
		done:           make(chan struct{}),
		lifetime:       cfg.Lifetime,
		tokens:         make(map[string]time.Time),
	}
	if e.clientID == "" {
		e.clientID = defaultClientID
	}
	if e.clientSecret == "" {
		e.clientSecret = defaultClientSecret
	}
	if e.cacheThreshold <= 0 {
		e.cacheThreshold = defaultCacheThreshold
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.lifetime <= 0 {
		e.lifetime = defaultLifetime
	}
	e.slowDelay = cfg.SlowDelay
	if e.slowDelay <= 0 {
		e.slowDelay = defaultSlowDelay
	}
	return e
}

// Start listens on addr and serves the emulator in the background until
// Close. An empty addr means "127.0.0.1:0", which picks a free port. Start
// rejects any host that is not a loopback IP address, except "localhost",
// which it maps to 127.0.0.1 without a DNS lookup. It returns the base URL to
// use in place of the production API URL, such as "http://127.0.0.1:41234".
// Start fails if the emulator was already started or closed.
func (e *Emulator) Start(addr string) (baseURL string, err error) {
	if addr == "" {
		addr = defaultListenAddress
	}
	listenAddress, err := loopbackListenAddress(addr)
	if err != nil {
		return "", err
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return "", errors.New("emulator: Start called after Close (create a new Emulator with New)")
	}
	if e.server != nil {
		return "", errors.New("emulator: Start called twice, but an Emulator can be started only once")
	}

	listener, err := net.Listen("tcp", listenAddress)
	if err != nil {
		return "", fmt.Errorf("emulator: listen on %s failed: %w", listenAddress, err)
	}
	server := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		// net/http would otherwise print connection errors to stderr.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	serveDone := make(chan struct{})
	go func() {
		defer close(serveDone)
		// Serve returns http.ErrServerClosed after Close, which is expected.
		_ = server.Serve(listener)
	}()
	e.server = server
	e.serveDone = serveDone
	return "http://" + listener.Addr().String(), nil
}

// loopbackListenAddress validates addr as host:port with a loopback host and
// returns it with the host as an IP literal.
func loopbackListenAddress(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("emulator: invalid listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		// Resolving the name could return a non-loopback address on a
		// misconfigured machine, so map it directly.
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("emulator: invalid listen address %q: the host must be a loopback IP such as 127.0.0.1, so use \"127.0.0.1:0\" or an empty address", addr)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

// Close releases requests held by FailHang and, if Start was called, stops
// the server and waits for its handlers to return. If a handler is still
// running after 5 seconds, Close closes its connection and returns an error
// without waiting further. Close is safe to call more than once, and it also
// works when Start was never called. Start fails after Close.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if !e.closed {
		e.closed = true
		close(e.done)
	}
	server := e.server
	serveDone := e.serveDone
	e.server = nil
	e.serveDone = nil
	e.mu.Unlock()

	if server == nil {
		return nil
	}

	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := server.Shutdown(ctx)
	if err != nil {
		_ = server.Close()
		err = fmt.Errorf("emulator: shutdown did not finish within %s: %w", shutdownTimeout, err)
	}
	<-serveDone
	return err
}

// SetFailure makes the token endpoint misbehave as f describes, from the next
// request on. FailNone restores normal responses. The protected endpoint is not
// affected.
func (e *Emulator) SetFailure(f Failure) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failure = f
}

// SetLifetime sets the lifetime of tokens issued from now on. Zero or negative
// restores the 12h default. The cached token keeps its expiry. A lifetime
// below the cache threshold makes every token request issue a new token,
// because a fresh token then already has less than the threshold left.
func (e *Emulator) SetLifetime(d time.Duration) {
	if d <= 0 {
		d = defaultLifetime
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lifetime = d
}

// RevokeTokens deletes every issued token. The protected endpoint rejects
// them from now on, and the next token request issues a new token.
func (e *Emulator) RevokeTokens() {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.tokens)
	e.current = ""
}

// Stats returns a copy of the request counters.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

// ServeHTTP routes POST /corp/auth/m2m to the token endpoint and GET /corp/me
// to the protected endpoint. Other paths get 404.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case auth.TokenPath:
		e.serveToken(w, r)
	case mePath:
		e.serveMe(w, r)
	default:
		writeJSON(w, http.StatusNotFound, errorResponse{Code: "not_found"})
	}
}

// serveToken applies the current failure mode, or else checks the Basic
// credentials and returns the cached token or a new one.
func (e *Emulator) serveToken(w http.ResponseWriter, r *http.Request) {
	// net/http cancels r.Context() on a client disconnect only after the
	// handler has read the body to EOF. FailHang relies on that cancellation.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxRequestBodyBytes))

	e.mu.Lock()
	e.stats.TokenRequests++
	failure := e.failure
	e.mu.Unlock()

	if e.serveFailure(w, r, failure) {
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorResponse{Code: "method_not_allowed"})
		return
	}
	if !e.validBasicAuth(r) {
		writeInvalidClient(w)
		return
	}

	response := e.cachedOrNewToken()
	// RFC 6749 section 5.1 requires this header on token responses.
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, response)
}

// cachedOrNewToken returns the cached token while at least the cache threshold
// of its lifetime remains, and otherwise issues and caches a new token.
func (e *Emulator) cachedOrNewToken() tokenResponse {
	e.mu.Lock()
	defer e.mu.Unlock()

	now := e.now()
	expiry, found := e.tokens[e.current]
	remaining := expiry.Sub(now)
	if !found || remaining <= 0 || remaining < e.cacheThreshold {
		e.pruneExpiredTokens(now)
		expiry = now.Add(e.lifetime)
		e.current = newAccessToken(e.clientID, now, expiry)
		e.tokens[e.current] = expiry
		e.stats.TokensIssued++
		remaining = e.lifetime
	}

	return tokenResponse{
		AccessToken: e.current,
		ExpiresIn:   int64(remaining / time.Second),
		ExpiresAt:   expiry.UTC().Format(expiresAtLayout),
		Scope:       grantedScope,
	}
}

// pruneExpiredTokens deletes tokens that have expired at now. The caller must
// hold e.mu.
func (e *Emulator) pruneExpiredTokens(now time.Time) {
	for token, expiry := range e.tokens {
		if !now.Before(expiry) {
			delete(e.tokens, token)
		}
	}
}

// serveMe returns the client id when the request carries a valid Bearer token
// or the valid Basic credentials, and 401 otherwise.
func (e *Emulator) serveMe(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, errorResponse{Code: "method_not_allowed"})
		return
	}

	scheme, ok := e.authenticate(r)

	e.mu.Lock()
	if ok {
		e.stats.ProtectedOK++
	} else {
		e.stats.ProtectedRejected++
	}
	e.mu.Unlock()

	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="athos"`)
		writeJSON(w, http.StatusUnauthorized, errorResponse{Code: "unauthorized"})
		return
	}
	writeJSON(w, http.StatusOK, meResponse{ClientID: e.clientID, Auth: scheme})
}

// authenticate checks the Authorization header of a protected-endpoint
// request. It returns "bearer" for an issued, unexpired and unrevoked token,
// "basic" for the valid client credentials, and false otherwise. Both scheme
// names match case-insensitively, as RFC 7235 requires.
func (e *Emulator) authenticate(r *http.Request) (scheme string, ok bool) {
	name, credentials, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case strings.EqualFold(name, "Bearer"):
		e.mu.Lock()
		expiry, found := e.tokens[credentials]
		now := e.now()
		e.mu.Unlock()
		if found && now.Before(expiry) {
			return "bearer", true
		}
	case strings.EqualFold(name, "Basic"):
		if e.validBasicAuth(r) {
			return "basic", true
		}
	}
	return "", false
}

// validBasicAuth reports whether r carries the configured client id and
// secret as Basic credentials. http.Request.BasicAuth splits the decoded
// string at the first colon, so the secret may contain colons but the client
// id cannot.
func (e *Emulator) validBasicAuth(r *http.Request) bool {
	clientID, clientSecret, ok := r.BasicAuth()
	if !ok {
		return false
	}
	// Compare both values in constant time, and always both, so that the
	// response time does not reveal which one was wrong.
	idMatches := subtle.ConstantTimeCompare([]byte(clientID), []byte(e.clientID)) == 1
	secretMatches := subtle.ConstantTimeCompare([]byte(clientSecret), []byte(e.clientSecret)) == 1
	return idMatches && secretMatches
}

// writeInvalidClient writes the 401 response to missing or wrong client
// credentials.
func writeInvalidClient(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="athos"`)
	writeJSON(w, http.StatusUnauthorized, errorResponse{Code: "invalid_client"})
}

// writeJSON writes value as a JSON response with the given status code, or a
// 500 response if value cannot be encoded.
func writeJSON(w http.ResponseWriter, status int, value any) {
	body, err := json.Marshal(value)
	if err != nil {
		http.Error(w, "emulator: encoding the response failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// jwtHeader is the base64url encoding of a JWT header, so that every token
// starts with "ey" like a production token.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// newAccessToken returns a random token in JWT form: header, claims and
// signature, each base64url-encoded and joined by dots. The random jti claim
// and signature make each token unique. The signature is random bytes rather
// than an HMAC, because clients must treat the token as opaque.
func newAccessToken(clientID string, issuedAt, expiry time.Time) string {
	tokenID := make([]byte, 16)
	signature := make([]byte, 32)
	// crypto/rand.Read never returns an error since Go 1.24.
	_, _ = rand.Read(tokenID)
	_, _ = rand.Read(signature)

	claims := struct {
		Subject  string `json:"sub"`
		Scope    string `json:"scope"`
		IssuedAt int64  `json:"iat"`
		Expiry   int64  `json:"exp"`
		TokenID  string `json:"jti"`
	}{
		Subject:  clientID,
		Scope:    grantedScope,
		IssuedAt: issuedAt.Unix(),
		Expiry:   expiry.Unix(),
		TokenID:  base64.RawURLEncoding.EncodeToString(tokenID),
	}
	// Marshal cannot fail because claims contains only strings and integers.
	claimsJSON, _ := json.Marshal(claims)

	return jwtHeader + "." +
		base64.RawURLEncoding.EncodeToString(claimsJSON) + "." +
		base64.RawURLEncoding.EncodeToString(signature)
}
