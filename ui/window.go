package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/athos-tray/athos-tray/assets"
	"github.com/athos-tray/athos-tray/auth"
)

// AppID is the application id written in FyneApp.toml. The window
// processes do not pass it to Fyne (see newWindowApp).
const AppID = "com.athostray.tokentray"

// Names of the windows, as given to 'athos-tray window NAME'.
const (
	WindowCredentials = "credentials"
	WindowProfiles    = "profiles"
	WindowToken       = "token"
	WindowSettings    = "settings"
)

// Window titles, which the end-to-end tests look windows up by.
const (
	TitleCredentials = "Athos Token Tray: credentials"
	TitleProfiles    = "Athos Token Tray: profiles"
	TitleToken       = "Athos Token Tray: token details"
	TitleSettings    = "Athos Token Tray: settings"
)

// saveTimeout bounds a credential check or Test request from a window.
const saveTimeout = 30 * time.Second

// newWindowApp starts the Fyne app of a window process, which quits when
// ctx ends. Each window runs in its own process because the resident tray
// does not start the Fyne driver.
//
// The app has no id. With an id, Fyne 2.7 keeps a preferences file that
// each window process rewrites as it exits. Another process that starts
// or watches the file meanwhile reads it empty and logs "Preferences load
// error ... EOF". The windows use no Fyne preferences or storage.
func newWindowApp(ctx context.Context) fyne.App {
	// NOTE: a build by 'fyne package' compiles the id of FyneApp.toml into
	// the program, and Fyne then keeps the preferences file under that id.
	a := app.NewWithID("")
	a.SetIcon(fyne.NewStaticResource("Icon.png", assets.AppIcon()))
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	return a
}

// runInBackground runs slow work, such as a token request or a keyring
// call, off the Fyne goroutine. Windows report back through fyne.Do.
func runInBackground(work func()) { go work() }

// errorText returns err for a window's status line. Errors of package auth
// never contain a secret or a token.
func errorText(err error) string {
	var status *auth.StatusError
	if errors.As(err, &status) && errors.Is(err, auth.ErrCredentialsRejected) {
		return fmt.Sprintf("The server rejected the client id or secret (%d %s).",
			status.StatusCode, http.StatusText(status.StatusCode))
	}
	return upperFirst(err.Error())
}

// watchProfileFile calls changed on the Fyne goroutine each time the
// profile file at path changes, until ctx ends.
func watchProfileFile(ctx context.Context, path string, changed func()) {
	ticker := time.NewTicker(configCheckInterval)
	defer ticker.Stop()

	stamp := statFile(path)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if now := statFile(path); now != stamp {
			stamp = now
			fyne.Do(changed)
		}
	}
}
