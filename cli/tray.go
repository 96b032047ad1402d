package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/auth/emulator"
	"github.com/athos-tray/athos-tray/internal/instance"
	"github.com/athos-tray/athos-tray/internal/logfile"
	"github.com/athos-tray/athos-tray/internal/notify"
	"github.com/athos-tray/athos-tray/ui"
)

// Demo credentials that the sandbox emulator accepts. They are the example
// of the Athos documentation, not a real secret.
const (
	sandboxClientID = "client"
	sandboxSecret   = "secret"
)

const trayUsage = `Usage: athos-tray [tray] [--sandbox [--sandbox-lifetime DURATION]] [--notifications=false]

Runs the system tray for the active profile. With --sandbox it runs against
the built-in emulator of the Athos API on 127.0.0.1 with demo credentials
instead, and touches neither the profile file nor the keyring.

One tray runs per configuration folder. Another start asks the running
tray to open its profile window and exits with code 6.

The tray logs to standard error and to tray.log in the athos-token-tray
folder of the user cache directory (~/.cache on Linux), which is rotated
to tray.log.1 at 1 MiB.

Options:
`

func runTray(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet(env, "tray", trayUsage)
	sandbox := fs.Bool("sandbox", false, "use the built-in emulator with demo credentials")
	lifetime := fs.Duration("sandbox-lifetime", 12*time.Hour,
		"lifetime of sandbox tokens, for example 6m to watch a refresh (with --sandbox)")
	notifications := fs.Bool("notifications", true,
		"show desktop notifications when a refresh fails near expiry, when the token expires and when it recovers")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	lifetimeSet := false
	fs.Visit(func(f *flag.Flag) { lifetimeSet = lifetimeSet || f.Name == "sandbox-lifetime" })
	switch {
	case lifetimeSet && !*sandbox:
		return usagef("tray: --sandbox-lifetime applies to the sandbox only; add --sandbox")
	case *lifetime <= auth.DefaultRefreshMargin:
		return usagef("tray: --sandbox-lifetime %v is not longer than the %v refresh margin; "+
			"give a duration such as 6m to see a refresh after a minute", *lifetime, auth.DefaultRefreshMargin)
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger, closeLog := newTrayLogger(env)
	defer closeLog()

	configDir := filepath.Dir(env.Store.Path)
	inst, err := instance.Acquire(configDir, logger)
	if errors.Is(err, instance.ErrRunning) {
		return askRunningTray(configDir, err, logger)
	}
	if err != nil {
		return fmt.Errorf("tray: %w", err)
	}
	defer inst.Close()

	// Quit returns from ui.Run while a window process may still run. The
	// deferred call sends it SIGTERM and waits, so that no window outlives
	// the tray.
	windowCtx, closeWindows := context.WithCancel(ctx)
	var windows sync.WaitGroup
	defer func() {
		closeWindows()
		windows.Wait()
	}()

	logger.Info("tray starting", "version", Version, "pid", os.Getpid(), "config", env.Store.Path)
	opts := ui.Options{
		Store:   env.Store,
		Secrets: env.Secrets,
		Logger:  logger,
		OpenWindow: func(req ui.WindowRequest) error {
			windows.Add(1)
			defer windows.Done()
			return openWindow(windowCtx, req)
		},
		Show: inst.Requests(),
	}
	if *notifications {
		opts.Notifier = notify.Desktop()
	}
	if *sandbox {
		emu := emulator.New(emulator.Config{ClientID: sandboxClientID, ClientSecret: sandboxSecret, Lifetime: *lifetime})
		baseURL, err := emu.Start("127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("start the sandbox emulator: %w", err)
		}
		defer emu.Close()
		logger.Info("sandbox emulator started", "url", baseURL, "token_lifetime", *lifetime)
		opts.Sandbox = &ui.SandboxProfile{
			Profile: auth.Profile{Name: "Sandbox", ClientID: sandboxClientID, APIURL: baseURL},
			Secret:  sandboxSecret,
		}
	}
	return ui.Run(ctx, opts)
}

// askRunningTray sends a show request to the tray that holds configDir
// and returns the error that ends this start.
func askRunningTray(configDir string, running error, logger *slog.Logger) error {
	reply, err := instance.Ask(configDir, instance.RequestShow)
	switch {
	case err != nil:
		logger.Error("second tray start could not reach the running tray", "config", configDir, "err", err)
		return fmt.Errorf("tray: %w, but it did not respond (%v); quit it from its menu or stop the process, "+
			"then start the tray again", running, err)
	case reply != "ok":
		logger.Warn("second tray start: running tray is busy", "config", configDir, "reply", reply)
		return fmt.Errorf("tray: %w and busy; use its icon in the system tray", running)
	}
	logger.Info("second tray start: asked the running tray to show itself", "config", configDir)
	return fmt.Errorf("tray: %w; it was asked to show itself (its profile window opens)", running)
}

// newTrayLogger returns the tray's logger, which writes to standard error
// and to the log file, and a function that closes the file. Without a log
// file it logs to standard error only, and logs the reason.
func newTrayLogger(env Env) (*slog.Logger, func()) {
	path, err := logfile.DefaultPath()
	var file *logfile.Writer
	if err == nil {
		file, err = logfile.Open(path, logfile.DefaultMaxBytes)
	}
	if err != nil {
		logger := newLogger(env.Stderr)
		logger.Warn("logging to standard error only", "err", err)
		return logger, func() {}
	}
	return newLogger(teeWriter{env.Stderr, file}), func() { file.Close() }
}

// teeWriter writes to every writer and succeeds when one of them took the
// whole line. A closed standard error, as under some desktop launchers,
// must not stop the log file.
type teeWriter []io.Writer

func (t teeWriter) Write(p []byte) (int, error) {
	var errs []error
	for _, w := range t {
		if _, err := w.Write(p); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == len(t) {
		return 0, errors.Join(errs...)
	}
	return len(p), nil
}

// openWindow runs this program again as a window process and waits for it.
// The child reads profiles and secrets itself, and anything secret that
// the tray hands over, such as a token, goes through a pipe on its
// standard input. When ctx ends, as on Quit, the window is asked to close.
func openWindow(ctx context.Context, req ui.WindowRequest) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program to open the %s window: %w", req.Name, err)
	}
	args := append([]string{"window", req.Name}, req.Args...)
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr

	var input *os.File
	if req.Input != nil || req.Updates != nil {
		// The child's end is an *os.File, so Wait does not wait for a copy
		// goroutine that would block while the tray has nothing to send.
		reader, writer, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("%s window: %w", req.Name, err)
		}
		cmd.Stdin, input = reader, writer
	}
	err = cmd.Start()
	if input != nil {
		// Only the child keeps the read end open, so that a write after it
		// exits fails instead of blocking.
		cmd.Stdin.(*os.File).Close()
	}
	if err != nil {
		if input != nil {
			input.Close()
		}
		return fmt.Errorf("%s window: %w", req.Name, err)
	}

	exited := make(chan struct{})
	if input != nil {
		go feedWindow(input, req, exited)
	}
	err = cmd.Wait()
	close(exited)
	if err != nil {
		return fmt.Errorf("%s window: %w", req.Name, err)
	}
	return nil
}

// feedWindow writes the request's input and then its updates to the
// window's standard input, and closes it when the updates end, a write
// fails or the window has exited.
func feedWindow(input *os.File, req ui.WindowRequest, exited <-chan struct{}) {
	defer input.Close()
	if _, err := input.Write(req.Input); err != nil {
		return
	}
	for {
		select {
		case data, ok := <-req.Updates:
			if !ok {
				return
			}
			if _, err := input.Write(data); err != nil {
				return
			}
		case <-exited:
			return
		}
	}
}

const emulatorUsage = `Usage: athos-tray emulator [--listen ADDR] [--lifetime D] [--cache-threshold D] [--fail MODE]

Serves the built-in emulator of the Athos token endpoint on a loopback
address, for trying the tray and the command line without the real API.
It accepts client id "client" with secret "secret", and serves
POST /corp/auth/m2m and the protected endpoint GET /corp/me.

Example:
  athos-tray emulator --listen 127.0.0.1:8787 &
  printf 'secret\n' | athos-tray profile add demo --client-id client --api-url http://127.0.0.1:8787

Options:
`

func runEmulator(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet(env, "emulator", emulatorUsage)
	listen := fs.String("listen", "127.0.0.1:8787", "loopback address and port to listen on")
	lifetime := fs.Duration("lifetime", 12*time.Hour, "lifetime of a new token")
	threshold := fs.Duration("cache-threshold", 30*time.Minute,
		"the same token is returned while at least this much of its lifetime remains")
	failName := fs.String("fail", "none",
		"failure mode of the token endpoint: none, reject, server-error, rate-limit, malformed, oversized, hang, drop, slow or login-page")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	failure, err := emulator.ParseFailure(*failName)
	if err != nil {
		return usagef("%v", err)
	}
	for _, d := range []struct {
		name  string
		value time.Duration
	}{{"--lifetime", *lifetime}, {"--cache-threshold", *threshold}} {
		if d.value <= 0 {
			return usagef("emulator: %s %v is not positive; give a duration such as 12h", d.name, d.value)
		}
	}

	emu := emulator.New(emulator.Config{
		ClientID:       sandboxClientID,
		ClientSecret:   sandboxSecret,
		Lifetime:       *lifetime,
		CacheThreshold: *threshold,
	})
	emu.SetFailure(failure)
	if host, _, err := net.SplitHostPort(*listen); err != nil || !isLoopback(host) {
		return usagef("emulator: --listen %q is not a loopback address and port; use for example 127.0.0.1:8787", *listen)
	}
	baseURL, err := emu.Start(*listen)
	if err != nil {
		return fmt.Errorf("%w; choose another port with --listen", err)
	}
	defer emu.Close()
	fmt.Fprintf(env.Stdout, "Emulator listening on %s (client id %q, secret %q). Stop it with Ctrl+C.\n",
		baseURL, sandboxClientID, sandboxSecret)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
