package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// maxClaimsTokenLength bounds the tokens DecodeClaims reads. Athos tokens
// are well under a kilobyte.
const maxClaimsTokenLength = 64 << 10

// Claim is one entry of a JWT payload, with its value as JSON text.
type Claim struct {
	Name  string
	Value string
}

// Claims is the decoded payload of a JWT.
type Claims struct {
	// List holds every claim sorted by name, values as compact JSON.
	List []Claim
	raw  map[string]json.RawMessage
}

// DecodeClaims decodes the payload of a JWT in compact form (three
// base64url parts joined by dots) for display. It does not verify the
// signature, so the claims must not be trusted for any decision. Errors
// describe the token's shape and never contain the token.
func DecodeClaims(token string) (Claims, error) {
	if len(token) > maxClaimsTokenLength {
		return Claims{}, fmt.Errorf("decode token claims: token is %d bytes, longer than the %d bytes read",
			len(token), maxClaimsTokenLength)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, fmt.Errorf("decode token claims: the token has %d dot-separated parts, not the 3 of a JWT",
			len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return Claims{}, fmt.Errorf("decode token claims: the payload is not base64url: %v", err)
	}

	raw := map[string]json.RawMessage{}
	decoder := json.NewDecoder(bytes.NewReader(payload))
	decoder.UseNumber()
	if err := decoder.Decode(&raw); err != nil {
		return Claims{}, fmt.Errorf("decode token claims: the payload is not a JSON object: %v", err)
	}
	if decoder.More() {
		return Claims{}, fmt.Errorf("decode token claims: the payload has data after the JSON object")
	}

	claims := Claims{raw: raw}
	for name, value := range raw {
		var compact bytes.Buffer
		if err := json.Compact(&compact, value); err != nil {
			return Claims{}, fmt.Errorf("decode token claims: claim %q: %v", name, err)
		}
		claims.List = append(claims.List, Claim{Name: name, Value: compact.String()})
	}
	sort.Slice(claims.List, func(i, j int) bool { return claims.List[i].Name < claims.List[j].Name })
	return claims, nil
}

// String returns the claim name as a JSON string, and ok false when it is
// missing or not a string.
func (c Claims) String(name string) (value string, ok bool) {
	raw, found := c.raw[name]
	if !found {
		return "", false
	}
	err := json.Unmarshal(raw, &value)
	return value, err == nil
}

// Time returns a NumericDate claim such as "exp" or "iat" (seconds since
// the Unix epoch, RFC 7519 section 2), and ok false when it is missing or
// not a number of seconds between the years 1970 and 9999.
func (c Claims) Time(name string) (time.Time, bool) {
	raw, found := c.raw[name]
	if !found {
		return time.Time{}, false
	}
	var seconds float64
	if err := json.Unmarshal(raw, &seconds); err != nil || seconds < 0 || seconds > 253402300799 ||
		math.IsNaN(seconds) {
		return time.Time{}, false
	}
	whole, fraction := math.Modf(seconds)
	return time.Unix(int64(whole), int64(fraction*1e9)), true
}
