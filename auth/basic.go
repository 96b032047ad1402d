package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// BasicHeader returns the value of the Authorization header for creds:
// "Basic " followed by the standard base64 encoding of the plain string
// clientId + ":" + clientSecret, with no form-encoding first. For id "client"
// and secret "secret" it returns "Basic Y2xpZW50OnNlY3JldA==". It returns an
// error wrapping ErrInvalidInput when ValidateClientID or ValidateSecret
// rejects the credentials.
func BasicHeader(creds Credentials) (string, error) {
	if err := ValidateClientID(creds.ClientID); err != nil {
		return "", err
	}
	if err := ValidateSecret(creds.ClientSecret); err != nil {
		return "", err
	}
	plain := creds.ClientID + ":" + creds.ClientSecret
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(plain)), nil
}

// ValidateClientID returns an error wrapping ErrInvalidInput unless id is
// usable in Basic credentials. The id must not be empty, must not contain ':'
// (RFC 7617 splits the credentials at the first colon), must not contain
// control characters and must not start or end with white space.
func ValidateClientID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: missing client id; enter the client id of the Athos organisation", ErrInvalidInput)
	case strings.Contains(id, ":"):
		return fmt.Errorf("%w: client id %q contains ':', which Basic authentication cannot carry (RFC 7617); "+
			"check the id for a typo (only the secret may contain ':')", ErrInvalidInput, id)
	case containsControl(id):
		return fmt.Errorf("%w: client id %q contains a control character; enter the id again without it",
			ErrInvalidInput, id)
	case strings.TrimSpace(id) != id:
		return fmt.Errorf("%w: client id %q starts or ends with white space; remove it", ErrInvalidInput, id)
	}
	return nil
}

// ValidateSecret returns an error wrapping ErrInvalidInput when secret is
// empty or contains a control character such as a newline. The secret may
// contain ':' because RFC 7617 splits the credentials at the first colon only.
// The error never contains the secret.
func ValidateSecret(secret string) error {
	switch {
	case secret == "":
		return fmt.Errorf("%w: missing client secret; enter the secret issued with the client id", ErrInvalidInput)
	case containsControl(secret):
		return fmt.Errorf("%w: client secret contains a control character such as a newline; "+
			"paste the secret again without it", ErrInvalidInput)
	case strings.TrimSpace(secret) == "":
		return fmt.Errorf("%w: client secret contains only spaces; enter the secret issued with the client id",
			ErrInvalidInput)
	}
	return nil
}

// ValidateAPIURL parses raw as an API base URL and returns it without a
// trailing slash. The URL must be absolute with scheme http or https, and
// plain http is accepted only for a loopback host (127.0.0.0/8, ::1 or
// "localhost"). User info, a query and a fragment are rejected, and a path
// prefix is kept. Errors wrap ErrInvalidInput and show the URL with any user
// info replaced by "xxxxx".
func ValidateAPIURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err
		}
		return nil, fmt.Errorf("%w: API URL %q is not a valid URL: %v; enter a URL such as %s",
			ErrInvalidInput, redactRawURL(raw), err, DefaultAPIURL)
	}

	displayURL := redactRawURL(raw)
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%w: API URL %q must start with https:// (or http:// for a loopback address); "+
			"enter a URL such as %s", ErrInvalidInput, displayURL, DefaultAPIURL)
	case u.Opaque != "" || u.Hostname() == "":
		return nil, fmt.Errorf("%w: API URL %q has no host; enter a URL such as %s",
			ErrInvalidInput, displayURL, DefaultAPIURL)
	case u.User != nil:
		return nil, fmt.Errorf("%w: API URL %q contains user info; remove it, because the client id and secret "+
			"are sent in the Authorization header", ErrInvalidInput, displayURL)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("%w: API URL %q contains a query; remove everything from '?'", ErrInvalidInput, displayURL)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, fmt.Errorf("%w: API URL %q contains a fragment; remove everything from '#'",
			ErrInvalidInput, displayURL)
	case !validPort(u.Port()):
		return nil, fmt.Errorf("%w: API URL %q has port %q, which is not a number from 1 to 65535; "+
			"correct the port or leave it out", ErrInvalidInput, displayURL, u.Port())
	case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
		return nil, fmt.Errorf("%w: API URL %q uses plain http, which is allowed only for a loopback address; "+
			"use https://", ErrInvalidInput, displayURL)
	}

	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// validPort reports whether port, as returned by url.URL.Port, is empty or
// a number from 1 to 65535.
func validPort(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// isLoopbackHost reports whether host, as returned by url.URL.Hostname, is
// "localhost" or an IP address in 127.0.0.0/8 or ::1.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// containsControl reports whether s contains a Unicode control character
// (C0, DEL or C1), which includes tab, newline and carriage return.
func containsControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// redactRawURL replaces the user info in raw with "xxxxx", so that a password
// in it does not reach an error message. It works on the text, because raw
// may be a URL that url.Parse rejected.
func redactRawURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	return scheme + "://xxxxx" + rest[at:]
}
