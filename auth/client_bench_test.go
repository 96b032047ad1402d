package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// benchResponse is a token response of the size the Athos API sends: a JWT
// of about 400 bytes, like the ones the emulator issues.
var benchResponse = []byte(`{"accessToken":"` + strings.Repeat("eyJhbGciOiJIUzI1NiJ9", 20) + `",` +
	`"expiresIn":43200,"expiresAt":"2024-10-26T06:52:09.443Z","scope":"read:corp write:corp"}`)

func BenchmarkParseTokenResponse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchResponse)))
	for b.Loop() {
		if _, err := parseTokenResponse(benchResponse, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFetchToken measures a whole token request to a server on
// 127.0.0.1, with keep-alive connections, as the tray makes it.
func BenchmarkFetchToken(b *testing.B) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(benchResponse)
	}))
	defer server.Close()
	client := &Client{APIURL: server.URL, Timeout: 5 * time.Second}
	ctx := context.Background()

	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.FetchToken(ctx, testCreds); err != nil {
			b.Fatal(err)
		}
	}
}
