module github.com/athos-tray/athos-tray

go 1.24.0

require (
	fyne.io/systray v1.12.2
	github.com/atotto/clipboard v0.1.4
	github.com/godbus/dbus/v5 v5.2.2
	github.com/zalando/go-keyring v0.2.8
	golang.org/x/term v0.30.0
)

require (
	github.com/danieljoos/wincred v1.2.3 // indirect
	golang.org/x/sys v0.31.0 // indirect
)
