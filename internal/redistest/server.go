package redistest

import (
	"sync"
	"testing"
)

// Server is a redis-server process run by a test. Its methods are safe for
// concurrent use.
type Server struct {
	// Addr is the server's address, 127.0.0.1:Port.
	Addr string
	// Port is the TCP port the server listens on.
	Port int

	t     testing.TB
	bin   string
	dir   string
	extra []string

	mu   sync.Mutex
	proc *Process // nil while killed
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
	p, err := Launch(bin, dir, extra...)
	if err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	s := &Server{Addr: p.Addr, Port: p.Port, t: t, bin: bin, dir: dir, extra: extra, proc: p}
	t.Cleanup(s.Kill)
	return s
}

// Kill stops the server at once with SIGKILL, as a crash would, and waits
// for the process to end. It does nothing if the server is not running.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return
	}
	s.proc.Kill()
	s.proc = nil
}

// Restart starts the server again on the same port after Kill. With
// persistence off it comes back empty.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		s.t.Fatalf("restarting redis-server on %s: it is running", s.Addr)
	}
	p, err := launchOn(s.bin, s.dir, s.Port, s.extra)
	if err != nil {
		s.t.Fatalf("restarting redis-server on %s: %v", s.Addr, err)
	}
	s.proc = p
}

// Do sends one command to the server on a new connection and returns its
// reply: the text of a simple or bulk string, or the decimal of an integer.
// A Redis error reply comes back as an error.
func (s *Server) Do(args ...string) (string, error) {
	return command(s.Addr, args...)
}
