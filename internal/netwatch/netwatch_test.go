package netwatch

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// deliverHarness runs deliver with a settle delay that no test waits for:
// each test fires the timer by receiving from the events it sends.
type deliverHarness struct {
	events  chan struct{}
	stopped chan error
	calls   chan struct{}
	done    chan error
	cancel  context.CancelFunc
}

func startDeliver(t *testing.T, settle time.Duration) *deliverHarness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &deliverHarness{
		events:  make(chan struct{}),
		stopped: make(chan error, 1),
		calls:   make(chan struct{}, 10),
		done:    make(chan error, 1),
		cancel:  cancel,
	}
	go func() {
		h.done <- deliver(ctx, h.events, h.stopped, func() { h.calls <- struct{}{} }, settle)
	}()
	t.Cleanup(cancel)
	return h
}

func (h *deliverHarness) result(t *testing.T) error {
	t.Helper()
	select {
	case err := <-h.done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("deliver did not return within 5s")
		return nil
	}
}

func TestDeliverMergesBurst(t *testing.T) {
	h := startDeliver(t, 50*time.Millisecond)
	for range 20 {
		h.events <- struct{}{}
	}
	select {
	case <-h.calls:
	case <-time.After(5 * time.Second):
		t.Fatalf("no call within 5s of a burst of events")
	}

	h.cancel()
	if err := h.result(t); err != nil {
		t.Errorf("deliver after cancel: got %v, want nil", err)
	}
	if extra := len(h.calls); extra != 0 {
		t.Errorf("calls after one burst: got %d more, want exactly one", extra)
	}
}

func TestDeliverNoEventNoCall(t *testing.T) {
	h := startDeliver(t, time.Nanosecond)
	h.cancel()
	if err := h.result(t); err != nil {
		t.Errorf("deliver after cancel: got %v, want nil", err)
	}
	if len(h.calls) != 0 {
		t.Errorf("calls without events: got %d, want 0", len(h.calls))
	}
}

func TestDeliverReturnsWatchError(t *testing.T) {
	h := startDeliver(t, time.Hour)
	failed := errors.New("socket closed")
	h.stopped <- failed
	if err := h.result(t); !errors.Is(err, failed) {
		t.Errorf("deliver: got %v, want the error that stopped the watch", err)
	}
}

func TestFingerprint(t *testing.T) {
	mask := net.CIDRMask(24, 32)
	wifi := net.Interface{Name: "wlan0", Flags: net.FlagUp | net.FlagRunning | net.FlagMulticast}
	lan := net.Interface{Name: "eth0", Flags: net.FlagUp}
	addr := func(ip string) net.Addr { return &net.IPNet{IP: net.ParseIP(ip), Mask: mask} }
	base := []interfaceState{
		{iface: wifi, addrs: []net.Addr{addr("192.168.1.20"), addr("fe80::1")}},
		{iface: lan},
	}

	tests := []struct {
		name   string
		states []interfaceState
		want   bool // whether the fingerprint differs from base
	}{
		{"same", base, false},
		{"other order", []interfaceState{base[1], {iface: wifi, addrs: []net.Addr{addr("fe80::1"), addr("192.168.1.20")}}}, false},
		{"other counters and flags", []interfaceState{{iface: net.Interface{Name: "wlan0", Flags: wifi.Flags, MTU: 9000},
			addrs: base[0].addrs}, base[1]}, false},
		{"link down", []interfaceState{{iface: net.Interface{Name: "wlan0", Flags: net.FlagUp}, addrs: base[0].addrs}, base[1]}, true},
		{"address changed", []interfaceState{{iface: wifi, addrs: []net.Addr{addr("10.0.0.5")}}, base[1]}, true},
		{"interface gone", base[:1], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fingerprint(tt.states) != fingerprint(base); got != tt.want {
				t.Errorf("fingerprint differs: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDeliverStopAfterCancelIsNoError(t *testing.T) {
	h := startDeliver(t, time.Hour)
	h.cancel()
	h.stopped <- nil
	if err := h.result(t); err != nil {
		t.Errorf("deliver: got %v, want nil once ctx ended", err)
	}
}
