//go:build ignore

// Command gen draws the tray and application icons and writes them to the
// output directory (default: the current directory, so run it from assets/).
//
// For every tray state it writes icon-<state>.png, a 64x64 PNG, and
// icon-<state>.ico, an ICO file that wraps the same PNG bytes. It also
// writes Icon.png, the 256x256 application icon in the "valid" colours.
//
// Each icon is a rounded square in the state colour with a white key on a
// transparent background. The shapes are geometry in unit coordinates, so
// the program needs no fonts, and it writes the same bytes on every run.
//
// Usage:
//
//	go run gen.go [-o dir]
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// supersample is the number of samples per pixel along each axis. The icon is
// drawn at supersample times its size and box-filtered down for anti-aliasing.
const supersample = 4

// trayIconSize is the width and height of the tray icons in pixels.
const trayIconSize = 64

// appIconSize is the width and height of the application icon in pixels.
const appIconSize = 256

// iconState is one tray state: its file name part and its background colour.
type iconState struct {
	name       string
	background color.NRGBA
}

// states lists the tray states. The names and colours must match assets.go
// and assets_test.go.
var states = []iconState{
	{"valid", color.NRGBA{0x2e, 0x9d, 0x4f, 0xff}},
	{"busy", color.NRGBA{0xe0, 0xa1, 0x00, 0xff}},
	{"error", color.NRGBA{0xd0, 0x34, 0x2c, 0xff}},
	{"legacy", color.NRGBA{0x55, 0x70, 0x8a, 0xff}},
	{"idle", color.NRGBA{0x8a, 0x8a, 0x8a, 0xff}},
}

var white = color.NRGBA{0xff, 0xff, 0xff, 0xff}

// Geometry of the design in unit coordinates: (0, 0) is the top-left corner
// of the icon and (1, 1) the bottom-right corner, with y growing downwards.
const (
	// The background is a rounded square inset by backgroundMargin on every
	// side, with corners of radius backgroundRadius.
	backgroundMargin = 0.03
	backgroundRadius = 0.20

	// The key ring is an annulus centred at (ringX, ringY).
	ringX           = 0.30
	ringY           = 0.43
	ringOuterRadius = 0.17
	ringInnerRadius = 0.08

	// The shaft runs from the ring to shaftEnd at height ringY. It sits above
	// the icon centre so that the centre pixel shows the state colour.
	shaftEnd        = 0.84
	shaftHalfHeight = 0.05

	// Two teeth hang from the underside of the shaft near its tip. The outer
	// tooth is longer, as on a real key.
	toothWidth     = 0.07
	innerToothLeft = 0.61
	innerToothEnd  = 0.59
	outerToothLeft = 0.75
	outerToothEnd  = 0.64
)

func main() {
	outputDir := flag.String("o", ".", "directory to write the icon files to")
	flag.Parse()

	for _, state := range states {
		pngBytes := encodePNG(drawIcon(trayIconSize, state.background))
		writeFile(*outputDir, "icon-"+state.name+".png", pngBytes)
		writeFile(*outputDir, "icon-"+state.name+".ico", wrapPNGInICO(pngBytes, trayIconSize))
	}

	appIcon := drawIcon(appIconSize, states[0].background)
	writeFile(*outputDir, "Icon.png", encodePNG(appIcon))
}

// drawIcon renders the icon at size x size pixels with the given background
// colour. Every pixel is the average of supersample x supersample samples,
// taken at the centres of the sub-pixels and averaged with premultiplied
// alpha so that the edges against the transparent background stay clean.
func drawIcon(size int, background color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	sampleCount := supersample * supersample
	subPixel := 1.0 / float64(size*supersample)

	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var red, green, blue, alpha int
			for sy := 0; sy < supersample; sy++ {
				for sx := 0; sx < supersample; sx++ {
					x := (float64(px*supersample+sx) + 0.5) * subPixel
					y := (float64(py*supersample+sy) + 0.5) * subPixel
					sample, ok := sampleAt(x, y, background)
					if !ok {
						continue
					}
					// All samples are opaque, so their premultiplied
					// components equal their plain components.
					red += int(sample.R)
					green += int(sample.G)
					blue += int(sample.B)
					alpha += int(sample.A)
				}
			}
			img.SetNRGBA(px, py, unpremultiply(red, green, blue, alpha, sampleCount))
		}
	}
	return img
}

// unpremultiply turns sums of premultiplied samples into one NRGBA pixel.
// The results are rounded to the nearest integer, so a pixel whose samples
// all have the same colour keeps that colour exactly.
func unpremultiply(red, green, blue, alpha, sampleCount int) color.NRGBA {
	if alpha == 0 {
		return color.NRGBA{}
	}
	return color.NRGBA{
		R: uint8((red*255 + alpha/2) / alpha),
		G: uint8((green*255 + alpha/2) / alpha),
		B: uint8((blue*255 + alpha/2) / alpha),
		A: uint8((alpha + sampleCount/2) / sampleCount),
	}
}

// sampleAt returns the colour of the design at unit coordinates (x, y) and
// false if the point lies outside the background, where the icon is
// transparent.
func sampleAt(x, y float64, background color.NRGBA) (color.NRGBA, bool) {
	if !insideRoundedSquare(x, y) {
		return color.NRGBA{}, false
	}
	if insideKey(x, y) {
		return white, true
	}
	return background, true
}

// insideRoundedSquare reports whether (x, y) lies inside the background.
func insideRoundedSquare(x, y float64) bool {
	low := backgroundMargin + backgroundRadius
	high := 1 - backgroundMargin - backgroundRadius
	// Distance from the inner square whose corners are the centres of the
	// corner arcs. Points within backgroundRadius of it are inside.
	dx := math.Max(0, math.Max(low-x, x-high))
	dy := math.Max(0, math.Max(low-y, y-high))
	return dx*dx+dy*dy <= backgroundRadius*backgroundRadius
}

// insideKey reports whether (x, y) lies on the key: the ring, the shaft or
// one of the two teeth.
func insideKey(x, y float64) bool {
	dx := x - ringX
	dy := y - ringY
	distanceSquared := dx*dx + dy*dy
	if distanceSquared <= ringOuterRadius*ringOuterRadius &&
		distanceSquared >= ringInnerRadius*ringInnerRadius {
		return true
	}

	// The shaft starts inside the ring wall so the two shapes join without
	// a seam.
	shaftTop := ringY - shaftHalfHeight
	shaftBottom := ringY + shaftHalfHeight
	shaftStart := ringX + (ringOuterRadius+ringInnerRadius)/2
	if insideRect(x, y, shaftStart, shaftTop, shaftEnd, shaftBottom) {
		return true
	}

	if insideRect(x, y, innerToothLeft, shaftTop, innerToothLeft+toothWidth, innerToothEnd) {
		return true
	}
	return insideRect(x, y, outerToothLeft, shaftTop, outerToothLeft+toothWidth, outerToothEnd)
}

// insideRect reports whether (x, y) lies in the rectangle with top-left
// corner (left, top) and bottom-right corner (right, bottom).
func insideRect(x, y, left, top, right, bottom float64) bool {
	return x >= left && x <= right && y >= top && y <= bottom
}

// encodePNG encodes img as a PNG. The standard library encoder writes the
// same bytes for the same image and settings, so the output is reproducible.
func encodePNG(img image.Image) []byte {
	var buffer bytes.Buffer
	encoder := png.Encoder{CompressionLevel: png.BestCompression}
	if err := encoder.Encode(&buffer, img); err != nil {
		log.Fatalf("failed to encode PNG: %v", err)
	}
	return buffer.Bytes()
}

// wrapPNGInICO returns an ICO file that holds pngBytes as its only image.
// Windows Vista and later read PNG data inside ICO files. The layout is a
// 6-byte ICONDIR, one 16-byte ICONDIRENTRY and then the PNG data, with all
// fields little-endian.
func wrapPNGInICO(pngBytes []byte, size int) []byte {
	if size <= 0 || size > 256 {
		log.Fatalf("invalid ICO image size %d: must be 1 to 256", size)
	}
	// An ICONDIRENTRY stores 256 as 0 because the field is one byte.
	sizeField := uint8(size % 256)

	const headerSize = 6 + 16
	le := binary.LittleEndian
	ico := make([]byte, 0, headerSize+len(pngBytes))

	// ICONDIR: reserved, image type (1 = icon), image count.
	ico = le.AppendUint16(ico, 0)
	ico = le.AppendUint16(ico, 1)
	ico = le.AppendUint16(ico, 1)

	// ICONDIRENTRY: width, height, palette size (0 = no palette), reserved,
	// colour planes, bits per pixel, data size and data offset.
	ico = append(ico, sizeField, sizeField, 0, 0)
	ico = le.AppendUint16(ico, 1)
	ico = le.AppendUint16(ico, 32)
	ico = le.AppendUint32(ico, uint32(len(pngBytes)))
	ico = le.AppendUint32(ico, headerSize)

	return append(ico, pngBytes...)
}

// writeFile writes data to name in dir and exits the program on failure.
func writeFile(dir, name string, data []byte) {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatalf("failed to write icon: %v", err)
	}
	fmt.Println("wrote", path)
}
