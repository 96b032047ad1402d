//go:build e2e

package e2e

import (
	"bytes"
	binaryenc "encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/bits"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// artifactsEnv names the folder for screenshots; e2e/artifacts by default.
// Both are kept out of git.
const artifactsEnv = "ATHOS_E2E_ARTIFACTS"

// xwdHeader is the fixed part of an XWD file (X11 XWDFileHeader, version 7),
// every field a big-endian 32-bit number.
type xwdHeader struct {
	HeaderSize, FileVersion, PixmapFormat, PixmapDepth  uint32
	PixmapWidth, PixmapHeight, XOffset, ByteOrder       uint32
	BitmapUnit, BitmapBitOrder, BitmapPad, BitsPerPixel uint32
	BytesPerLine, VisualClass                           uint32
	RedMask, GreenMask, BlueMask                        uint32
	BitsPerRGB, ColormapEntries, NColors                uint32
	WindowWidth, WindowHeight, WindowX, WindowY         uint32
	WindowBorderWidth                                   uint32
}

// decodeXWD decodes a ZPixmap XWD image of 24 or 32 bits per pixel with
// TrueColor masks, which is what xwd writes for a window on Xvfb.
func decodeXWD(data []byte) (image.Image, error) {
	var h xwdHeader
	if err := binaryenc.Read(bytes.NewReader(data), binaryenc.BigEndian, &h); err != nil {
		return nil, fmt.Errorf("read XWD header: %w", err)
	}
	switch {
	case h.FileVersion != 7:
		return nil, fmt.Errorf("XWD version %d, want 7", h.FileVersion)
	case h.PixmapFormat != 2:
		return nil, fmt.Errorf("XWD pixmap format %d, want 2 (ZPixmap)", h.PixmapFormat)
	case h.BitsPerPixel != 32 && h.BitsPerPixel != 24:
		return nil, fmt.Errorf("XWD has %d bits per pixel, want 24 or 32", h.BitsPerPixel)
	case h.RedMask == 0 || h.GreenMask == 0 || h.BlueMask == 0:
		return nil, fmt.Errorf("XWD has no TrueColor masks")
	}
	offset := int(h.HeaderSize) + int(h.NColors)*12
	width, height, stride := int(h.PixmapWidth), int(h.PixmapHeight), int(h.BytesPerLine)
	if offset+stride*height > len(data) || width*int(h.BitsPerPixel)/8 > stride {
		return nil, fmt.Errorf("XWD of %dx%d is truncated (%d bytes)", width, height, len(data))
	}

	img := image.NewRGBA(image.Rect(0, 0, width, height))
	bytesPerPixel := int(h.BitsPerPixel) / 8
	for y := 0; y < height; y++ {
		row := data[offset+y*stride:]
		for x := 0; x < width; x++ {
			p := row[x*bytesPerPixel : (x+1)*bytesPerPixel]
			var v uint32
			for i := range p {
				if h.ByteOrder == 0 { // LSBFirst
					v |= uint32(p[i]) << (8 * i)
				} else {
					v = v<<8 | uint32(p[i])
				}
			}
			img.Set(x, y, color.RGBA{
				R: channel(v, h.RedMask), G: channel(v, h.GreenMask), B: channel(v, h.BlueMask), A: 255,
			})
		}
	}
	return img, nil
}

// channel extracts the 8-bit value of mask from pixel v.
func channel(v, mask uint32) uint8 {
	shift := bits.TrailingZeros32(mask)
	width := bits.OnesCount32(mask)
	value := (v & mask) >> shift
	if width >= 8 {
		return uint8(value >> (width - 8))
	}
	return uint8(value << (8 - width))
}

// countColors returns how many distinct colours img has, up to limit.
func countColors(img image.Image, limit int) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// artifactsDir returns the folder for screenshots, creating it.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(artifactsEnv)
	if dir == "" {
		dir = "artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create artifacts folder: %v", err)
	}
	return dir
}

// screenshot captures the X window id with xwd, checks that the image is
// not empty or of a single colour, and saves it as name.png in the
// artifacts folder.
func screenshot(t *testing.T, id, name string) {
	t.Helper()
	var img image.Image
	// A window mapped a moment ago may not have drawn yet, so wait until
	// it shows more than a background.
	waitFor(t, 15*time.Second, "window "+name+" drawn", func() (bool, string) {
		out, err := exec.Command("xwd", "-id", id, "-silent").Output()
		if err != nil {
			return false, "xwd: " + err.Error()
		}
		decoded, err := decodeXWD(out)
		if err != nil {
			t.Fatalf("decode screenshot of %s: %v", name, err)
		}
		img = decoded
		n := countColors(img, 16)
		return img.Bounds().Dx() > 50 && img.Bounds().Dy() > 50 && n >= 16,
			fmt.Sprintf("%v with %d colours", img.Bounds().Size(), n)
	})

	path := filepath.Join(artifactsDir(t), strings.ReplaceAll(t.Name(), "/", "_")+"-"+name+".png")
	file, err := os.Create(path)
	if err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
	defer file.Close()
	if err := png.Encode(file, img); err != nil {
		t.Fatalf("encode screenshot: %v", err)
	}
	t.Logf("screenshot of %s: %s", name, path)
}

func TestDecodeXWDRejectsGarbage(t *testing.T) {
	if _, err := decodeXWD([]byte("not an xwd file at all")); err == nil {
		t.Errorf("decodeXWD accepted garbage")
	}
}
