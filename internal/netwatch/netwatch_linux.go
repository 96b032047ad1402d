package netwatch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// routeGroups are the rtnetlink multicast groups Watch listens to: links,
// IPv4 and IPv6 addresses, and IPv4 and IPv6 routes.
const routeGroups = unix.RTMGRP_LINK | unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR |
	unix.RTMGRP_IPV4_ROUTE | unix.RTMGRP_IPV6_ROUTE

// iflaWireless is the attribute of the RTM_NEWLINK messages that carry
// wireless events, such as scan results, which do not change the network.
const iflaWireless = 11

// openRouteSocket opens a non-blocking rtnetlink socket subscribed to
// routeGroups. Go's poller waits on it, so closing the file ends a read
// that is under way.
func openRouteSocket() (*os.File, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netwatch: open rtnetlink socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: routeGroups}); err != nil {
		_ = unix.Close(fd)
		return nil, fmt.Errorf("netwatch: subscribe to rtnetlink link, address and route changes: %w", err)
	}
	return os.NewFile(uintptr(fd), "rtnetlink"), nil
}

// watcher reads rtnetlink messages.
type watcher struct {
	socket *os.File
}

func newWatcher() (*watcher, error) {
	socket, err := openRouteSocket()
	if err != nil {
		return nil, err
	}
	return &watcher{socket: socket}, nil
}

// run signals events until ctx ends, then closes the socket.
func (w *watcher) run(ctx context.Context, events chan<- struct{}) error {
	socket := w.socket
	defer socket.Close()
	stop := context.AfterFunc(ctx, func() { _ = socket.Close() })
	defer stop()

	buf := make([]byte, 32<<10)
	for {
		n, err := socket.Read(buf)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, unix.ENOBUFS):
			// The kernel dropped messages because the buffer was full,
			// so something changed.
			signal(events)
			continue
		case err != nil:
			return fmt.Errorf("netwatch: read rtnetlink socket: %w", err)
		}
		if isChange(buf[:n]) {
			signal(events)
		}
	}
}

// isChange reports whether a datagram from the socket holds a message
// about a link, address or route, other than a wireless event.
func isChange(datagram []byte) bool {
	messages, err := syscall.ParseNetlinkMessage(datagram)
	if err != nil {
		return false
	}
	for _, m := range messages {
		switch m.Header.Type {
		case unix.RTM_NEWLINK:
			if !isWirelessEvent(m) {
				return true
			}
		case unix.RTM_DELLINK, unix.RTM_NEWADDR, unix.RTM_DELADDR, unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
			return true
		}
	}
	return false
}

func isWirelessEvent(m syscall.NetlinkMessage) bool {
	attrs, err := syscall.ParseNetlinkRouteAttr(&m)
	if err != nil {
		return false
	}
	for _, a := range attrs {
		if a.Attr.Type == iflaWireless {
			return true
		}
	}
	return false
}
