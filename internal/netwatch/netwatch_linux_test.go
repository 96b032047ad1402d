package netwatch

import (
	"context"
	"encoding/binary"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestRouteSocketSubscribes(t *testing.T) {
	socket, err := openRouteSocket()
	if err != nil {
		t.Fatalf("openRouteSocket: %v", err)
	}
	defer socket.Close()

	raw, err := socket.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var addr unix.Sockaddr
	var nameErr error
	if err := raw.Control(func(fd uintptr) { addr, nameErr = unix.Getsockname(int(fd)) }); err != nil || nameErr != nil {
		t.Fatalf("getsockname: %v, %v", err, nameErr)
	}
	netlink, ok := addr.(*unix.SockaddrNetlink)
	if !ok {
		t.Fatalf("socket address: got %T, want *unix.SockaddrNetlink", addr)
	}
	if netlink.Groups != routeGroups {
		t.Errorf("groups: got %#x, want %#x", netlink.Groups, routeGroups)
	}
}

func TestWatchStopsOnCancel(t *testing.T) {
	before := openFiles(t)
	w, err := newWatcher()
	if err != nil {
		t.Fatalf("newWatcher: %v", err)
	}
	if got := openFiles(t); got != before+1 {
		t.Fatalf("open files with the watcher: got %d, want %d", got, before+1)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.run(ctx, make(chan struct{}, 1)) }()
	cancel()

	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: got %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("run did not return within 5s of cancel")
	}
	if after := openFiles(t); after != before {
		t.Errorf("open files after run returned: got %d, want %d as before", after, before)
	}
}

func TestWatchReturnsAfterCancel(t *testing.T) {
	before := openFiles(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Watch(ctx, func() { t.Errorf("changed called without a change") }) }()
	cancel()

	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Watch after cancel: got %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Watch did not return within 5s of cancel")
	}
	if after := openFiles(t); after != before {
		t.Errorf("open files after Watch returned: got %d, want %d as before", after, before)
	}
}

func openFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// netlinkMessage builds one rtnetlink message with optional attributes.
func netlinkMessage(msgType uint16, attrs ...uint16) []byte {
	// struct ifinfomsg is 16 bytes; ParseNetlinkRouteAttr skips it for
	// link messages.
	body := make([]byte, unix.SizeofIfInfomsg)
	for _, a := range attrs {
		attr := make([]byte, 8)
		binary.NativeEndian.PutUint16(attr[0:], 8)
		binary.NativeEndian.PutUint16(attr[2:], a)
		body = append(body, attr...)
	}
	header := make([]byte, unix.NLMSG_HDRLEN)
	binary.NativeEndian.PutUint32(header[0:], uint32(len(header)+len(body)))
	binary.NativeEndian.PutUint16(header[4:], msgType)
	return append(header, body...)
}

func TestIsChange(t *testing.T) {
	tests := []struct {
		name     string
		datagram []byte
		want     bool
	}{
		{"link up", netlinkMessage(unix.RTM_NEWLINK, unix.IFLA_OPERSTATE), true},
		{"link removed", netlinkMessage(unix.RTM_DELLINK), true},
		{"address added", netlinkMessage(unix.RTM_NEWADDR), true},
		{"address removed", netlinkMessage(unix.RTM_DELADDR), true},
		{"route added", netlinkMessage(unix.RTM_NEWROUTE), true},
		{"route removed", netlinkMessage(unix.RTM_DELROUTE), true},
		{"wireless scan event", netlinkMessage(unix.RTM_NEWLINK, iflaWireless), false},
		{"neighbour entry", netlinkMessage(unix.RTM_NEWNEIGH), false},
		{"wireless event then address", append(netlinkMessage(unix.RTM_NEWLINK, iflaWireless),
			netlinkMessage(unix.RTM_NEWADDR)...), true},
		{"truncated", netlinkMessage(unix.RTM_NEWADDR)[:8], false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isChange(tt.datagram); got != tt.want {
				t.Errorf("isChange: got %v, want %v", got, tt.want)
			}
		})
	}
}
