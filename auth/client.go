package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
//   - ErrMalformedResponse for a body that is not a valid token, larger
//     than MaxResponseBytes, or of a content type other than JSON;
//   - ErrTimeout when the request outlasts Timeout or the deadline of ctx;
//   - context.Canceled when ctx is cancelled;
//   - ErrNetwork together with the transport error otherwise, and also
//     ErrTLS when the TLS handshake failed.
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

	if err := checkContentType(response.Header.Get("Content-Type")); err != nil {
		return Token{}, f.wrap("%w", err)
	}
	tooLarge := f.wrap("%w: response larger than %d KiB; check that the API URL points at the Athos API",
		ErrMalformedResponse, MaxResponseBytes>>10)
	if response.ContentLength > MaxResponseBytes {
		return Token{}, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(response.Body, MaxResponseBytes+1))
	if err != nil {
		return Token{}, f.transportError(ctx, requestCtx, err)
	}
	if len(body) > MaxResponseBytes {
		return Token{}, tooLarge
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

	var dnsErr *net.DNSError
	switch {
	case isTLSError(err):
		return f.wrap("%w: %w: %w; check the proxy settings, the system clock and that the server's certificate "+
			"is trusted", ErrNetwork, ErrTLS, err)
	case errors.As(err, &dnsErr):
		return f.wrap("%w: %w; check the network connection and the host name in the API URL", ErrNetwork, err)
	}
	return f.wrap("%w: %w; check the network connection and proxy settings", ErrNetwork, err)
}

// isTLSError reports whether err comes from a failed TLS handshake: an
// untrusted or invalid certificate, an alert from the server, or a server
// that does not speak TLS at all.
func isTLSError(err error) bool {
	var (
		verifyErr    *tls.CertificateVerificationError
		authorityErr x509.UnknownAuthorityError
		hostnameErr  x509.HostnameError
		invalidErr   x509.CertificateInvalidError
		recordErr    tls.RecordHeaderError
		alertErr     tls.AlertError
	)
	if errors.As(err, &verifyErr) || errors.As(err, &authorityErr) || errors.As(err, &hostnameErr) ||
		errors.As(err, &invalidErr) || errors.As(err, &recordErr) || errors.As(err, &alertErr) {
		return true
	}
	// net/http replaces the tls.RecordHeaderError of a plain HTTP server
	// with an untyped error that carries only this text (Go 1.24 to 1.26).
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
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
