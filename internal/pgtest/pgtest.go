// Package pgtest starts throwaway PostgreSQL servers for tests: initdb in a
// temporary directory, the server on a free port of 127.0.0.1 and on a
// Unix socket in that directory, stopped and removed when the test ends.
//
// The binaries are taken from Debian's /usr/lib/postgresql/VERSION/bin
// (the newest), or from beside postgres on PATH. When they are missing the test is
// skipped, unless the comma-separated environment variable AUTHGATE_REQUIRE
// names "postgres", in which case the test fails. PostgreSQL refuses to run
// as root, so under root the server runs as the "postgres" system user (or
// "nobody"), which owns the temporary directory.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// RequireEnv is the environment variable that turns a skip for a missing
// PostgreSQL into a failure when it names "postgres".
const RequireEnv = "AUTHGATE_REQUIRE"

// User is the superuser the server is made with; Password is its password
// over TCP. Over the Unix socket it needs none.
const (
	User     = "authgate"
	Password = "pgtest-password"
	Database = "postgres"
)

// startTimeout bounds how long the server may take to accept connections.
const startTimeout = 30 * time.Second

// Required reports whether RequireEnv names "postgres".
func Required() bool {
	for _, name := range strings.Split(os.Getenv(RequireEnv), ",") {
		if strings.EqualFold(strings.TrimSpace(name), "postgres") {
			return true
		}
	}
	return false
}

// Server is one PostgreSQL server run for a test.
type Server struct {
	// Dir holds the data directory and the Unix socket.
	Dir string
	// Port is the TCP port on 127.0.0.1, and the socket's number.
	Port int

	bin  string
	cred *syscall.Credential
	cmd  *exec.Cmd
	done chan struct{}
}

// URL returns a connection URL over the Unix socket, which needs no
// password.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable", User, Database, s.Dir, s.Port)
}

// TCPURL returns a connection URL over TCP without the password, which the
// server asks for there (PGPASSWORD or a password file gives it).
func (s *Server) TCPURL() string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", User, s.Port, Database)
}

// Start makes and starts a server for t, or skips t as the package doc
// says. The server is stopped and its files removed when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := findBin()
	if err != nil {
		if Required() {
			t.Fatalf("PostgreSQL is not installed and %s names postgres: %v", RequireEnv, err)
		}
		t.Skipf("PostgreSQL is not installed (%v); set %s=postgres to make this a failure", err, RequireEnv)
	}
	s, err := New(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		os.RemoveAll(s.Dir)
	})
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	return s
}

// ErrNotInstalled means no PostgreSQL binaries were found.
var ErrNotInstalled = errors.New("PostgreSQL is not installed")

// Launch makes and starts a server outside a test, as Start does, for the
// benchmark commands. It returns an error wrapping ErrNotInstalled when the
// binaries are missing. Close it when done.
func Launch() (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	s, err := New(bin)
	if err != nil {
		return nil, err
	}
	if err := s.Restart(); err != nil {
		os.RemoveAll(s.Dir)
		return nil, err
	}
	return s, nil
}

// Close stops the server and removes its files.
func (s *Server) Close() {
	s.Stop()
	os.RemoveAll(s.Dir)
}

var shared struct {
	sync.Mutex
	srv *Server
	err error
}

// Shared returns a server that every test of the package that calls it
// shares, starting it on the first call, or skips t as Start does. Give
// each test its own database with Database. The package's TestMain calls
// StopShared after the tests.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.srv == nil && shared.err == nil {
		bin, err := findBin()
		if err != nil {
			if Required() {
				t.Fatalf("PostgreSQL is not installed and %s names postgres: %v", RequireEnv, err)
			}
			t.Skipf("PostgreSQL is not installed (%v); set %s=postgres to make this a failure", err, RequireEnv)
		}
		s, err := New(bin)
		if err == nil {
			if err = s.Restart(); err != nil {
				os.RemoveAll(s.Dir)
			}
		}
		shared.srv, shared.err = s, err
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.srv
}

// StopShared stops the server Shared started, if any, and removes its
// files.
func StopShared() {
	shared.Lock()
	defer shared.Unlock()
	if shared.srv != nil && shared.err == nil {
		shared.srv.Stop()
		os.RemoveAll(shared.srv.Dir)
	}
	shared.srv, shared.err = nil, nil
}

var databases atomic.Int64

// Database creates a new, empty database on the server for t and returns a
// URL for it over the Unix socket; it is dropped when t ends.
func (s *Server) Database(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), databases.Add(1))
	ctx := context.Background()
	c, err := pgx.Connect(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, s.URL())
		if err != nil {
			return // the server is gone with it
		}
		defer c.Close(ctx)
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable", User, name, s.Dir, s.Port)
}

// findBin returns the directory that holds initdb and postgres.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	if p, err := exec.LookPath("postgres"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no initdb in /usr/lib/postgresql/*/bin or beside postgres on PATH")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// New runs initdb in a new temporary directory, owned by the user the
// server will run as. It does not start the server.
func New(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "pgtest")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, bin: bin}
	fail := func(err error) (*Server, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if os.Geteuid() == 0 {
		if s.cred, err = unprivileged(); err != nil {
			return fail(err)
		}
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return fail(err)
		}
	}
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(Password+"\n"), 0o600); err != nil {
		return fail(err)
	}
	if s.cred != nil {
		if err := os.Chown(pw, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return fail(err)
		}
	}
	out, err := s.command("initdb", "-D", filepath.Join(dir, "data"), "-U", User, "--pwfile", pw,
		"--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput()
	if err != nil {
		return fail(fmt.Errorf("initdb: %w\n%s", err, out))
	}
	os.Remove(pw)
	if s.Port, err = freePort(); err != nil {
		return fail(err)
	}
	return s, nil
}

// unprivileged returns the credentials of the "postgres" user, or of
// "nobody".
func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
		}
	}
	return nil, errors.New("running as root, and there is no postgres or nobody user to run PostgreSQL as")
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd
}

// Restart starts the server, stopped or never started, on its port, and
// waits until it accepts connections.
func (s *Server) Restart() error {
	if s.cmd != nil {
		return errors.New("pgtest: the server is running")
	}
	cmd := s.command("postgres", "-D", filepath.Join(s.Dir, "data"),
		"-p", strconv.Itoa(s.Port), "-k", s.Dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
		"-c", "logging_collector=off", "-c", "log_min_messages=warning")
	log, err := os.OpenFile(filepath.Join(s.Dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(s.done)
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, s.URL())
		if err == nil {
			err = c.Ping(ctx)
			c.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return fmt.Errorf("pgtest: the server did not accept connections within %v: %w", startTimeout, err)
		}
		select {
		case <-s.done:
			s.cmd = nil
			b, _ := os.ReadFile(filepath.Join(s.Dir, "server.log"))
			return fmt.Errorf("pgtest: postgres exited at start:\n%s", b)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop shuts the server down (fast shutdown: sessions are ended, their
// transactions rolled back) and waits for it to exit.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(startTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
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
