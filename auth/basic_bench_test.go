package auth

import "testing"

// BenchmarkBasicHeader measures building the Basic header value, which
// every token request and every Copy legacy Basic header click does,
// including the checks of the client id and secret.
func BenchmarkBasicHeader(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BasicHeader(testCreds); err != nil {
			b.Fatal(err)
		}
	}
}
