package auth

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func jwtWithPayload(payload string) string {
	return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
}

func TestDecodeClaims(t *testing.T) {
	claims, err := DecodeClaims(jwtWithPayload(`{"sub":"client","scope":"a b","iat":1700000000,"exp":1700043200,"roles":["x", "y"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range claims.List {
		names = append(names, c.Name+"="+c.Value)
	}
	want := `exp=1700043200 iat=1700000000 roles=["x","y"] scope="a b" sub="client"`
	if got := strings.Join(names, " "); got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
	if sub, ok := claims.String("sub"); !ok || sub != "client" {
		t.Errorf(`String("sub") = %q, %v; want client, true`, sub, ok)
	}
	if exp, ok := claims.Time("exp"); !ok || !exp.Equal(time.Unix(1700043200, 0)) {
		t.Errorf(`Time("exp") = %v, %v; want 1700043200`, exp, ok)
	}
	if _, ok := claims.Time("sub"); ok {
		t.Errorf(`Time("sub") ok for a string claim`)
	}
	if _, ok := claims.String("missing"); ok {
		t.Errorf(`String("missing") ok for a missing claim`)
	}
}

func TestDecodeClaimsRejectsMalformedTokens(t *testing.T) {
	for name, token := range map[string]string{
		"empty":          "",
		"two parts":      "a.b",
		"bad base64":     "a.!!!.c",
		"array payload":  jwtWithPayload(`[1,2]`),
		"trailing data":  jwtWithPayload(`{"a":1} {}`),
		"not JSON":       jwtWithPayload(`sub`),
		"too long":       "a." + strings.Repeat("A", maxClaimsTokenLength) + ".c",
		"padded garbage": "a.=.c",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := DecodeClaims(token); err == nil {
				t.Errorf("DecodeClaims succeeded, want an error")
			}
		})
	}
}

func TestDecodeClaimsErrorHidesToken(t *testing.T) {
	token := jwtWithPayload(`{"secretclaim":`)
	_, err := DecodeClaims(token)
	if err == nil {
		t.Fatal("DecodeClaims succeeded on a truncated payload")
	}
	if strings.Contains(err.Error(), "secretclaim") || strings.Contains(err.Error(), token) {
		t.Errorf("error contains the token's content (%d bytes)", len(err.Error()))
	}
}

func FuzzDecodeClaims(f *testing.F) {
	f.Add(jwtWithPayload(`{"sub":"client","exp":1700043200}`))
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := DecodeClaims(token)
		if err != nil {
			return
		}
		for i := 1; i < len(claims.List); i++ {
			if claims.List[i-1].Name >= claims.List[i].Name {
				t.Fatalf("claims not sorted by name at %d", i)
			}
		}
		for _, c := range claims.List {
			if c.Value == "" {
				t.Fatalf("claim %q has an empty value", c.Name)
			}
			claims.Time(c.Name)
			claims.String(c.Name)
		}
	})
}
