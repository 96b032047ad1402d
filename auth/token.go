// Package auth obtains and keeps Athos API access tokens. It fetches tokens
// with the OAuth2 client-credentials flow, schedules their refresh, and
// stores profiles and client secrets. It has no user interface.
package auth

import "time"

// DefaultAPIURL is the production Athos API base URL.
const DefaultAPIURL = "https://api.athos.vingcard.com"

// TokenPath is the path of the machine-to-machine token endpoint, relative to
// the API base URL.
const TokenPath = "/corp/auth/m2m"

// Credentials are the client id and secret of one Athos organisation.
type Credentials struct {
	ClientID     string
	ClientSecret string
}

// Token is an access token together with the times that govern its use.
type Token struct {
	// AccessToken is the opaque bearer token.
	AccessToken string
	// Scope is the space-separated scope list the server granted.
	Scope string
	// ExpiresIn is the lifetime the server reported when it sent the token.
	ExpiresIn time.Duration
	// ServerExpiresAt is the server's own expiry time (its clock, not ours),
	// zero when the response had none. It serves only as a cross-check.
	ServerExpiresAt time.Time
	// ReceivedAt is the local wall-clock time the response arrived.
	ReceivedAt time.Time
}

// Expiry returns the local wall-clock time at which the token expires:
// ReceivedAt plus ExpiresIn.
func (t Token) Expiry() time.Time {
	return t.ReceivedAt.Add(t.ExpiresIn)
}

// Valid reports whether the token is non-empty and not yet expired at now.
func (t Token) Valid(now time.Time) bool {
	return t.AccessToken != "" && now.Before(t.Expiry())
}

// MaxClockSkew is how far the local clock may differ from the server's
// before ClockOff reports it. Scheduling never depends on the difference.
const MaxClockSkew = 2 * time.Minute

// ClockSkew returns how far the local expiry is ahead of the server's
// expiresAt, which is roughly how far the local clock is ahead of the
// server's. It is zero when the response had no expiresAt or one that did
// not parse, and when t has no ReceivedAt.
func ClockSkew(t Token) time.Duration {
	skew, _ := clockSkew(t)
	return skew
}

// ClockOff returns ClockSkew rounded to the second, and whether it exceeds
// MaxClockSkew in either direction, for a line such as "Clock is off by
// 3m 10s". It returns false when the response had no usable expiresAt.
func ClockOff(t Token) (time.Duration, bool) {
	skew, ok := clockSkew(t)
	if !ok {
		return 0, false
	}
	skew = skew.Round(time.Second)
	return skew, skew > MaxClockSkew || skew < -MaxClockSkew
}

func clockSkew(t Token) (time.Duration, bool) {
	if t.ServerExpiresAt.IsZero() || t.ReceivedAt.IsZero() || t.ExpiresIn <= 0 {
		return 0, false
	}
	return t.Expiry().Sub(t.ServerExpiresAt), true
}
