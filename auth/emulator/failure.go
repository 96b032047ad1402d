package emulator

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Failure is a way in which the token endpoint misbehaves. The protected
// endpoint ignores it. Values other than the declared constants act like
// FailNone.
type Failure int

const (
	// FailNone serves token requests normally.
	FailNone Failure = iota
	// FailReject responds with 401 invalid_client even for correct credentials.
	FailReject
	// FailServerError responds with 500.
	FailServerError
	// FailRateLimit responds with 429 and the header "Retry-After: 30".
	FailRateLimit
	// FailMalformed responds with 200, a Content-Type of application/json and
	// an HTML body that is not JSON.
	FailMalformed
	// FailOversized responds with 200 and a valid JSON token response of exactly
	// 1 MiB, so that only a client-side size limit rejects it.
	FailOversized
	// FailHang sends no response until the request's context ends, which
	// happens when the client times out and closes the connection. Close
	// ends the wait earlier by closing the connection without a response.
	FailHang
	// FailDrop closes the connection without a response. When the
	// ResponseWriter does not support hijacking, ServeHTTP panics with
	// http.ErrAbortHandler instead, which makes an http.Server abort the
	// response.
	FailDrop
	// FailSlow serves token requests normally, but only after the delay
	// set by Config.SlowDelay (3 seconds by default). A client that gives
	// up earlier, or Close, ends the wait without a response.
	FailSlow
	// FailLoginPage responds with 200, a Content-Type of text/html and a
	// sign-in page, as a captive portal or an authenticating proxy does.
	FailLoginPage
)

// failureNames are the names that ParseFailure accepts and String returns,
// indexed by Failure.
var failureNames = [...]string{
	FailNone:        "none",
	FailReject:      "reject",
	FailServerError: "server-error",
	FailRateLimit:   "rate-limit",
	FailMalformed:   "malformed",
	FailOversized:   "oversized",
	FailHang:        "hang",
	FailDrop:        "drop",
	FailSlow:        "slow",
	FailLoginPage:   "login-page",
}

// String returns the name that ParseFailure accepts, such as "rate-limit",
// or "Failure(N)" for an undeclared value.
func (f Failure) String() string {
	if f >= 0 && int(f) < len(failureNames) {
		return failureNames[f]
	}
	return "Failure(" + strconv.Itoa(int(f)) + ")"
}

// ParseFailure returns the Failure with the given name, ignoring case. The
// names are none, reject, server-error, rate-limit, malformed, oversized, hang,
// drop, slow and login-page.
func ParseFailure(name string) (Failure, error) {
	for i, candidate := range failureNames {
		if strings.EqualFold(name, candidate) {
			return Failure(i), nil
		}
	}
	return FailNone, fmt.Errorf("emulator: unknown failure mode %q: use one of %s",
		name, strings.Join(failureNames[:], ", "))
}

// oversizedBodyBytes is the size of the FailOversized body: 1 MiB.
const oversizedBodyBytes = 1 << 20

// malformedBody is the FailMalformed body. It imitates the error page of a
// proxy, which is a common source of non-JSON responses.
const malformedBody = "<html><head><title>502 Bad Gateway</title></head>" +
	"<body><h1>502 Bad Gateway</h1></body></html>\n"

// loginPageBody is the FailLoginPage body.
const loginPageBody = "<html><head><title>Sign in</title></head>" +
	"<body><form method=\"post\"><input name=\"user\"><input type=\"password\" name=\"password\"></form></body></html>\n"

// serveFailure writes the response that failure f describes and reports
// whether it did. It returns false for FailNone and for undeclared values,
// and for FailSlow once the delay has passed.
func (e *Emulator) serveFailure(w http.ResponseWriter, r *http.Request, f Failure) bool {
	switch f {
	case FailReject:
		writeInvalidClient(w)
	case FailServerError:
		writeJSON(w, http.StatusInternalServerError, errorResponse{Code: "server_error"})
	case FailRateLimit:
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusTooManyRequests, errorResponse{Code: "rate_limited"})
	case FailMalformed:
		writeBody(w, []byte(malformedBody))
	case FailOversized:
		writeBody(w, oversizedBody())
	case FailHang:
		e.hang(w, r)
	case FailDrop:
		dropConnection(w)
	case FailSlow:
		return !e.delay(r)
	case FailLoginPage:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, loginPageBody)
	default:
		return false
	}
	return true
}

// writeBody writes a 200 response that claims to be JSON.
func writeBody(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// oversizedBody returns a valid JSON token response of exactly
// oversizedBodyBytes, padded inside the accessToken value. The token was never
// issued, so the protected endpoint rejects it.
func oversizedBody() []byte {
	const prefix = `{"accessToken":"ey`
	const suffix = `","expiresIn":43200,"expiresAt":"2024-10-26T06:52:09.443Z","scope":"` + grantedScope + `"}`

	body := make([]byte, 0, oversizedBodyBytes)
	body = append(body, prefix...)
	body = append(body, strings.Repeat("A", oversizedBodyBytes-len(prefix)-len(suffix))...)
	body = append(body, suffix...)
	return body
}

// hang waits without responding until the request's context ends or Close is
// called. After Close it closes the connection, so that Close can wait for the
// handler and no goroutine outlives the server.
func (e *Emulator) hang(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
		// The client has gone away, so no one reads a response. Returning
		// lets the server finish the request.
	case <-e.done:
		dropConnection(w)
	}
}

// delay waits for the slow-response delay and reports whether it passed
// before the request's context ended or Close was called.
func (e *Emulator) delay(r *http.Request) bool {
	timer := time.NewTimer(e.slowDelay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-r.Context().Done():
		return false
	case <-e.done:
		return false
	}
}

// dropConnection closes the connection of w without writing a response.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Hijacking fails on HTTP/2 and on an httptest.ResponseRecorder. An
		// http.Server recovers this panic value and aborts the response
		// without logging a stack trace.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
