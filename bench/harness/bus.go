//go:build benchref

package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

const watcherName = "org.kde.StatusNotifierWatcher"

// registration is one RegisterStatusNotifierItem call, stamped when the
// call reached the watcher.
type registration struct {
	sender string
	path   dbus.ObjectPath
	at     time.Time
}

// watcher owns org.kde.StatusNotifierWatcher on the session bus, as a
// desktop panel does, so that trays register with it.
type watcher struct {
	conn          *dbus.Conn
	registrations chan registration
}

// watcherObject is the object exported at /StatusNotifierWatcher.
type watcherObject struct{ w *watcher }

// RegisterStatusNotifierItem records the caller. fyne.io/systray passes its
// object path. Other items pass a bus name and export their object at
// /StatusNotifierItem.
func (o watcherObject) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	r := registration{sender: string(sender), path: "/StatusNotifierItem", at: time.Now()}
	if strings.HasPrefix(service, "/") {
		r.path = dbus.ObjectPath(service)
	}
	select {
	case o.w.registrations <- r:
	default:
	}
	return nil
}

// RegisterStatusNotifierHost accepts a host registration.
func (o watcherObject) RegisterStatusNotifierHost(string) *dbus.Error { return nil }

func newWatcher() (*watcher, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("connect to the session bus: %w (run the benchmark through scripts/bench.sh)", err)
	}
	w := &watcher{conn: conn, registrations: make(chan registration, 16)}
	if err := conn.Export(watcherObject{w}, "/StatusNotifierWatcher", watcherName); err != nil {
		conn.Close()
		return nil, fmt.Errorf("export the watcher: %w", err)
	}
	reply, err := conn.RequestName(watcherName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		conn.Close()
		return nil, fmt.Errorf("own %s: reply %v, error %v; is a desktop panel running on this bus?", watcherName, reply, err)
	}
	return w, nil
}

// waitForItem returns the registration made by process pid, skipping
// registrations of other processes, such as those left from an earlier run.
func (w *watcher) waitForItem(pid int, timeout time.Duration) (registration, error) {
	deadline := time.After(timeout)
	for {
		select {
		case r := <-w.registrations:
			var owner uint32
			err := w.conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, r.sender).Store(&owner)
			if err == nil && int(owner) == pid {
				return r, nil
			}
		case <-deadline:
			return registration{}, fmt.Errorf("process %d registered no tray item within %v", pid, timeout)
		}
	}
}

// drain discards registrations that arrived since the last wait.
func (w *watcher) drain() {
	for {
		select {
		case <-w.registrations:
		default:
			return
		}
	}
}

// trayMenu is the com.canonical.dbusmenu menu of one registered item.
type trayMenu struct {
	conn *dbus.Conn
	name string
	path dbus.ObjectPath
}

func (w *watcher) menuOf(r registration) (*trayMenu, error) {
	v, err := w.conn.Object(r.sender, r.path).GetProperty("org.kde.StatusNotifierItem.Menu")
	if err != nil {
		return nil, fmt.Errorf("read the Menu property of the tray item: %w", err)
	}
	path, ok := v.Value().(dbus.ObjectPath)
	if !ok {
		return nil, fmt.Errorf("tray item property Menu is %v, expected an object path", v)
	}
	return &trayMenu{conn: w.conn, name: r.sender, path: path}, nil
}

// menuEntry is one visible item of a dbusmenu layout.
type menuEntry struct {
	id       int32
	label    string
	enabled  bool
	children []menuEntry
}

// layout reads the whole menu with GetLayout.
func (m *trayMenu) layout() (menuEntry, error) {
	var revision uint32
	var root []any
	call := m.conn.Object(m.name, m.path).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if call.Err != nil {
		return menuEntry{}, fmt.Errorf("GetLayout: %w", call.Err)
	}
	if err := call.Store(&revision, &root); err != nil {
		return menuEntry{}, fmt.Errorf("decode the GetLayout reply: %w", err)
	}
	return decodeEntry(root)
}

func decodeEntry(raw []any) (menuEntry, error) {
	if len(raw) != 3 {
		return menuEntry{}, fmt.Errorf("menu entry has %d fields, expected 3 (id, properties, children)", len(raw))
	}
	id, _ := raw[0].(int32)
	props, _ := raw[1].(map[string]dbus.Variant)
	e := menuEntry{id: id, enabled: true}
	if v, ok := props["label"]; ok {
		e.label, _ = v.Value().(string)
	}
	if v, ok := props["enabled"]; ok {
		e.enabled, _ = v.Value().(bool)
	}
	if v, ok := props["visible"]; ok {
		if visible, _ := v.Value().(bool); !visible {
			return menuEntry{}, nil
		}
	}
	children, _ := raw[2].([]dbus.Variant)
	for _, child := range children {
		fields, _ := child.Value().([]any)
		c, err := decodeEntry(fields)
		if err != nil {
			return menuEntry{}, err
		}
		e.children = append(e.children, c)
	}
	return e, nil
}

// find returns the first entry, depth first, whose label has prefix.
func (e menuEntry) find(prefix string) (menuEntry, bool) {
	if e.id != 0 && e.label != "" && strings.HasPrefix(e.label, prefix) {
		return e, true
	}
	for _, c := range e.children {
		if found, ok := c.find(prefix); ok {
			return found, true
		}
	}
	return menuEntry{}, false
}

// labels returns the labels of the top-level entries, for error messages.
func (e menuEntry) labels() []string {
	var out []string
	for _, c := range e.children {
		if c.label != "" {
			out = append(out, c.label)
		}
	}
	return out
}

var errNoSuchItem = errors.New("no such item")

// entry reads the menu now and returns the entry whose label starts with
// prefix. Ids change when a tray rebuilds its menu, so every click looks
// its item up again.
func (m *trayMenu) entry(prefix string) (menuEntry, error) {
	root, err := m.layout()
	if err != nil {
		return menuEntry{}, err
	}
	e, ok := root.find(prefix)
	if !ok {
		return menuEntry{}, fmt.Errorf("menu item %q: %w; the menu has %q", prefix, errNoSuchItem, root.labels())
	}
	return e, nil
}

// click sends the "clicked" event that a panel sends when a person picks e.
func (m *trayMenu) click(e menuEntry) error {
	if !e.enabled {
		return fmt.Errorf("menu item %q is disabled", e.label)
	}
	call := m.conn.Object(m.name, m.path).Call("com.canonical.dbusmenu.Event", 0,
		e.id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
	if call.Err != nil {
		return fmt.Errorf("click %q: %w", e.label, call.Err)
	}
	return nil
}

// waitForLabel polls the menu until an entry's label starts with prefix.
func (m *trayMenu) waitForLabel(prefix string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if _, err := m.entry(prefix); err == nil {
			return nil
		} else {
			last = err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no menu item %q within %v: %w", prefix, timeout, last)
}
