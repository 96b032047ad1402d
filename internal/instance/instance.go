// Package instance keeps one tray running per configuration folder. The
// first tray holds an exclusive lock on a file in that folder and listens
// on a Unix socket. A second start finds the lock taken, so it sends the
// running tray a request over the socket instead of starting.
package instance

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// LockName is the lock file in the configuration folder. It contains
	// the process id of the running tray.
	LockName = "tray.lock"
	// socketName is the socket in the configuration folder, when its path
	// fits the limit of a socket address.
	socketName = "tray.sock"
	// maxSocketPath is a safe length for a socket path: sockaddr_un holds
	// 108 bytes on Linux and 104 on macOS, including the final NUL.
	maxSocketPath = 100
	// exchangeTimeout bounds one request and its reply on the socket.
	exchangeTimeout = 3 * time.Second
)

// Requests that a second start sends to the running tray.
const (
	// RequestShow is the request to show the tray, which it does by
	// opening its profile window, or its credentials window on the sandbox.
	RequestShow = "show"
)

// ErrRunning means that another tray holds the configuration folder.
var ErrRunning = errors.New("a tray is already running for this configuration folder")

// RunningError is returned by Acquire when another tray runs. It wraps
// ErrRunning.
type RunningError struct {
	// Dir is the configuration folder.
	Dir string
	// PID is the other tray's process id, zero when unknown.
	PID int
}

func (e *RunningError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("a tray is already running for %s", e.Dir)
	}
	return fmt.Sprintf("a tray is already running for %s (process %d)", e.Dir, e.PID)
}

// Unwrap returns ErrRunning.
func (e *RunningError) Unwrap() error { return ErrRunning }

// Instance is the claim of the running tray on its configuration folder.
type Instance struct {
	dir      string
	lock     *os.File
	socket   string
	listener net.Listener
	requests chan string
	log      *slog.Logger

	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
}

// Acquire claims dir, creating it when needed, and starts listening for
// requests. When another tray holds dir it returns a *RunningError. log
// receives one line per request and per failed exchange.
func Acquire(dir string, log *slog.Logger) (*Instance, error) {
	if log == nil {
		log = slog.Default()
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("claim the configuration folder: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("claim the configuration folder: %w", err)
	}

	lockPath := filepath.Join(dir, LockName)
	lock, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the instance lock %s: %w", lockPath, err)
	}
	held, err := tryLock(lock)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("lock %s: %w", lockPath, err)
	}
	if !held {
		lock.Close()
		return nil, &RunningError{Dir: dir, PID: readPID(lockPath)}
	}
	if err := writePID(lock); err != nil {
		lock.Close()
		return nil, fmt.Errorf("write the process id to %s: %w", lockPath, err)
	}

	socket := SocketPath(dir)
	// The lock proves that no tray serves this socket, so a file left at
	// its path is stale.
	if err := os.Remove(socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		lock.Close()
		return nil, fmt.Errorf("remove the stale socket %s: %w", socket, err)
	}
	listener, err := net.Listen("unix", socket)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("listen on %s: %w", socket, err)
	}

	inst := &Instance{
		dir:      dir,
		lock:     lock,
		socket:   socket,
		listener: listener,
		requests: make(chan string, 4),
		log:      log,
		done:     make(chan struct{}),
	}
	inst.wg.Add(1)
	go inst.serve()
	return inst, nil
}

// SocketPath returns the socket of the tray for the configuration folder
// dir: dir/tray.sock when that path is short enough, else a name made from
// a hash of dir in $XDG_RUNTIME_DIR, or in the temporary folder without it.
func SocketPath(dir string) string {
	inDir := filepath.Join(dir, socketName)
	if len(inDir) <= maxSocketPath {
		return inDir
	}
	sum := sha256.Sum256([]byte(dir))
	name := "athos-tray-" + hex.EncodeToString(sum[:8]) + ".sock"
	if runtimeDir := os.Getenv("XDG_RUNTIME_DIR"); runtimeDir != "" {
		if path := filepath.Join(runtimeDir, name); len(path) <= maxSocketPath {
			return path
		}
	}
	return filepath.Join(os.TempDir(), name)
}

// Requests returns the channel of requests from later starts, such as
// RequestShow. A request that arrives while the channel is full gets the
// reply "busy" and is dropped.
func (i *Instance) Requests() <-chan string {
	return i.requests
}

// Dir returns the absolute configuration folder that i holds.
func (i *Instance) Dir() string {
	return i.dir
}

func (i *Instance) serve() {
	defer i.wg.Done()
	for {
		conn, err := i.listener.Accept()
		if err != nil {
			select {
			case <-i.done:
			default:
				i.log.Error("instance socket stopped accepting requests", "socket", i.socket, "err", err)
			}
			return
		}
		i.wg.Add(1)
		go func() {
			defer i.wg.Done()
			i.handle(conn)
		}()
	}
}

// handle reads one request line from conn and replies "ok" or "busy".
func (i *Instance) handle(conn net.Conn) {
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(exchangeTimeout)); err != nil {
		i.log.Error("instance request failed", "err", err)
		return
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		i.log.Error("instance request failed", "err", err)
		return
	}
	request := strings.TrimSpace(line)
	if request != RequestShow {
		i.log.Warn("unknown instance request ignored", "request", request)
		fmt.Fprintf(conn, "unknown\n")
		return
	}

	reply := "ok"
	select {
	case i.requests <- request:
	default:
		reply = "busy"
	}
	i.log.Info("request from another start", "request", request, "reply", reply)
	if _, err := fmt.Fprintf(conn, "%s %d\n", reply, os.Getpid()); err != nil {
		i.log.Error("instance reply failed", "err", err)
	}
}

// Close stops listening, removes the socket and releases the lock.
func (i *Instance) Close() error {
	var err error
	i.closeOnce.Do(func() {
		close(i.done)
		err = i.listener.Close()
		i.wg.Wait()
		// On Unix, net.UnixListener.Close removes the socket file. The
		// explicit removal covers platforms where it does not.
		if rmErr := os.Remove(i.socket); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
			err = errors.Join(err, rmErr)
		}
		err = errors.Join(err, i.lock.Close())
	})
	return err
}

// Ask sends request to the tray running for dir and returns its reply:
// "ok" when the tray took the request, "busy" when it dropped it.
func Ask(dir, request string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find the running tray: %w", err)
	}
	socket := SocketPath(dir)

	// The other tray takes the lock a moment before it listens, so a
	// refused connection is tried again for a short while.
	var conn net.Conn
	deadline := time.Now().Add(exchangeTimeout)
	for {
		conn, err = net.DialTimeout("unix", socket, exchangeTimeout)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return "", fmt.Errorf("contact the running tray at %s: %w", socket, err)
	}
	defer conn.Close()

	if err := conn.SetDeadline(time.Now().Add(exchangeTimeout)); err != nil {
		return "", fmt.Errorf("contact the running tray: %w", err)
	}
	if _, err := fmt.Fprintf(conn, "%s\n", request); err != nil {
		return "", fmt.Errorf("send %q to the running tray: %w", request, err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("read the running tray's reply: %w", err)
	}
	reply, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	return reply, nil
}

func writePID(lock *os.File) error {
	if err := lock.Truncate(0); err != nil {
		return err
	}
	_, err := lock.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// readPID returns the process id in the lock file, zero when it has none.
func readPID(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0
	}
	return pid
}
