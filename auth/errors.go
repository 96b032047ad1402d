package auth

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinel errors that callers branch on with errors.Is. Errors returned by
// this package wrap exactly one of them where the cause is known.
var (
	// ErrCredentialsRejected means the server responded with 401 or 403: the
	// client id or secret is wrong, and retrying will not help.
	ErrCredentialsRejected = errors.New("credentials rejected")
	// ErrServer means the server responded with 5xx or 429, so a retry may
	// succeed.
	ErrServer = errors.New("server error")
	// ErrMalformedResponse means the response was not the expected JSON,
	// lacked required fields, or exceeded the size limit.
	ErrMalformedResponse = errors.New("malformed response")
	// ErrNetwork means the request did not reach the server or the
	// connection broke before a response arrived.
	ErrNetwork = errors.New("network failure")
	// ErrTLS means the TLS handshake failed: the server's certificate is not
	// trusted or invalid (a proxy that inspects TLS, or a wrong system
	// clock), or the server does not speak TLS. Errors that match it also
	// match ErrNetwork.
	ErrTLS = errors.New("TLS handshake failed")
	// ErrTimeout means the request took longer than the client's timeout.
	ErrTimeout = errors.New("request timed out")
	// ErrInvalidInput means a client id, secret or URL was rejected before
	// any request was sent.
	ErrInvalidInput = errors.New("invalid input")
)

// StatusError is an HTTP response with an unexpected status code. It matches
// ErrCredentialsRejected for 401 and 403 and ErrServer for 5xx and 429.
type StatusError struct {
	StatusCode int
	// RetryAfter is the delay the server asked for in a Retry-After header,
	// zero when it sent none.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("server answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// Is lets errors.Is match a StatusError against the sentinel for its class.
func (e *StatusError) Is(target error) bool {
	switch target {
	case ErrCredentialsRejected:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrServer:
		return e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// IsNetworkError reports whether err means that no HTTP response arrived:
// the connection was refused or broke, the host name did not resolve, the
// TLS handshake failed, or the request timed out. It matches ErrNetwork
// (which includes ErrTLS) and ErrTimeout. The manager retries such failures
// with backoff, and a user interface can call the state offline; check
// ErrTLS first to tell a certificate problem apart.
func IsNetworkError(err error) bool {
	return errors.Is(err, ErrNetwork) || errors.Is(err, ErrTimeout)
}
