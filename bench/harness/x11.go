//go:build benchref

package main

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/Xatom.h>

// ignoreErrors keeps Xlib from exiting when a window disappears between
// XQueryTree and a later request about it.
static int ignoreErrors(Display *d, XErrorEvent *e) { return 0; }

static Display *openDisplay(void) {
	XSetErrorHandler(ignoreErrors);
	return XOpenDisplay(NULL);
}

// windowPID returns the _NET_WM_PID of w, or 0 when it has none.
static long windowPID(Display *d, Window w, Atom netWMPID) {
	Atom type;
	int format;
	unsigned long count, after;
	unsigned char *data = NULL;
	long pid = 0;
	if (XGetWindowProperty(d, w, netWMPID, 0, 1, False, XA_CARDINAL, &type, &format,
			&count, &after, &data) == Success && data != NULL) {
		if (count == 1 && format == 32) pid = *(long *)data;
		XFree(data);
	}
	return pid;
}

// viewableWindowsOf writes up to max ids of the viewable top-level windows
// whose _NET_WM_PID is pid, and returns how many it wrote.
static int viewableWindowsOf(Display *d, long pid, Window *out, int max) {
	Window root = DefaultRootWindow(d), parent, *children = NULL;
	unsigned int n = 0;
	int found = 0;
	Atom netWMPID = XInternAtom(d, "_NET_WM_PID", False);
	if (!XQueryTree(d, root, &root, &parent, &children, &n)) return 0;
	for (unsigned int i = 0; i < n && found < max; i++) {
		XWindowAttributes attrs;
		if (!XGetWindowAttributes(d, children[i], &attrs) || attrs.map_state != IsViewable) continue;
		if (windowPID(d, children[i], netWMPID) == pid) out[found++] = children[i];
	}
	if (children) XFree(children);
	return found;
}

// sendDeleteWindow sends the WM_DELETE_WINDOW client message that a window
// manager sends when a person clicks a window's close button.
static void sendDeleteWindow(Display *d, Window w) {
	XEvent ev = {0};
	ev.xclient.type = ClientMessage;
	ev.xclient.window = w;
	ev.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
	ev.xclient.format = 32;
	ev.xclient.data.l[0] = XInternAtom(d, "WM_DELETE_WINDOW", False);
	ev.xclient.data.l[1] = CurrentTime;
	XSendEvent(d, w, False, NoEventMask, &ev);
	XFlush(d);
}

static Window clipboardOwner(Display *d) {
	return XGetSelectionOwner(d, XInternAtom(d, "CLIPBOARD", False));
}
*/
import "C"

import "errors"

// display is a connection to the X server named by DISPLAY.
type display struct{ d *C.Display }

func openDisplay() (*display, error) {
	d := C.openDisplay()
	if d == nil {
		return nil, errors.New("open the X display: check that DISPLAY names a running X server")
	}
	return &display{d: d}, nil
}

func (x *display) close() { C.XCloseDisplay(x.d) }

// windowsOf returns the viewable top-level windows of process pid.
func (x *display) windowsOf(pid int) []uint64 {
	var ids [16]C.Window
	n := int(C.viewableWindowsOf(x.d, C.long(pid), &ids[0], C.int(len(ids))))
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(ids[i])
	}
	return out
}

// closeWindow sends w the close request that a window manager sends.
func (x *display) closeWindow(w uint64) { C.sendDeleteWindow(x.d, C.Window(w)) }

// clipboardOwner returns the window that owns the CLIPBOARD selection, or 0.
// It costs one round trip to the X server, so it can be polled tightly.
func (x *display) clipboardOwner() uint64 { return uint64(C.clipboardOwner(x.d)) }
