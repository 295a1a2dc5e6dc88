package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// On SIGTERM the proxy stops taking connections but finishes the request
// in flight, then exits with 0.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		_, _ = io.WriteString(w, "done")
	})
	p := serveCmd(t, "proxy", "--upstream", up.URL, "--db", filepath.Join(t.TempDir(), "gate.db"),
		"--public", "/", "--shutdown-grace", "1m")
	type answer struct {
		status int
		body   string
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := http.Get(p.base + "slow")
		if err != nil {
			got <- answer{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{resp.StatusCode, string(b), err}
	}()
	<-arrived
	p.stop()
	addr := strings.TrimSuffix(strings.TrimPrefix(p.base, "http://"), "/")
	p.waitFor(t, func() bool { // the listener closes
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	close(release)
	a := <-got
	if a.err != nil || a.status != 200 || a.body != "done" {
		t.Errorf("the request in flight got %d %q, %v; want 200 \"done\"", a.status, a.body, a.err)
	}
	if code := p.exitCode(t); code != exitOK {
		t.Errorf("exit code %d, want 0:\n%s", code, p.stderr)
	}
	if strings.Contains(p.stderr.String(), "grace period over") {
		t.Errorf("the grace period ran out:\n%s", p.stderr)
	}
}

// Server-sent events and WebSockets never end by themselves: on SIGTERM
// they get --shutdown-grace, then they are closed and the proxy exits
// with 0.
func TestShutdownClosesStreamsAfterGrace(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/events":
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: hello\n\n")
			_ = http.NewResponseController(w).Flush()
			<-r.Context().Done()
		case "/socket":
			conn, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
			_ = brw.Flush()
			_, _ = io.Copy(io.Discard, brw) // until the proxy closes it
		}
	})
	p := serveCmd(t, "proxy", "--upstream", up.URL, "--db", filepath.Join(t.TempDir(), "gate.db"),
		"--public", "/", "--shutdown-grace", "100ms")

	resp, err := http.Get(p.base + "events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewReader(resp.Body)
	if line, err := events.ReadString('\n'); line != "data: hello\n" {
		t.Fatalf("first event line %q, %v", line, err)
	}

	ws, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(p.base, "http://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, _ = io.WriteString(ws, "GET /socket HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	socket := bufio.NewReader(ws)
	if line, err := socket.ReadString('\n'); !strings.HasPrefix(line, "HTTP/1.1 101") {
		t.Fatalf("upgrade answered %q, %v", line, err)
	}

	p.stop()
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second)) // a safety net, not the assertion
	if _, err := io.Copy(io.Discard, socket); err != nil {
		t.Errorf("the WebSocket ended with %v, want a close", err)
	}
	done := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, events); done <- err }()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("the event stream ended with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the event stream was not closed within 30s of SIGTERM")
	}
	if code := p.exitCode(t); code != exitOK {
		t.Errorf("exit code %d, want 0:\n%s", code, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "grace period over") {
		t.Errorf("no word of the grace period's end:\n%s", p.stderr)
	}
}
