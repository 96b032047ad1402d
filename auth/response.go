package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// tokenResponse is the JSON body of a 200 response. The fields are raw so
// that each one can be checked on its own and named in the error.
type tokenResponse struct {
	AccessToken json.RawMessage
	ExpiresIn   json.RawMessage
	ExpiresAt   json.RawMessage
	Scope       json.RawMessage
}

// tokenFields are the names of the response fields the client reads. Like
// encoding/json, the client matches them without regard to case.
var tokenFields = [...]string{"accessToken", "expiresIn", "expiresAt", "scope"}

// utf8BOM is the byte order mark that some servers put before a UTF-8 body.
const utf8BOM = "\xef\xbb\xbf"

// checkContentType rejects a response whose Content-Type names a format
// other than JSON, such as the HTML page of a proxy or a login portal. A
// JSON type with any parameters, no Content-Type, and the generic types
// text/plain and application/octet-stream are accepted, and the body
// decides. The error names the media type but never shows the body.
func checkContentType(header string) error {
	if strings.TrimSpace(header) == "" {
		return nil
	}
	mediaType, _, err := mime.ParseMediaType(header)
	if err != nil {
		// Parameters that do not parse do not change the media type.
		mediaType, _, _ = strings.Cut(header, ";")
		mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	}

	switch {
	case mediaType == "application/json", mediaType == "text/json",
		strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"),
		mediaType == "text/plain", mediaType == "application/octet-stream":
		return nil
	}
	label := mediaType
	if len(label) > 64 || strings.ContainsFunc(label, func(r rune) bool { return r <= ' ' || r > '~' }) {
		label = "an unknown type"
	}
	return fmt.Errorf("%w: response has content type %s, not JSON; check that the API URL points at the "+
		"Athos API and not at a proxy or login page", ErrMalformedResponse, label)
}

// parseTokenResponse parses the body of a 200 response from the token
// endpoint that arrived at receivedAt. It accepts every body whose meaning
// is unambiguous. That includes unknown fields, a missing scope or
// expiresAt, and a leading byte order mark. It also includes an expiresIn
// sent as a whole number in any JSON notation (43200, 43200.0, 4.32e4) or
// as a string that contains one ("43200").
//
// Errors wrap ErrMalformedResponse and name the wrong field. Of the body
// they show at most the number sent as expiresIn, never the access token
// or any text. They cover a body that is
// not a JSON object, a field sent twice, a missing or invalid accessToken,
// and an expiresIn that is missing, not a whole number of seconds, not
// positive, or longer than 7 days.
func parseTokenResponse(body []byte, receivedAt time.Time) (Token, error) {
	fields, err := decodeTokenResponse(bytes.TrimPrefix(body, []byte(utf8BOM)))
	if err != nil {
		return Token{}, err
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

// decodeTokenResponse checks that body is one JSON object and picks out the
// fields the client reads. A field that appears twice, even in another
// case, is rejected, because encoding/json would silently keep the last.
func decodeTokenResponse(body []byte) (tokenResponse, error) {
	var object map[string]json.RawMessage
	if err := json.Unmarshal(body, &object); err != nil {
		var syntaxErr *json.SyntaxError
		if errors.As(err, &syntaxErr) {
			return tokenResponse{}, fmt.Errorf("%w: response is not JSON (syntax error at byte %d); "+
				"check that the API URL points at the Athos API", ErrMalformedResponse, syntaxErr.Offset)
		}
		return tokenResponse{}, fmt.Errorf("%w: response is not a JSON object; "+
			"check that the API URL points at the Athos API", ErrMalformedResponse)
	}

	// A map keeps one value per key, so the keys are counted in the body.
	var found [len(tokenFields)]json.RawMessage
	var seen [len(tokenFields)]int
	if len(object) > 0 {
		keys, err := objectKeys(body)
		if err != nil {
			return tokenResponse{}, fmt.Errorf("%w: response is not a JSON object; "+
				"check that the API URL points at the Athos API", ErrMalformedResponse)
		}
		for _, key := range keys {
			for i, name := range tokenFields {
				if strings.EqualFold(key, name) {
					seen[i]++
					found[i] = object[key]
				}
			}
		}
	}
	for i, name := range tokenFields {
		if seen[i] > 1 {
			return tokenResponse{}, fmt.Errorf("%w: response contains %s %d times, so its value is ambiguous",
				ErrMalformedResponse, name, seen[i])
		}
	}
	return tokenResponse{AccessToken: found[0], ExpiresIn: found[1], ExpiresAt: found[2], Scope: found[3]}, nil
}

// objectKeys returns the keys of the JSON object in body in order, with
// repeats. body must be valid JSON.
func objectKeys(body []byte) ([]string, error) {
	decoder := json.NewDecoder(bytes.NewReader(body))
	if _, err := decoder.Token(); err != nil { // the opening brace
		return nil, err
	}
	var keys []string
	for decoder.More() {
		key, err := decoder.Token()
		if err != nil {
			return nil, err
		}
		name, ok := key.(string)
		if !ok {
			return nil, fmt.Errorf("object key is %T, not a string", key)
		}
		keys = append(keys, name)

		var value json.RawMessage
		if err := decoder.Decode(&value); err != nil {
			return nil, err
		}
	}
	return keys, nil
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

// jsonNumber matches a number in JSON notation (RFC 8259, section 6).
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// parseExpiresIn requires a whole number of seconds, greater than zero and
// at most maxExpiresIn. The number may be written as a JSON number in any
// notation or as a JSON string that contains one. A fraction such as 1.5 is
// rejected: the documented value is whole seconds, so a fraction suggests
// another unit.
func parseExpiresIn(raw json.RawMessage) (time.Duration, error) {
	if isMissing(raw) {
		return 0, fmt.Errorf("%w: missing expiresIn", ErrMalformedResponse)
	}
	text := string(raw)
	if strings.HasPrefix(text, `"`) {
		if err := json.Unmarshal(raw, &text); err != nil || !jsonNumber.MatchString(text) {
			return 0, fmt.Errorf("%w: expiresIn is a string that does not contain a number of seconds",
				ErrMalformedResponse)
		}
	}
	if !jsonNumber.MatchString(text) {
		return 0, fmt.Errorf("%w: expiresIn is not a number of seconds", ErrMalformedResponse)
	}

	// A number too large for a float64 parses as infinity with ErrRange,
	// which the maximum check below rejects.
	seconds, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%w: expiresIn is not a number of seconds", ErrMalformedResponse)
	}
	maxSeconds := maxExpiresIn.Seconds()
	switch {
	case seconds > maxSeconds:
		return 0, fmt.Errorf("%w: expiresIn %g seconds exceeds the maximum of %g (7 days)",
			ErrMalformedResponse, seconds, maxSeconds)
	case seconds != math.Trunc(seconds):
		return 0, fmt.Errorf("%w: expiresIn %g is not a whole number of seconds", ErrMalformedResponse, seconds)
	case seconds <= 0:
		return 0, fmt.Errorf("%w: expiresIn %g seconds is not positive", ErrMalformedResponse, seconds)
	}
	return time.Duration(seconds) * time.Second, nil
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
