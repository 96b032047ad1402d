// Package netwatch reports changes of the network configuration: a link
// going up or down, an address or a route added or removed. The tray uses
// it to retry a failed token request as soon as the network is back
// instead of waiting out the backoff.
//
// On Linux it listens on an rtnetlink socket, so it wakes up only when the
// kernel reports a change. Elsewhere it compares the list of interfaces and
// their addresses every PollInterval.
package netwatch

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// SettleDelay is how long Watch waits after the first change before it
// calls back, so that a burst of changes (link up, then address, then
// route) results in one call.
const SettleDelay = 2 * time.Second

// PollInterval is how often Watch compares the interfaces on systems
// without rtnetlink.
const PollInterval = 30 * time.Second

// Watch calls changed after the network configuration changed, at most
// once per SettleDelay, until ctx ends. It blocks and calls changed on the
// goroutine that runs it. It returns nil when ctx ends, or the error that
// stopped it, such as a failure to open the rtnetlink socket.
func Watch(ctx context.Context, changed func()) error {
	w, err := newWatcher()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	events := make(chan struct{}, 1)
	stopped := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		stopped <- w.run(ctx, events)
		close(finished)
	}()

	err = deliver(ctx, events, stopped, changed, SettleDelay)
	cancel()
	<-finished
	return err
}

// deliver calls changed settle after the first of each burst of events,
// until ctx ends or stopped receives. It returns what stopped received, or
// nil when ctx ended first.
func deliver(ctx context.Context, events <-chan struct{}, stopped <-chan error, changed func(),
	settle time.Duration) error {
	var timer *time.Timer
	var fire <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()

	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-stopped:
			if ctx.Err() != nil {
				return nil
			}
			if err == nil {
				err = fmt.Errorf("netwatch: the watch stopped without an error before it was cancelled")
			}
			return err
		case <-events:
			if fire == nil {
				timer = time.NewTimer(settle)
				fire = timer.C
			}
		case <-fire:
			fire = nil
			changed()
		}
	}
}

// signal records an event without blocking; events that arrive before the
// previous one was taken merge with it.
func signal(events chan<- struct{}) {
	select {
	case events <- struct{}{}:
	default:
	}
}

// interfaceState is one interface and its addresses, as the poll compares
// them.
type interfaceState struct {
	iface net.Interface
	addrs []net.Addr
}

// fingerprint describes the interfaces in a string that changes when a
// link goes up or down or an address is added or removed. Counters and
// the order of the list do not affect it.
func fingerprint(states []interfaceState) string {
	lines := make([]string, 0, len(states))
	for _, s := range states {
		addrs := make([]string, 0, len(s.addrs))
		for _, a := range s.addrs {
			addrs = append(addrs, a.String())
		}
		slices.Sort(addrs)
		flags := s.iface.Flags & (net.FlagUp | net.FlagRunning)
		lines = append(lines, fmt.Sprintf("%s %v %s", s.iface.Name, flags, strings.Join(addrs, ",")))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
