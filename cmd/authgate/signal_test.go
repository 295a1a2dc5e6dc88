//go:build unix

package main

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryStopsOnSignal builds the command, runs `authgate demo`, sends
// SIGINT and then SIGTERM to two runs, and expects each to shut down
// gracefully with exit code 0.
func TestBinaryStopsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; runs without -short")
	}
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build with")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "authgate")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "signal.db"))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill() }()
			ready := make(chan bool, 1)
			eof := make(chan struct{}) // Wait may run only once stdout is drained
			go func() {
				defer close(eof)
				sc := bufio.NewScanner(stdout)
				found := false
				for sc.Scan() {
					if !found && strings.Contains(sc.Text(), "Press Ctrl+C to stop.") {
						found = true
						ready <- true
					}
				}
				if !found {
					ready <- false
				}
			}()
			select {
			case ok := <-ready:
				if !ok {
					t.Fatalf("the demo ended before it was ready:\n%s", stderr.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the demo was not ready within 30s")
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				<-eof
				done <- cmd.Wait()
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after %v: %v\n%s", sig, err, stderr.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("still running 30s after %v", sig)
			}
			if !strings.Contains(stderr.String(), "authgate demo: stopped") {
				t.Errorf("no graceful stop in the logs:\n%s", stderr.String())
			}
		})
	}
}
