//go:build !linux

package netwatch

import (
	"context"
	"net"
	"time"
)

// watcher compares the interfaces every PollInterval.
//
// TODO: subscribe to the system's notifications instead of polling
// (NotifyIpInterfaceChange on Windows, a PF_ROUTE socket on macOS).
type watcher struct {
	last string
}

func newWatcher() (*watcher, error) {
	return &watcher{last: currentFingerprint()}, nil
}

// run signals events until ctx ends.
func (w *watcher) run(ctx context.Context, events chan<- struct{}) error {
	last := w.last
	ticker := time.NewTicker(PollInterval)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		if now := currentFingerprint(); now != last {
			last = now
			signal(events)
		}
	}
}

// currentFingerprint returns the fingerprint of the interfaces, or "" when
// they cannot be listed, which a later successful listing counts as a
// change.
func currentFingerprint() string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return ""
	}
	states := make([]interfaceState, 0, len(ifaces))
	for _, iface := range ifaces {
		addrs, _ := iface.Addrs() // an interface that vanished meanwhile has none
		states = append(states, interfaceState{iface: iface, addrs: addrs})
	}
	return fingerprint(states)
}
