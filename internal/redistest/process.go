package redistest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// startTimeout bounds how long a redis-server may take to answer PING.
const startTimeout = 10 * time.Second

// Process is one run of redis-server with persistence off, listening on
// 127.0.0.1. It does not depend on the testing package, so benchmark
// commands use it too.
type Process struct {
	// Addr is the server's address, 127.0.0.1:Port.
	Addr string
	// Port is the TCP port the server listens on.
	Port int

	cmd    *exec.Cmd
	exited chan struct{}
}

// Launch runs the redis-server at bin on a free port of 127.0.0.1, with its
// files in dir and extra arguments after the store's own, and waits until
// it answers PING. It tries another port when one is taken meanwhile.
func Launch(bin, dir string, extra ...string) (*Process, error) {
	var lastErr error
	for range 3 { // another process may take the free port before we bind it
		port, err := FreePort()
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		p, err := launchOn(bin, dir, port, extra)
		if err == nil {
			return p, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// launchOn runs redis-server on the given port and waits until it answers.
func launchOn(bin, dir string, port int, extra []string) (*Process, error) {
	args := append([]string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"),
	}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting redis-server: %w", err)
	}
	p := &Process{
		Addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Port:   port,
		cmd:    cmd,
		exited: make(chan struct{}),
	}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	if err := waitReady(p.Addr, p.exited); err != nil {
		p.Kill()
		return nil, fmt.Errorf("%w; log:\n%s", err, logTail(dir))
	}
	return p, nil
}

// Kill stops the server at once with SIGKILL, as a crash would, and waits
// for the process to end.
func (p *Process) Kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// logTail returns the end of the log file in dir, for failure messages.
func logTail(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "redis.log"))
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

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
