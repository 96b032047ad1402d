//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// shell plays the part of a desktop panel: it owns the StatusNotifierItem
// watcher name, learns which bus name registers a tray item, and reads and
// clicks that item's menu over com.canonical.dbusmenu.
type shell struct {
	t    *testing.T
	conn *dbus.Conn

	mu       sync.Mutex // guards items
	items    []registration
	register chan registration
}

// registration is one RegisterStatusNotifierItem call.
type registration struct {
	sender dbus.Sender
	path   dbus.ObjectPath
}

// watcher is the object exported at /StatusNotifierWatcher.
type watcher struct{ s *shell }

// RegisterStatusNotifierItem records the caller. Items pass either an
// object path or a bus name; fyne.io/systray passes its object path.
func (w watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	path := dbus.ObjectPath("/StatusNotifierItem")
	if strings.HasPrefix(service, "/") {
		path = dbus.ObjectPath(service)
	}
	r := registration{sender: sender, path: path}
	w.s.mu.Lock()
	w.s.items = append(w.s.items, r)
	w.s.mu.Unlock()
	select {
	case w.s.register <- r:
	default:
	}
	return nil
}

// RegisterStatusNotifierHost accepts a host registration.
func (w watcher) RegisterStatusNotifierHost(service string) *dbus.Error {
	return nil
}

func newShell(t *testing.T) *shell {
	t.Helper()

	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connect to the session bus: %v (run the e2e tests through scripts/desktop-session.sh)", err)
	}
	t.Cleanup(func() { conn.Close() })
	return newShellOn(t, conn)
}

// newShellOn makes a shell on the bus of conn.
func newShellOn(t *testing.T, conn *dbus.Conn) *shell {
	t.Helper()

	s := &shell{t: t, conn: conn, register: make(chan registration, 8)}
	if err := conn.Export(watcher{s}, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatalf("export the watcher: %v", err)
	}
	reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own org.kde.StatusNotifierWatcher: reply %v, error %v", reply, err)
	}
	t.Cleanup(func() { conn.ReleaseName("org.kde.StatusNotifierWatcher") })
	return s
}

// registrations returns how many tray items registered so far.
func (s *shell) registrations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// waitForItem returns the first tray item that registers within timeout.
func (s *shell) waitForItem(timeout time.Duration) *trayItem {
	s.t.Helper()
	select {
	case r := <-s.register:
		item := &trayItem{t: s.t, conn: s.conn, name: string(r.sender), path: r.path}
		item.menuPath = item.menuObjectPath()
		return item
	case <-time.After(timeout):
		s.t.Fatalf("no tray item registered with the watcher within %v", timeout)
		return nil
	}
}

// trayItem is one registered StatusNotifierItem and its menu.
type trayItem struct {
	t        *testing.T
	conn     *dbus.Conn
	name     string
	path     dbus.ObjectPath
	menuPath dbus.ObjectPath
}

func (i *trayItem) property(name string) dbus.Variant {
	i.t.Helper()
	v, err := i.conn.Object(i.name, i.path).GetProperty("org.kde.StatusNotifierItem." + name)
	if err != nil {
		i.t.Fatalf("read tray item property %s: %v", name, err)
	}
	return v
}

func (i *trayItem) menuObjectPath() dbus.ObjectPath {
	i.t.Helper()
	path, ok := i.property("Menu").Value().(dbus.ObjectPath)
	if !ok {
		i.t.Fatalf("tray item property Menu is %v, want an object path", i.property("Menu"))
	}
	return path
}

// tooltip returns the title and text of the item's ToolTip property.
func (i *trayItem) tooltip() string {
	i.t.Helper()
	var tip struct {
		Icon   string
		Pixmap []struct {
			W, H int32
			Data []byte
		}
		Title, Text string
	}
	if err := i.property("ToolTip").Store(&tip); err != nil {
		i.t.Fatalf("decode ToolTip: %v", err)
	}
	return tip.Title + "\n" + tip.Text
}

// menuEntry is one item of a dbusmenu layout.
type menuEntry struct {
	ID       int32
	Label    string
	Enabled  bool
	Visible  bool
	Toggled  bool
	Children []menuEntry
}

// layout reads the whole menu with GetLayout.
func (i *trayItem) layout() menuEntry {
	i.t.Helper()
	var revision uint32
	var root []any
	call := i.conn.Object(i.name, i.menuPath).Call("com.canonical.dbusmenu.GetLayout", 0,
		int32(0), int32(-1), []string{})
	if call.Err != nil {
		i.t.Fatalf("GetLayout: %v", call.Err)
	}
	if err := call.Store(&revision, &root); err != nil {
		i.t.Fatalf("decode GetLayout reply: %v", err)
	}
	return decodeEntry(i.t, root)
}

func decodeEntry(t *testing.T, raw []any) menuEntry {
	t.Helper()
	if len(raw) != 3 {
		t.Fatalf("menu entry has %d fields, want 3 (id, properties, children)", len(raw))
	}
	e := menuEntry{ID: raw[0].(int32), Enabled: true, Visible: true}
	props := raw[1].(map[string]dbus.Variant)
	if v, ok := props["label"]; ok {
		e.Label = v.Value().(string)
	}
	if v, ok := props["enabled"]; ok {
		e.Enabled = v.Value().(bool)
	}
	if v, ok := props["visible"]; ok {
		e.Visible = v.Value().(bool)
	}
	if v, ok := props["toggle-state"]; ok {
		e.Toggled = v.Value().(int32) == 1
	}
	for _, child := range raw[2].([]dbus.Variant) {
		e.Children = append(e.Children, decodeEntry(t, child.Value().([]any)))
	}
	return e
}

// find returns the visible entry whose label matches, searching depth first.
func (e menuEntry) find(match func(string) bool) (menuEntry, bool) {
	if e.Visible && match(e.Label) && e.ID != 0 {
		return e, true
	}
	for _, c := range e.Children {
		if found, ok := c.find(match); ok {
			return found, true
		}
	}
	return menuEntry{}, false
}

// labels lists the visible labels of the top-level entries.
func (e menuEntry) labels() []string {
	var out []string
	for _, c := range e.Children {
		if c.Visible && c.Label != "" {
			out = append(out, c.Label)
		}
	}
	return out
}

// entry returns the entry labelled label, read right now: ids change when
// the tray rebuilds part of its menu.
func (i *trayItem) entry(label string) menuEntry {
	i.t.Helper()
	e, ok := i.layout().find(func(l string) bool { return l == label })
	if !ok {
		i.t.Fatalf("menu has no item %q; items: %q", label, i.layout().labels())
	}
	return e
}

// click sends the "clicked" event that a panel sends when a person picks
// the item labelled label.
func (i *trayItem) click(label string) {
	i.t.Helper()
	e := i.entry(label)
	if !e.Enabled {
		i.t.Fatalf("menu item %q is disabled", label)
	}
	call := i.conn.Object(i.name, i.menuPath).Call("com.canonical.dbusmenu.Event", 0,
		e.ID, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
	if call.Err != nil {
		i.t.Fatalf("click %q: %v", label, call.Err)
	}
}

// statusEntry returns the status entry, the item that follows the profile
// entry.
func (i *trayItem) statusEntry() menuEntry {
	i.t.Helper()
	var labelled []menuEntry
	for _, c := range i.layout().Children {
		if c.Visible && c.Label != "" {
			labelled = append(labelled, c)
		}
	}
	if len(labelled) < 2 {
		i.t.Fatalf("menu has %d labelled items, want the profile and status lines first", len(labelled))
	}
	return labelled[1]
}

// statusLine returns the label of the status entry.
func (i *trayItem) statusLine() string {
	i.t.Helper()
	return i.statusEntry().Label
}

// waitFor polls the menu until cond holds, failing after timeout. It waits
// for the tray process, not for a fixed time.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within %v; last state: %s", what, timeout, last)
}

func (i *trayItem) waitForStatus(timeout time.Duration, match func(string) bool, what string) string {
	i.t.Helper()
	var line string
	waitFor(i.t, timeout, what, func() (bool, string) {
		line = i.statusLine()
		return match(line), fmt.Sprintf("status %q", line)
	})
	return line
}
