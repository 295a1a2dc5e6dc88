package redistest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// startTimeout bounds how long a redis-server may take to answer PING.
const startTimeout = 10 * time.Second

// Server is a redis-server process run by a test. Its methods are safe for
// concurrent use.
type Server struct {
	// Addr is the server's address, 127.0.0.1:Port.
	Addr string
	// Port is the TCP port the server listens on.
	Port int

	t    testing.TB
	bin  string
	dir  string
	args []string

	mu   sync.Mutex
	proc *process
}

// process is one run of redis-server; exited is closed once it has ended.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start runs a redis-server with persistence off on a free port of
// 127.0.0.1 and waits until it answers PING. extra holds more command-line
// arguments, such as "--cluster-enabled", "yes". The process is killed when
// the test ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin, _ := lookTools(t, false)
	return start(t, bin, extra)
}

func start(t testing.TB, bin string, extra []string) *Server {
	t.Helper()
	dir := t.TempDir()
	var lastErr error
	for range 3 { // another process may take the free port before we bind it
		port, err := freePort()
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		s := &Server{
			Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			Port: port,
			t:    t,
			bin:  bin,
			dir:  dir,
			args: append([]string{
				"--port", strconv.Itoa(port),
				"--bind", "127.0.0.1",
				"--save", "",
				"--appendonly", "no",
				"--dir", dir,
				"--logfile", filepath.Join(dir, "redis.log"),
			}, extra...),
		}
		if lastErr = s.run(); lastErr == nil {
			t.Cleanup(s.Kill)
			return s
		}
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return nil
}

// run starts the process and waits until it answers PING.
func (s *Server) run() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		return errors.New("redis-server is already running")
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Dir = s.dir
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	if err := waitReady(s.Addr, p.exited); err != nil {
		_ = cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%w; log:\n%s", err, s.logTail())
	}
	s.proc = p
	return nil
}

// Kill stops the server at once with SIGKILL, as a crash would, and waits
// for the process to end. It does nothing if the server is not running.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return
	}
	_ = s.proc.cmd.Process.Kill()
	<-s.proc.exited
	s.proc = nil
}

// Restart starts the server again on the same port after Kill. With
// persistence off it comes back empty.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.run(); err != nil {
		s.t.Fatalf("restarting redis-server on %s: %v", s.Addr, err)
	}
}

// Do sends one command to the server on a new connection and returns its
// reply: the text of a simple or bulk string, or the decimal of an integer.
// A Redis error reply comes back as an error.
func (s *Server) Do(args ...string) (string, error) {
	return command(s.Addr, args...)
}

// logTail returns the end of the server's log file, for failure messages.
func (s *Server) logTail() string {
	b, err := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// waitReady polls addr with PING until it answers (PONG, or an error reply
// such as NOAUTH when the server wants a password), the process ends or
// startTimeout passes.
func waitReady(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		reply, err := command(addr, "PING")
		var refused replyError
		if err == nil && reply == "PONG" || errors.As(err, &refused) { // NOAUTH: up, with a password
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer PING within %v (last: %v)", addr, startTimeout, err)
		}
		select {
		case <-exited:
			return fmt.Errorf("redis-server on %s exited before answering PING", addr)
		case <-tick.C:
		}
	}
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
