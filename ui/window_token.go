package ui

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/athos-tray/athos-tray/auth"
)

// maxClockSkew is how far the server's expiresAt may differ from the local
// estimate before the window warns that the computer's clock is off.
const maxClockSkew = 2 * time.Minute

// maxTokenDetailsBytes bounds what the token window reads from its stdin.
const maxTokenDetailsBytes = 256 << 10

// TokenDetails is the data the tray sends to the token window through the
// window's standard input. It contains the access token, so it never
// travels in arguments, the environment or a file.
type TokenDetails struct {
	Profile         string        `json:"profile"`
	AccessToken     string        `json:"accessToken"`
	Scope           string        `json:"scope"`
	ExpiresIn       time.Duration `json:"expiresIn"`
	ReceivedAt      time.Time     `json:"receivedAt"`
	ServerExpiresAt time.Time     `json:"serverExpiresAt"`
	// NextRefresh is when the tray plans its next token request, zero when
	// none is scheduled.
	NextRefresh time.Time `json:"nextRefresh"`
}

// NewTokenDetails returns the details of the token in snap.
func NewTokenDetails(profile string, snap auth.Snapshot) TokenDetails {
	return TokenDetails{
		Profile:         profile,
		AccessToken:     snap.Token.AccessToken,
		Scope:           snap.Token.Scope,
		ExpiresIn:       snap.Token.ExpiresIn,
		ReceivedAt:      snap.Token.ReceivedAt,
		ServerExpiresAt: snap.Token.ServerExpiresAt,
		NextRefresh:     snap.NextAttempt,
	}
}

func (d TokenDetails) token() auth.Token {
	return auth.Token{
		AccessToken:     d.AccessToken,
		Scope:           d.Scope,
		ExpiresIn:       d.ExpiresIn,
		ReceivedAt:      d.ReceivedAt,
		ServerExpiresAt: d.ServerExpiresAt,
	}
}

// TokenDetailsReader reads the details that the tray writes to the token
// window's standard input: one JSON object per line, a new line each time
// the token or its refresh time changes.
type TokenDetailsReader struct {
	scanner *bufio.Scanner
	profile string
	// started is set once the first details were read. Later details may
	// be for another profile, because the window follows the tray's
	// active profile.
	started bool
}

// NewTokenDetailsReader reads details from r whose first line must be for
// profile.
func NewTokenDetailsReader(r io.Reader, profile string) *TokenDetailsReader {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 4096), maxTokenDetailsBytes)
	return &TokenDetailsReader{scanner: scanner, profile: profile}
}

// Next returns the next details, and io.EOF once the tray has closed the
// stream, as it does when no profile with a token is active. Errors never
// contain the token.
func (r *TokenDetailsReader) Next() (TokenDetails, error) {
	if !r.scanner.Scan() {
		if err := r.scanner.Err(); err != nil {
			return TokenDetails{}, fmt.Errorf("read token details from standard input: %w", err)
		}
		return TokenDetails{}, io.EOF
	}
	var d TokenDetails
	if err := json.Unmarshal(r.scanner.Bytes(), &d); err != nil {
		return TokenDetails{}, errors.New("read token details: standard input is not the JSON the tray sends; " +
			"open this window from the tray's Token details… item")
	}
	if !r.started && d.Profile != r.profile {
		return TokenDetails{}, fmt.Errorf("read token details: they are for profile %q, not %q", d.Profile, r.profile)
	}
	if d.AccessToken == "" {
		return TokenDetails{}, errors.New("read token details: no access token; open the window once the tray has one")
	}
	r.started = true
	r.profile = d.Profile
	return d, nil
}

// RunTokenWindow shows the token details and then each update that
// updates delivers, and returns when the window is closed or ctx ends.
func RunTokenWindow(ctx context.Context, details TokenDetails, updates *TokenDetailsReader, cb Clipboard) error {
	a := newWindowApp(ctx)
	w := a.NewWindow(TitleToken)
	v := newTokenView(details, cb, time.Now)
	w.SetContent(v.content())
	w.Resize(fyne.NewSize(640, 560))
	go v.tick(ctx)
	if updates != nil {
		go v.follow(updates)
	}
	w.ShowAndRun()
	return nil
}

// follow shows each update until the stream ends.
func (v *tokenView) follow(updates *TokenDetailsReader) {
	for {
		d, err := updates.Next()
		if err != nil {
			fyne.Do(func() { v.endUpdates(err) })
			return
		}
		fyne.Do(func() { v.setDetails(d) })
	}
}

// tokenView shows one token. Its widgets are touched on the Fyne goroutine
// only.
type tokenView struct {
	details TokenDetails
	claims  auth.Claims
	// claimsErr is the error from decoding the claims, nil on success.
	claimsErr error
	clipboard Clipboard
	now       func() time.Time
	// background runs clipboard writes off the Fyne goroutine. Tests
	// replace it to run the work at once.
	background func(work func())

	revealed bool
	// updated is the status line's note on the details' age, kept so that
	// a copy result can replace it for a moment.
	updated string

	profile       *widget.Label
	scope         *widget.Label
	issued        *widget.Label
	expiresLocal  *widget.Label
	expiresServer *widget.Label
	timeLeft      *widget.Label
	refresh       *widget.Label
	skew          *widget.Label
	token         *widget.Label
	reveal        *widget.Button
	status        *widget.Label
	claimsForm    *widget.Form
	// claimsBox contains claimsForm, which fillClaims replaces.
	claimsBox *fyne.Container
	copies    map[string]*widget.Button
}

func newTokenView(details TokenDetails, cb Clipboard, now func() time.Time) *tokenView {
	v := &tokenView{clipboard: cb, now: now, background: runInBackground}
	v.profile = widget.NewLabel("")
	v.scope = wrapLabel("")
	v.issued = widget.NewLabel("")
	v.expiresLocal = widget.NewLabel("")
	v.expiresServer = widget.NewLabel("")
	v.timeLeft = widget.NewLabel("")
	v.refresh = widget.NewLabel("")
	v.skew = wrapLabel("")
	v.token = widget.NewLabel("")
	v.token.Wrapping = fyne.TextWrapBreak
	v.token.TextStyle.Monospace = true
	v.reveal = widget.NewButton("Reveal", v.toggleReveal)
	v.status = widget.NewLabel("")
	v.claimsBox = container.NewStack()
	v.copies = map[string]*widget.Button{}
	for _, c := range tokenCopies {
		v.copies[c.label] = widget.NewButton(c.label, func() { v.copy(c.what, c.format(v.details.AccessToken)) })
	}
	v.setDetails(details)
	return v
}

// setDetails shows details, as at the start and after each update from
// the tray, which may be for another profile after a switch in the tray.
// A revealed token stays revealed unless the profile changed.
func (v *tokenView) setDetails(d TokenDetails) {
	first := v.details.AccessToken == ""
	switched := !first && d.Profile != v.details.Profile
	v.details = d
	v.profile.SetText(d.Profile)
	if switched && v.revealed {
		// Another profile's token starts hidden.
		v.toggleReveal()
	}
	v.claims, v.claimsErr = auth.DecodeClaims(d.AccessToken)

	scope := d.Scope
	if scope == "" {
		scope = "(none reported)"
	}
	v.scope.SetText(scope)
	// The iat claim is the server's issue time; a token without it shows
	// when the tray received it.
	if iat, ok := v.claims.Time("iat"); ok {
		v.issued.SetText(localTime(iat))
	} else {
		v.issued.SetText(localTime(d.ReceivedAt) + " (received)")
	}
	v.expiresLocal.SetText(localTime(d.token().Expiry()))
	if d.ServerExpiresAt.IsZero() {
		v.expiresServer.SetText("not sent by the server")
	} else {
		v.expiresServer.SetText(localTime(d.ServerExpiresAt))
	}
	v.skew.SetText(skewText(d.token()))
	if v.revealed {
		v.token.SetText(d.AccessToken)
	} else {
		v.token.SetText(maskToken(d.AccessToken))
	}
	v.fillClaims()
	switch {
	case switched:
		v.updated = fmt.Sprintf("Switched to profile %q at %s, the tray's active profile.", d.Profile,
			v.now().Local().Format("15:04:05"))
		v.status.SetText(v.updated)
	case !first:
		v.updated = "Updated at " + v.now().Local().Format("15:04:05") + " with the tray's current token."
		v.status.SetText(v.updated)
	}
	v.update()
}

// fillClaims lists the decoded claims, with NumericDate claims also in
// local time. It builds a new form each time because a rendered
// widget.Form (Fyne 2.7) keeps the widgets of its first rows when its
// items are replaced, so the first claim would show the old value.
func (v *tokenView) fillClaims() {
	form := widget.NewForm()
	if v.claimsErr != nil {
		form.Append("", wrapLabel("The token's claims could not be read: "+v.claimsErr.Error()))
	}
	for _, c := range v.claims.List {
		text := c.Value
		if t, ok := v.claims.Time(c.Name); ok && (c.Name == "exp" || c.Name == "iat" || c.Name == "nbf") {
			text += " (" + localTime(t) + ")"
		}
		form.Append(c.Name, wrapLabel(text))
	}
	v.claimsForm = form
	v.claimsBox.Objects = []fyne.CanvasObject{form}
	v.claimsBox.Refresh()
}

// endUpdates reports that the tray no longer sends updates.
func (v *tokenView) endUpdates(err error) {
	v.updated = "The tray stopped sending updates, so these details may be out of date."
	if !errors.Is(err, io.EOF) {
		v.updated = upperFirst(err.Error())
	}
	v.status.SetText(v.updated)
}

// tokenCopies are the copy buttons: label, what the status line calls the
// copied text, and the text for a token.
var tokenCopies = []struct {
	label, what string
	format      func(token string) string
}{
	{"Copy token", "token", func(t string) string { return t }},
	{"Copy header value", "header value", func(t string) string { return "Bearer " + t }},
	{"Copy header line", "header line", func(t string) string { return "Authorization: Bearer " + t }},
}

func (v *tokenView) content() fyne.CanvasObject {
	info := widget.NewForm(
		widget.NewFormItem("Profile", v.profile),
		widget.NewFormItem("Scope", v.scope),
		widget.NewFormItem("Issued", v.issued),
		widget.NewFormItem("Expires (local estimate)", v.expiresLocal),
		widget.NewFormItem("Expires (server expiresAt)", v.expiresServer),
		widget.NewFormItem("Time left", v.timeLeft),
		widget.NewFormItem("Next refresh", v.refresh),
	)
	buttons := container.NewHBox(v.reveal)
	for _, c := range tokenCopies {
		buttons.Add(v.copies[c.label])
	}
	body := container.NewVBox(
		info,
		v.skew,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Access token", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.token,
		buttons,
		v.status,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Claims (decoded for reading; the signature is not checked)",
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.claimsBox,
	)
	return container.NewVScroll(container.NewPadded(body))
}

func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// tick updates the time left every second until ctx ends.
func (v *tokenView) tick(ctx context.Context) {
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			fyne.Do(v.update)
		}
	}
}

// update recomputes the lines that depend on the clock.
func (v *tokenView) update() {
	now := v.now()
	tok := v.details.token()
	if tok.Valid(now) {
		v.timeLeft.SetText(Countdown(tok.Expiry().Sub(now)))
	} else {
		v.timeLeft.SetText("Expired")
	}

	next := v.details.NextRefresh
	switch {
	case next.IsZero():
		v.refresh.SetText("None scheduled")
	case !next.After(now):
		v.refresh.SetText(localTime(next) + " (due now)")
	default:
		v.refresh.SetText(localTime(next) + " (in " + Countdown(next.Sub(now)) + ")")
	}
}

// skewText compares the server's expiresAt with the local estimate.
func skewText(tok auth.Token) string {
	if tok.ServerExpiresAt.IsZero() {
		return "The server sent no expiresAt, so the local clock cannot be checked against it."
	}
	skew := auth.ClockSkew(tok)
	if skew.Abs() <= maxClockSkew {
		return fmt.Sprintf("The server's expiresAt matches the local estimate (difference %s).", shortDuration(skew.Abs()))
	}
	direction := "ahead of"
	if skew < 0 {
		direction = "behind"
	}
	return fmt.Sprintf("Warning: the local estimate differs from the server's expiresAt by %s. This computer's clock "+
		"is probably %s the server's by about that much; set the clock right, for example with NTP.",
		shortDuration(skew.Abs()), direction)
}

// shortDuration formats d to whole seconds.
func shortDuration(d time.Duration) string {
	return d.Round(time.Second).String()
}

// localTime formats t in the local time zone.
func localTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Local().Format("2006-01-02 15:04:05 MST")
}

// maskToken hides a token and shows only its length.
func maskToken(token string) string {
	return strings.Repeat("•", 24) + fmt.Sprintf(" (%d characters, hidden)", len(token))
}

func (v *tokenView) toggleReveal() {
	v.revealed = !v.revealed
	if v.revealed {
		v.token.SetText(v.details.AccessToken)
		v.reveal.SetText("Hide")
		return
	}
	v.token.SetText(maskToken(v.details.AccessToken))
	v.reveal.SetText("Reveal")
}

// copy writes text to the system clipboard. It uses the same clipboard
// tool as the tray instead of Fyne's, because on X11 a selection that
// this short-lived process owned would vanish when the window closes.
func (v *tokenView) copy(what, text string) {
	v.status.SetText("Copying…")
	v.background(func() {
		err := copyText(v.clipboard, text, copyTimeout)
		fyne.Do(func() {
			if err != nil {
				v.status.SetText("Copy failed: " + err.Error())
				return
			}
			v.status.SetText("Copied the " + what + " to the clipboard.")
		})
	})
}
