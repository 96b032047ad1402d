package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// MaxResponseBytes limits how much of a token response is read.
const MaxResponseBytes = 64 << 10

// DefaultTimeout is the request timeout when Client.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// maxExpiresIn is the largest expiresIn accepted from the server. Tokens live
// 12 hours, so this bound is generous but still rejects a lifetime sent in
// milliseconds (43200000) or another unit the client does not expect.
const maxExpiresIn = 7 * 24 * time.Hour

// userAgent is the User-Agent header sent with every token request.
const userAgent = "athos-tray"

// Client fetches access tokens from the Athos machine-to-machine token
// endpoint. The zero value is ready to use against DefaultAPIURL. A Client is
// safe for concurrent use if its fields are not changed after first use.
type Client struct {
	// APIURL is the API base URL, checked with ValidateAPIURL. Empty means
	// DefaultAPIURL.
	APIURL string
	// HTTPClient sends the requests. Nil means a shared client whose
	// transport is a clone of http.DefaultTransport, so proxies come from
	// the environment through http.ProxyFromEnvironment, and which does not
	// follow redirects.
	HTTPClient *http.Client
	// Timeout limits each request, including reading the response. Zero or
	// negative means DefaultTimeout.
	Timeout time.Duration
	// Now returns the wall-clock time recorded as Token.ReceivedAt. Nil means
	// time.Now().Round(0), which strips the monotonic clock reading because
	// expiry is compared against the wall clock, which keeps running while
	// the computer sleeps.
	Now func() time.Time
}

// defaultHTTPClient returns the client used when Client.HTTPClient is nil. It
// does not follow redirects, because Go forwards the Authorization header to
// a redirect on the same host even from https to plain http. A redirect
// therefore becomes a StatusError.
var defaultHTTPClient = sync.OnceValue(func() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = http.ProxyFromEnvironment
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
})

// FetchToken requests a new access token for creds with the client-credentials
// flow: a POST to APIURL + TokenPath with a Basic Authorization header. It
// validates the URL, client id and secret before sending anything.
//
// The returned error wraps one of:
//   - ErrInvalidInput when the URL, id or secret is rejected;
//   - a *StatusError for any status other than 200, which matches
//     ErrCredentialsRejected or ErrServer by its class;
//   - ErrMalformedResponse for a body that is not a valid token;
//   - ErrTimeout when the request outlasts Timeout or the deadline of ctx;
//   - context.Canceled when ctx is cancelled;
//   - ErrNetwork together with the transport error otherwise.
//
// Errors never contain the secret, the Authorization header, the token or
// the response body.
func (c *Client) FetchToken(ctx context.Context, creds Credentials) (Token, error) {
	rawURL := c.APIURL
	if rawURL == "" {
		rawURL = DefaultAPIURL
	}
	base, err := ValidateAPIURL(rawURL)
	if err != nil {
		return Token{}, fmt.Errorf("fetch token: %w", err)
	}
	header, err := BasicHeader(creds)
	if err != nil {
		return Token{}, fmt.Errorf("fetch token from %s: %w", base.Host, err)
	}
	f := fetch{
		client:   c,
		clientID: creds.ClientID,
		host:     base.Host,
		endpoint: base.JoinPath(TokenPath).String(),
		header:   header,
		timeout:  c.timeout(),
	}
	return f.do(ctx)
}

func (c *Client) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return defaultHTTPClient()
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now().Round(0)
}

// fetch is one token request with the values its error messages need.
type fetch struct {
	client   *Client
	clientID string
	host     string
	endpoint string
	header   string
	timeout  time.Duration
}

func (f *fetch) do(ctx context.Context) (Token, error) {
	requestCtx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()

	request, err := http.NewRequestWithContext(requestCtx, http.MethodPost, f.endpoint, http.NoBody)
	if err != nil {
		return Token{}, f.wrap("%w: build request: %w", ErrInvalidInput, err)
	}
	request.Header.Set("Authorization", f.header)
	request.Header.Set("Accept", "application/json")
	request.Header.Set("User-Agent", userAgent)

	response, err := f.client.httpClient().Do(request)
	if err != nil {
		return Token{}, f.transportError(ctx, requestCtx, err)
	}
	defer response.Body.Close()
	receivedAt := f.client.now()

	if response.StatusCode != http.StatusOK {
		// Drain the body so that the connection can be reused. It is never
		// shown, because it may echo the request.
		_, _ = io.Copy(io.Discard, io.LimitReader(response.Body, MaxResponseBytes))
		return Token{}, f.statusError(response, receivedAt)
	}

	body, err := io.ReadAll(io.LimitReader(response.Body, MaxResponseBytes+1))
	if err != nil {
		return Token{}, f.transportError(ctx, requestCtx, err)
	}
	if len(body) > MaxResponseBytes {
		return Token{}, f.wrap("%w: response larger than %d KiB", ErrMalformedResponse, MaxResponseBytes>>10)
	}
	token, err := parseTokenResponse(body, receivedAt)
	if err != nil {
		return Token{}, f.wrap("%w", err)
	}
	return token, nil
}

// wrap formats an error prefixed with what was being done.
func (f *fetch) wrap(format string, args ...any) error {
	prefixed := append([]any{f.clientID, f.host}, args...)
	return fmt.Errorf("fetch token for client %q from %s: "+format, prefixed...)
}

func (f *fetch) statusError(response *http.Response, receivedAt time.Time) error {
	statusErr := &StatusError{
		StatusCode: response.StatusCode,
		RetryAfter: parseRetryAfter(response.Header.Get("Retry-After"), receivedAt),
	}
	switch {
	case errors.Is(statusErr, ErrCredentialsRejected):
		return f.wrap("%w; check the client id and secret", statusErr)
	case response.StatusCode == http.StatusNotFound:
		return f.wrap("%w; check the API URL %s", statusErr, f.endpoint)
	}
	return f.wrap("%w", statusErr)
}

// transportError classifies err, which came from sending the request or
// reading the response. callerCtx is the context passed to FetchToken and
// requestCtx the one derived from it with the client's timeout.
func (f *fetch) transportError(callerCtx, requestCtx context.Context, err error) error {
	// A *url.Error repeats the method and URL, which the prefix already shows.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}

	var netErr net.Error
	switch {
	case errors.Is(callerCtx.Err(), context.Canceled):
		return f.wrap("%w", context.Canceled)
	case errors.Is(callerCtx.Err(), context.DeadlineExceeded):
		return f.wrap("%w: the deadline of the caller's context passed", ErrTimeout)
	case errors.Is(requestCtx.Err(), context.DeadlineExceeded),
		errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return f.wrap("%w after %s; check the network connection", ErrTimeout, f.timeout)
	}
	return f.wrap("%w: %w; check the network connection and proxy settings", ErrNetwork, err)
}

// parseRetryAfter returns the delay in a Retry-After header value, which is
// either a number of seconds or an HTTP date measured from now. It returns
// zero for an empty, invalid or past value, and for a number of seconds too
// large for a time.Duration.
func parseRetryAfter(value string, now time.Time) time.Duration {
	if value == "" {
		return 0
	}
	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil {
		if seconds <= 0 || seconds > math.MaxInt64/int64(time.Second) {
			return 0
		}
		return time.Duration(seconds) * time.Second
	}
	date, err := http.ParseTime(value)
	if err != nil {
		return 0
	}
	return max(date.Sub(now), 0)
}

// tokenResponse is the JSON body of a 200 response. The fields are raw so
// that each one can be checked on its own and named in the error.
type tokenResponse struct {
	AccessToken json.RawMessage `json:"accessToken"`
	ExpiresIn   json.RawMessage `json:"expiresIn"`
	ExpiresAt   json.RawMessage `json:"expiresAt"`
	Scope       json.RawMessage `json:"scope"`
}

// parseTokenResponse parses a 200 response body received at receivedAt.
// Errors wrap ErrMalformedResponse and name the wrong field, but never show
// the access token or other parts of the body.
func parseTokenResponse(body []byte, receivedAt time.Time) (Token, error) {
	var fields tokenResponse
	if err := json.Unmarshal(body, &fields); err != nil {
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return Token{}, fmt.Errorf("%w: response is not JSON (syntax error at byte %d); "+
				"check that the API URL points at the Athos API", ErrMalformedResponse, syntaxErr.Offset)
		}
		return Token{}, fmt.Errorf("%w: response is not a JSON object; "+
			"check that the API URL points at the Athos API", ErrMalformedResponse)
	}

	accessToken, err := parseAccessToken(fields.AccessToken)
	if err != nil {
		return Token{}, err
	}
	expiresIn, err := parseExpiresIn(fields.ExpiresIn)
	if err != nil {
		return Token{}, err
	}
	return Token{
		AccessToken:     accessToken,
		Scope:           parseOptionalString(fields.Scope),
		ExpiresIn:       expiresIn,
		ServerExpiresAt: parseExpiresAt(fields.ExpiresAt),
		ReceivedAt:      receivedAt,
	}, nil
}

// parseAccessToken requires a non-empty string of visible ASCII characters
// without spaces, because the token is sent in an Authorization header.
func parseAccessToken(raw json.RawMessage) (string, error) {
	if isMissing(raw) {
		return "", fmt.Errorf("%w: missing accessToken", ErrMalformedResponse)
	}
	var token string
	if err := json.Unmarshal(raw, &token); err != nil {
		return "", fmt.Errorf("%w: accessToken is not a string", ErrMalformedResponse)
	}
	if token == "" {
		return "", fmt.Errorf("%w: accessToken is empty", ErrMalformedResponse)
	}
	for i := 0; i < len(token); i++ {
		if token[i] <= ' ' || token[i] > '~' {
			return "", fmt.Errorf("%w: accessToken contains a space or a character that is not visible ASCII "+
				"at byte %d", ErrMalformedResponse, i)
		}
	}
	return token, nil
}

// parseExpiresIn requires a JSON number of seconds, integer or fractional,
// greater than zero and at most maxExpiresIn.
func parseExpiresIn(raw json.RawMessage) (time.Duration, error) {
	if isMissing(raw) {
		return 0, fmt.Errorf("%w: missing expiresIn", ErrMalformedResponse)
	}
	var seconds float64
	if err := json.Unmarshal(raw, &seconds); err != nil {
		return 0, fmt.Errorf("%w: expiresIn is not a number of seconds", ErrMalformedResponse)
	}
	maxSeconds := maxExpiresIn.Seconds()
	if seconds > maxSeconds {
		return 0, fmt.Errorf("%w: expiresIn %g seconds exceeds the maximum of %g (7 days)",
			ErrMalformedResponse, seconds, maxSeconds)
	}
	lifetime := time.Duration(math.Round(seconds * float64(time.Second)))
	if lifetime <= 0 {
		return 0, fmt.Errorf("%w: expiresIn %g seconds is not positive", ErrMalformedResponse, seconds)
	}
	return lifetime, nil
}

// parseExpiresAt returns the server's RFC 3339 expiry time, or the zero time
// when it is missing or invalid. ServerExpiresAt is only a cross-check, so a
// bad value is not worth rejecting the token for.
func parseExpiresAt(raw json.RawMessage) time.Time {
	text := parseOptionalString(raw)
	if text == "" {
		return time.Time{}
	}
	expiresAt, err := time.Parse(time.RFC3339Nano, text)
	if err != nil {
		return time.Time{}
	}
	return expiresAt
}

// parseOptionalString returns the JSON string in raw, or "" when raw is
// missing, null or not a string.
func parseOptionalString(raw json.RawMessage) string {
	if isMissing(raw) {
		return ""
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return ""
	}
	return text
}

// isMissing reports whether a field was absent from the JSON object or null.
func isMissing(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}
