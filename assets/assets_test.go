package assets

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// allStates lists every State constant.
var allStates = []State{StateIdle, StateValid, StateBusy, StateError, StateLegacy}

// stateColours are the background colours that gen.go draws for each state.
var stateColours = map[State]color.NRGBA{
	StateIdle:   {0x8a, 0x8a, 0x8a, 0xff},
	StateValid:  {0x2e, 0x9d, 0x4f, 0xff},
	StateBusy:   {0xe0, 0xa1, 0x00, 0xff},
	StateError:  {0xd0, 0x34, 0x2c, 0xff},
	StateLegacy: {0x55, 0x70, 0x8a, 0xff},
}

func TestStateString(t *testing.T) {
	cases := map[State]string{
		StateIdle:   "idle",
		StateValid:  "valid",
		StateBusy:   "busy",
		StateError:  "error",
		StateLegacy: "legacy",
		State(42):   "State(42)",
		State(-1):   "State(-1)",
	}
	for state, want := range cases {
		if got := state.String(); got != want {
			t.Errorf("State(%d).String() = %q, want %q", int(state), got, want)
		}
	}
}

// decodeNRGBA decodes data as a PNG and converts it to NRGBA so that pixel
// values can be compared with the state colours directly.
func decodeNRGBA(t *testing.T, name string, data []byte) *image.NRGBA {
	t.Helper()
	decoded, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: decode PNG: %v", name, err)
	}
	bounds := decoded.Bounds()
	converted := image.NewNRGBA(bounds)
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			converted.Set(x, y, decoded.At(x, y))
		}
	}
	return converted
}

func TestTrayPNGSizeAndColours(t *testing.T) {
	for _, state := range allStates {
		name := "icon-" + state.String() + ".png"
		img := decodeNRGBA(t, name, trayIconFor(state, "linux"))

		if got := img.Bounds(); got != image.Rect(0, 0, 64, 64) {
			t.Errorf("%s: bounds = %v, want 64x64", name, got)
			continue
		}

		if got, want := img.NRGBAAt(32, 32), stateColours[state]; got != want {
			t.Errorf("%s: centre pixel = %v, want state colour %v", name, got, want)
		}

		corners := []image.Point{{0, 0}, {63, 0}, {0, 63}, {63, 63}}
		for _, corner := range corners {
			if alpha := img.NRGBAAt(corner.X, corner.Y).A; alpha != 0 {
				t.Errorf("%s: corner %v alpha = %d, want 0", name, corner, alpha)
			}
		}
	}
}

func TestTrayPNGHasWhiteKey(t *testing.T) {
	for _, state := range allStates {
		name := "icon-" + state.String() + ".png"
		img := decodeNRGBA(t, name, trayIconFor(state, "linux"))

		// (32, 27) lies on the shaft of the key in the generated design.
		white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
		if got := img.NRGBAAt(32, 27); got != white {
			t.Errorf("%s: shaft pixel (32, 27) = %v, want white", name, got)
		}
	}
}

func TestTrayIconsPairwiseDifferent(t *testing.T) {
	for _, goos := range []string{"linux", "windows"} {
		for i, first := range allStates {
			for _, second := range allStates[i+1:] {
				if bytes.Equal(trayIconFor(first, goos), trayIconFor(second, goos)) {
					t.Errorf("%s: icons for %v and %v are identical", goos, first, second)
				}
			}
		}
	}
}

func TestTrayICOHeader(t *testing.T) {
	const headerSize = 22
	for _, state := range allStates {
		name := "icon-" + state.String() + ".ico"
		ico, err := iconFiles.ReadFile(name)
		if err != nil {
			t.Fatalf("read embedded %s: %v", name, err)
		}
		if len(ico) <= headerSize {
			t.Fatalf("%s: length = %d, want more than %d", name, len(ico), headerSize)
		}

		pngBytes, err := iconFiles.ReadFile("icon-" + state.String() + ".png")
		if err != nil {
			t.Fatalf("read embedded PNG for %v: %v", state, err)
		}

		le := binary.LittleEndian
		if got := le.Uint16(ico[0:2]); got != 0 {
			t.Errorf("%s: reserved = %d, want 0", name, got)
		}
		if got := le.Uint16(ico[2:4]); got != 1 {
			t.Errorf("%s: type = %d, want 1 (icon)", name, got)
		}
		if got := le.Uint16(ico[4:6]); got != 1 {
			t.Errorf("%s: image count = %d, want 1", name, got)
		}

		entry := ico[6:headerSize]
		if entry[0] != 64 || entry[1] != 64 {
			t.Errorf("%s: entry size = %dx%d, want 64x64", name, entry[0], entry[1])
		}
		if got := le.Uint16(entry[4:6]); got != 1 {
			t.Errorf("%s: colour planes = %d, want 1", name, got)
		}
		if got := le.Uint16(entry[6:8]); got != 32 {
			t.Errorf("%s: bits per pixel = %d, want 32", name, got)
		}
		if got := le.Uint32(entry[8:12]); got != uint32(len(pngBytes)) {
			t.Errorf("%s: data size = %d, want PNG length %d", name, got, len(pngBytes))
		}
		if got := le.Uint32(entry[12:16]); got != headerSize {
			t.Errorf("%s: data offset = %d, want %d", name, got, headerSize)
		}
		if !bytes.Equal(ico[headerSize:], pngBytes) {
			t.Errorf("%s: image data differs from the embedded PNG", name)
		}
	}
}

func TestTrayIconFormatPerOS(t *testing.T) {
	pngSignature := []byte("\x89PNG\r\n\x1a\n")
	icoSignature := []byte{0, 0, 1, 0}
	for _, state := range allStates {
		if got := trayIconFor(state, "windows"); !bytes.HasPrefix(got, icoSignature) {
			t.Errorf("windows icon for %v does not start with the ICO header", state)
		}
		for _, goos := range []string{"linux", "darwin", "freebsd"} {
			if got := trayIconFor(state, goos); !bytes.HasPrefix(got, pngSignature) {
				t.Errorf("%s icon for %v does not start with the PNG signature", goos, state)
			}
		}
	}
}

func TestTrayIconUnknownStateIsIdle(t *testing.T) {
	if !bytes.Equal(TrayIcon(State(99)), TrayIcon(StateIdle)) {
		t.Error("TrayIcon(State(99)) differs from the StateIdle icon")
	}
}

func TestTrayIconReturnsCopy(t *testing.T) {
	first := TrayIcon(StateValid)
	first[0] ^= 0xff
	if second := TrayIcon(StateValid); second[0] == first[0] {
		t.Error("modifying the returned slice changed the embedded icon")
	}
}

func TestAppIcon(t *testing.T) {
	img := decodeNRGBA(t, "Icon.png", AppIcon())
	if got := img.Bounds(); got != image.Rect(0, 0, 256, 256) {
		t.Fatalf("Icon.png: bounds = %v, want 256x256", got)
	}
	if got, want := img.NRGBAAt(128, 128), stateColours[StateValid]; got != want {
		t.Errorf("Icon.png: centre pixel = %v, want valid colour %v", got, want)
	}
	if alpha := img.NRGBAAt(0, 0).A; alpha != 0 {
		t.Errorf("Icon.png: corner alpha = %d, want 0", alpha)
	}
}

func TestGeneratorReproducesFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator with the go command")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found in PATH")
	}

	outputDir := t.TempDir()
	command := exec.Command(goTool, "run", "gen.go", "-o", outputDir)
	if output, err := command.CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go failed: %v\n%s", err, output)
	}

	names := []string{"Icon.png"}
	for _, state := range allStates {
		names = append(names, "icon-"+state.String()+".png", "icon-"+state.String()+".ico")
	}
	for _, name := range names {
		generated, err := os.ReadFile(filepath.Join(outputDir, name))
		if err != nil {
			t.Errorf("generator did not write %s: %v", name, err)
			continue
		}
		embedded, err := iconFiles.ReadFile(name)
		if err != nil {
			t.Errorf("read embedded %s: %v", name, err)
			continue
		}
		if !bytes.Equal(generated, embedded) {
			t.Errorf("%s is out of date: run go generate ./assets", name)
		}
	}
}
