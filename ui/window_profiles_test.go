package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/athos-tray/athos-tray/auth"
)

func newTestProfileManager(t *testing.T, saver auth.ProfileSaver) (*profileManager, *[]string) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	m := newProfileManager(w, saver)
	m.background = func(work func()) { work() }
	opened := &[]string{}
	m.openForm = func(name string) { *opened = append(*opened, name) }
	w.SetContent(m.content())
	return m, opened
}

func TestProfileManagerListsAndSelectsActive(t *testing.T) {
	saver, _ := newTestSaver(t)
	m, _ := newTestProfileManager(t, saver)
	wantStatus(t, m.status, "No profiles yet.")
	if !m.edit.Disabled() || !m.remove.Disabled() {
		t.Errorf("Edit or Remove enabled with no profiles")
	}

	addStoredProfile(t, saver, "a", "")
	addStoredProfile(t, saver, "b", "https://staging.example.com")
	m.syncFromFile()
	if m.list.Length() != 2 || m.selected != "a" {
		t.Fatalf("list has %d rows with %q selected, want 2 with the active profile a", m.list.Length(), m.selected)
	}
	if got := m.rowText(0); got != "a (client) · active" {
		t.Errorf("row 0 = %q, want %q", got, "a (client) · active")
	}
	if got := m.rowText(1); got != "b (client) · https://staging.example.com" {
		t.Errorf("row 1 = %q", got)
	}
	if !m.use.Disabled() {
		t.Errorf("Make active enabled for the active profile")
	}
}

func TestProfileManagerOpensForm(t *testing.T) {
	saver, _ := newTestSaver(t)
	addStoredProfile(t, saver, "a", "")
	m, opened := newTestProfileManager(t, saver)

	test.Tap(m.add)
	test.Tap(m.edit)
	if len(*opened) != 2 || (*opened)[0] != "" || (*opened)[1] != "a" {
		t.Errorf("forms opened for %q, want a new one, then a", *opened)
	}
}

func TestProfileManagerRenameMovesSecret(t *testing.T) {
	saver, secrets := newTestSaver(t)
	addStoredProfile(t, saver, "a", "")
	m, _ := newTestProfileManager(t, saver)

	m.renameProfile("a", "renamed")
	wantStatus(t, m.status, `Renamed profile "a" to "renamed"`)
	if m.selected != "renamed" {
		t.Errorf("selected %q after renaming, want renamed", m.selected)
	}
	if secrets["renamed"] != testSecret {
		t.Errorf("secret not moved to the new name")
	}
	if _, ok := secrets["a"]; ok {
		t.Errorf("old keyring entry kept")
	}
	config, _ := saver.Store.Load()
	if config.Active != "renamed" {
		t.Errorf("active profile = %q, want renamed", config.Active)
	}
}

func TestProfileManagerRenameRejectsTakenName(t *testing.T) {
	saver, secrets := newTestSaver(t)
	addStoredProfile(t, saver, "a", "")
	addStoredProfile(t, saver, "b", "")
	m, _ := newTestProfileManager(t, saver)

	m.renameProfile("a", "b")
	wantStatus(t, m.status, `a profile named "b" already exists`)
	if secrets["a"] != testSecret || secrets["b"] != testSecret {
		t.Errorf("keyring changed by a rejected rename")
	}
}

func TestProfileManagerDuplicateCopiesSecret(t *testing.T) {
	saver, secrets := newTestSaver(t)
	addStoredProfile(t, saver, "a", "https://staging.example.com")
	m, _ := newTestProfileManager(t, saver)

	m.duplicateProfile("a", "a copy")
	wantStatus(t, m.status, `Added profile "a copy" as a copy of "a"`)
	config, _ := saver.Store.Load()
	if p, ok := config.Find("a copy"); !ok || p.APIURL != "https://staging.example.com" {
		t.Errorf("duplicate = %+v, want the settings of a", p)
	}
	if secrets["a copy"] != testSecret || secrets["a"] != testSecret {
		t.Errorf("secrets after duplicating: copy present %v, original present %v",
			secrets["a copy"] != "", secrets["a"] != "")
	}
	if m.selected != "a copy" {
		t.Errorf("selected %q after duplicating, want the copy", m.selected)
	}
}

func TestProfileManagerRemoveDeletesSecret(t *testing.T) {
	saver, secrets := newTestSaver(t)
	addStoredProfile(t, saver, "a", "")
	addStoredProfile(t, saver, "b", "")
	m, _ := newTestProfileManager(t, saver)

	m.removeProfile("a")
	wantStatus(t, m.status, `The active profile is "b".`)
	if _, ok := secrets["a"]; ok {
		t.Errorf("secret of a still in the keyring")
	}
	if m.list.Length() != 1 || m.selected != "b" {
		t.Errorf("list has %d rows with %q selected, want only b", m.list.Length(), m.selected)
	}
}

func TestProfileManagerMakeActive(t *testing.T) {
	saver, _ := newTestSaver(t)
	addStoredProfile(t, saver, "a", "")
	addStoredProfile(t, saver, "b", "")
	m, _ := newTestProfileManager(t, saver)

	m.list.Select(1)
	test.Tap(m.use)
	wantStatus(t, m.status, `"b" is now the active profile.`)
	if config, _ := saver.Store.Load(); config.Active != "b" {
		t.Errorf("active profile = %q, want b", config.Active)
	}
}

func TestProfileManagerFailedRenameKeepsSelection(t *testing.T) {
	saver, _ := newTestSaver(t)
	addStoredProfile(t, saver, "a", "")
	addStoredProfile(t, saver, "b", "")
	m, _ := newTestProfileManager(t, saver)
	if m.selected != "a" {
		t.Fatalf("selected %q at the start, want a", m.selected)
	}

	m.renameProfile("a", "b")
	wantStatus(t, m.status, `a profile named "b" already exists`)
	if m.selected != "a" {
		t.Errorf("selected %q after a failed rename, want a, the profile being renamed", m.selected)
	}
}

func TestProfileManagerRenameDialog(t *testing.T) {
	saver, secrets := newTestSaver(t)
	addStoredProfile(t, saver, "a", "")
	m, _ := newTestProfileManager(t, saver)
	m.window.Resize(fyne.NewSize(560, 380))

	test.Tap(m.rename)
	if m.nameEntry == nil {
		t.Fatal("Rename… showed no name dialog")
	}
	want := fyne.MeasureText("staging-eu-west-1-readonly-app", theme.TextSize(), fyne.TextStyle{}).Width
	if got := m.nameEntry.Size().Width; got < want {
		t.Errorf("name entry is %.0f wide, want at least %.0f for 30 characters", got, want)
	}

	m.nameEntry.SetText("renamed")
	m.nameEntry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if m.selected != "renamed" {
		t.Errorf("selected %q after Enter in the rename dialog, want renamed", m.selected)
	}
	if secrets["renamed"] != testSecret {
		t.Errorf("Enter in the rename dialog did not rename the profile")
	}
}
