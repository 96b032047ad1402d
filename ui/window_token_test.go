package ui

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// testToken is a JWT-shaped token with sub, scope, iat and exp claims.
var testToken = "eyJhbGciOiJIUzI1NiJ9." +
	base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"client","scope":"read:corp","iat":1700000000,"exp":1700043200}`)) +
	".c2lnbmF0dXJl"

func testDetails(received time.Time) TokenDetails {
	return TokenDetails{
		Profile:         "prod",
		AccessToken:     testToken,
		Scope:           "read:corp",
		ExpiresIn:       12 * time.Hour,
		ReceivedAt:      received,
		ServerExpiresAt: received.Add(12 * time.Hour),
		NextRefresh:     received.Add(12*time.Hour - 5*time.Minute),
	}
}

func newTestTokenView(t *testing.T, d TokenDetails, now time.Time) (*tokenView, *fakeClipboard) {
	t.Helper()
	v, cb, _ := newTestTokenWindow(t, d, now)
	return v, cb
}

// newTestTokenWindow returns a token view shown in a headless window.
func newTestTokenWindow(t *testing.T, d TokenDetails, now time.Time) (*tokenView, *fakeClipboard, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	cb := &fakeClipboard{}
	v := newTokenView(d, cb, func() time.Time { return now })
	v.background = func(work func()) { work() }
	w := test.NewTempWindow(t, v.content())
	return v, cb, w
}

// jwtWithClaims returns a JWT-shaped token with the given claims JSON.
func jwtWithClaims(claims string) string {
	return "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2lnbmF0dXJl"
}

// shownLabels returns the text of each label that the window draws. It
// walks the cached renderers, which hold what is on screen, because
// test.LaidOutObjects builds new renderers from the widgets' fields.
func shownLabels(w fyne.Window) string {
	var texts []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			texts = append(texts, o.Text)
		case fyne.Widget:
			for _, child := range test.WidgetRenderer(o).Objects() {
				walk(child)
			}
		case *fyne.Container:
			for _, child := range o.Objects {
				walk(child)
			}
		}
	}
	walk(w.Content())
	return strings.Join(texts, "\n")
}

func TestTokenViewMasksUntilRevealed(t *testing.T) {
	received := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	v, _ := newTestTokenView(t, testDetails(received), received.Add(time.Hour))
	if strings.Contains(v.token.Text, testToken) || !strings.Contains(v.token.Text, "hidden") {
		t.Fatalf("token label shows the token before Reveal (%d characters)", len(v.token.Text))
	}
	test.Tap(v.reveal)
	if v.token.Text != testToken || v.reveal.Text != "Hide" {
		t.Errorf("after Reveal: token shown %v, button %q; want the token and Hide", v.token.Text == testToken, v.reveal.Text)
	}
	test.Tap(v.reveal)
	if v.token.Text == testToken {
		t.Errorf("token still shown after Hide")
	}
}

func TestTokenViewTimes(t *testing.T) {
	received := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	v, _ := newTestTokenView(t, testDetails(received), received.Add(time.Hour))
	if v.timeLeft.Text != "11h 0m" {
		t.Errorf("time left = %q, want 11h 0m", v.timeLeft.Text)
	}
	if want := "(in 10h 55m)"; !strings.HasSuffix(v.refresh.Text, want) {
		t.Errorf("next refresh = %q, want it to end with %q", v.refresh.Text, want)
	}
	if want := localTime(time.Unix(1700000000, 0)); v.issued.Text != want {
		t.Errorf("issued = %q, want the iat claim %q", v.issued.Text, want)
	}
	if !strings.Contains(v.skew.Text, "matches the local estimate") {
		t.Errorf("skew line = %q, want a match", v.skew.Text)
	}

	v.now = func() time.Time { return received.Add(13 * time.Hour) }
	v.update()
	if v.timeLeft.Text != "Expired" || !strings.Contains(v.refresh.Text, "due now") {
		t.Errorf("after expiry: time left %q, next refresh %q", v.timeLeft.Text, v.refresh.Text)
	}
}

func TestTokenViewWarnsOfClockSkew(t *testing.T) {
	received := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		offset time.Duration
		want   string
	}{
		{90 * time.Second, "matches the local estimate"},
		{-3 * time.Minute, "Warning: the local estimate differs from the server's expiresAt by 3m0s. " +
			"This computer's clock is probably ahead of"},
		{5 * time.Minute, "probably behind"},
	} {
		d := testDetails(received)
		d.ServerExpiresAt = d.ServerExpiresAt.Add(tc.offset)
		if got := skewText(d.token()); !strings.Contains(got, tc.want) {
			t.Errorf("server expiry %v from the estimate: %q, want %q", tc.offset, got, tc.want)
		}
	}
	d := testDetails(received)
	d.ServerExpiresAt = time.Time{}
	if got := skewText(d.token()); !strings.Contains(got, "sent no expiresAt") {
		t.Errorf("without expiresAt: %q", got)
	}
}

func TestTokenViewCopyButtons(t *testing.T) {
	received := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	v, cb := newTestTokenView(t, testDetails(received), received)
	for label, want := range map[string]string{
		"Copy token":        testToken,
		"Copy header value": "Bearer " + testToken,
		"Copy header line":  "Authorization: Bearer " + testToken,
	} {
		test.Tap(v.copies[label])
		if cb.text != want {
			t.Errorf("%s copied %d bytes, want %d", label, len(cb.text), len(want))
		}
		if !strings.HasPrefix(v.status.Text, "Copied the ") {
			t.Errorf("status after %s = %q", label, v.status.Text)
		}
	}
}

func TestTokenViewShowsClaims(t *testing.T) {
	received := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	v, _ := newTestTokenView(t, testDetails(received), received)
	if v.claimsErr != nil {
		t.Fatal(v.claimsErr)
	}
	var names []string
	for _, c := range v.claims.List {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "exp iat scope sub" {
		t.Errorf("claims = %s, want exp iat scope sub", got)
	}

	d := testDetails(received)
	d.AccessToken = "opaque"
	v, _ = newTestTokenView(t, d, received)
	if v.claimsErr == nil {
		t.Errorf("no error for a token that is not a JWT")
	}
}

func TestTokenDetailsReader(t *testing.T) {
	first := testDetails(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC))
	second := first
	second.ReceivedAt = second.ReceivedAt.Add(time.Hour)
	var input strings.Builder
	for _, d := range []TokenDetails{first, second} {
		data, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		input.Write(append(data, '\n'))
	}

	r := NewTokenDetailsReader(strings.NewReader(input.String()), "prod")
	for i, want := range []TokenDetails{first, second} {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if got.AccessToken != want.AccessToken || !got.ReceivedAt.Equal(want.ReceivedAt) || got.ExpiresIn != want.ExpiresIn {
			t.Errorf("line %d changed on the way through JSON", i+1)
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("Next at the end = %v, want io.EOF", err)
	}
}

func TestTokenDetailsReaderRejectsBadInput(t *testing.T) {
	data, err := json.Marshal(testDetails(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for name, input := range map[string]string{
		"other profile": string(data) + "\n",
		"not JSON":      testToken + "\n",
		"no token":      `{"profile":"other"}` + "\n",
		"too long":      strings.Repeat("x", maxTokenDetailsBytes+1),
	} {
		_, err := NewTokenDetailsReader(strings.NewReader(input), "other").Next()
		if err == nil || errors.Is(err, io.EOF) {
			t.Errorf("%s: Next = %v, want an error", name, err)
			continue
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("%s: error contains the token", name)
		}
	}
}

func TestTokenViewFollowsUpdates(t *testing.T) {
	received := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	v, _ := newTestTokenView(t, testDetails(received), received.Add(time.Hour))
	test.Tap(v.reveal)

	next := testDetails(received.Add(11 * time.Hour))
	next.AccessToken = testToken + "x"
	next.Scope = "read:corp write:corp"
	v.setDetails(next)
	if v.token.Text != next.AccessToken {
		t.Errorf("revealed token not replaced by the update")
	}
	if v.scope.Text != "read:corp write:corp" || v.timeLeft.Text != "22h 0m" {
		t.Errorf("after the update: scope %q, time left %q", v.scope.Text, v.timeLeft.Text)
	}
	wantStatus(t, v.status, "Updated at ")

	v.endUpdates(io.EOF)
	wantStatus(t, v.status, "The tray stopped sending updates")
}

func TestTokenViewUpdatesEveryClaimRow(t *testing.T) {
	received := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	v, _, w := newTestTokenWindow(t, testDetails(received), received)
	if shown := shownLabels(w); !strings.Contains(shown, "1700043200") {
		t.Fatalf("window does not show the first exp claim")
	}

	next := testDetails(received.Add(12 * time.Hour))
	next.AccessToken = jwtWithClaims(`{"sub":"client","scope":"read:corp","iat":1700043200,"exp":1700086400,"jti":"b"}`)
	v.setDetails(next)

	shown := shownLabels(w)
	for _, want := range []string{"1700086400 (", "1700043200 (", "b"} {
		if !strings.Contains(shown, want) {
			t.Errorf("after a refresh the window does not show the claim value %q", want)
		}
	}
	if strings.Contains(shown, "1700000000") {
		t.Errorf("after a refresh the window still shows the old iat claim")
	}
	if got := strings.Count(shown, "1700043200 ("); got != 1 {
		t.Errorf("after a refresh 1700043200 is shown in %d claim rows, want 1 (the new iat)", got)
	}
}

func TestTokenDetailsReaderFollowsProfileSwitch(t *testing.T) {
	first := testDetails(time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC))
	second := first
	second.Profile = "staging"
	var input strings.Builder
	for _, d := range []TokenDetails{first, second} {
		data, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		input.Write(append(data, '\n'))
	}

	r := NewTokenDetailsReader(strings.NewReader(input.String()), "prod")
	for _, want := range []string{"prod", "staging"} {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("details for %s: %v", want, err)
		}
		if got.Profile != want {
			t.Errorf("details for profile %q, want %q", got.Profile, want)
		}
	}
}

func TestTokenViewFollowsProfileSwitch(t *testing.T) {
	received := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	v, _, w := newTestTokenWindow(t, testDetails(received), received)
	test.Tap(v.reveal)

	next := testDetails(received.Add(time.Hour))
	next.Profile = "staging"
	next.AccessToken = testToken + "s"
	v.setDetails(next)

	if v.profile.Text != "staging" {
		t.Errorf("profile row = %q, want staging", v.profile.Text)
	}
	if shown := shownLabels(w); !strings.Contains(shown, "staging") {
		t.Errorf("window does not show the new profile name")
	}
	wantStatus(t, v.status, `Switched to profile "staging"`)
	if v.token.Text == next.AccessToken || v.revealed {
		t.Errorf("the new profile's token is shown before Reveal")
	}
}
