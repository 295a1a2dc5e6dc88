package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testkit"
)

// proxyRun is `authgate proxy` running in the test's process.
type proxyRun struct {
	base   string // http://127.0.0.1:PORT/
	stdout *testkit.Buffer
	stop   context.CancelFunc
	done   chan int
}

// startProxy runs `authgate proxy --addr 127.0.0.1:0` with args and waits,
// polling with a deadline, until it says where it listens.
func startProxy(t *testing.T, args ...string) *proxyRun {
	t.Helper()
	return startServing(t, "proxy", args...)
}

// startServing runs `authgate CMD --addr 127.0.0.1:0` with args, for a
// command that serves (proxy, forward-auth), and waits, polling with a
// deadline, until it says where it listens.
func startServing(t *testing.T, cmd string, args ...string) *proxyRun {
	t.Helper()
	return startServingEnv(t, nil, cmd, args...)
}

// startServingEnv is startServing with env, when not nil, as the whole
// environment the command sees.
func startServingEnv(t *testing.T, env map[string]string, cmd string, args ...string) *proxyRun {
	t.Helper()
	ctx, stop := context.WithCancel(t.Context())
	p := &proxyRun{stdout: new(testkit.Buffer), stop: stop, done: make(chan int, 1)}
	c := newCLI(strings.NewReader(""), p.stdout, new(testkit.Buffer))
	c.hasher = testkit.Hasher
	if env != nil {
		c.lookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	go func() { p.done <- c.main(ctx, append([]string{cmd, "--addr", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			t.Error("the proxy did not stop within 20s of its context ending")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.stdout.String(), "Press Ctrl+C to stop.") {
		select {
		case code := <-p.done:
			t.Fatalf("the proxy exited with %d:\n%s", code, p.stdout.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the proxy did not start within 20s:\n%s", p.stdout.String())
		}
	}
	m := regexp.MustCompile(`running at (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("no address in the output:\n%s", p.stdout.String())
	}
	p.base = m[1]
	return p
}

// The first run writes the credentials to a file only its owner can read,
// since the output is not a terminal; the API key in it reaches the
// upstream, which learns who called; a page load without a session goes to
// the login page; the second run makes nobody.
func TestProxyCommand(t *testing.T) {
	var mu sync.Mutex
	var seen []http.Header
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		_, _ = w.Write([]byte("from the app"))
	}))
	defer up.Close()
	db := filepath.Join(t.TempDir(), "gate.db")
	p := startProxy(t, "--upstream", up.URL, "--db", db)
	out := p.stdout.String()
	if strings.Contains(out, "Password:") || strings.Contains(out, "Secret:") {
		t.Fatalf("credentials printed to an output that is not a terminal:\n%s", out)
	}
	m := regexp.MustCompile(`are in (\S+) \(readable only by its owner\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no credentials file named:\n%s", out)
	}
	fi, err := os.Stat(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("the credentials file has mode %o, want 600", mode)
	}
	creds, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^  ` + name + `:\s+(\S+)$`).FindSubmatch(creds)
		if m == nil {
			t.Fatalf("no %s line in the credentials file:\n%s", name, creds)
		}
		return string(m[1])
	}
	if u := field("User"); u != proxyLogin {
		t.Errorf("User: %q, want %q", u, proxyLogin)
	}
	field("Password")

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, p.base+"api/things", nil)
	req.SetBasicAuth(field("API key"), field("Secret"))
	req.Header.Set("X-Authgate-User", "root")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with the API key: status %d, want 200", resp.StatusCode)
	}
	// The same over HTTP/2 without TLS (h2c), as a TLS-terminating proxy in
	// front may speak it.
	h2c := &http.Transport{Protocols: new(http.Protocols)}
	h2c.Protocols.SetUnencryptedHTTP2(true)
	resp, err = (&http.Client{Transport: h2c}).Do(req.Clone(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ProtoMajor != 2 {
		t.Errorf("over h2c: %s %d, want HTTP/2 200", resp.Proto, resp.StatusCode)
	}
	mu.Lock()
	got := seen[len(seen)-1]
	mu.Unlock()
	if u, via := got.Values("X-Authgate-User"), got.Get("X-Authgate-Method"); len(u) != 1 || u[0] != proxyLogin || via != "key" {
		t.Errorf("the upstream saw X-Authgate-User %q by %q, want [%q] by key", u, via, proxyLogin)
	}

	nav, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, p.base+"report?year=2025", nil)
	nav.Header.Set("Sec-Fetch-Mode", "navigate")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Do(nav)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?return_to=%2Freport%3Fyear%3D2025" {
		t.Errorf("signed-out page load: %d to %q, want 303 to the login page and back", resp.StatusCode, loc)
	}
	p.stop()
	<-p.done
	p.done <- 0

	again := startProxy(t, "--upstream", up.URL, "--db", db)
	if out := again.stdout.String(); !strings.Contains(out, "Sign in as an existing user") || strings.Contains(out, "authgate-first-run-") {
		t.Errorf("the second run's output:\n%s", out)
	}
}

func TestProxyUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "gate.db")
	tests := []struct {
		args []string
		want string
	}{
		{nil, "--upstream URL is required"},
		{[]string{"--upstream", "ftp://x"}, "http:// or https://"},
		{[]string{"--upstream", "http://u:p@app:8000"}, "must not hold a user or password"},
		{[]string{"--upstream", "http://app:8000", "--public", "static"}, `--public "static"`},
		{[]string{"--upstream", "http://app:8000", "--trusted-proxy", "lan"}, `--trusted-proxy "lan"`},
		{[]string{"--upstream", "http://app:8000", "--client-mode", "popup"}, "proxy: --client-mode"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		c := newCLI(strings.NewReader(""), &out, &errb)
		code := c.main(t.Context(), append([]string{"proxy", "--db", db}, tt.args...))
		if code != exitUsage || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("proxy %q: exit %d, %q; want %d and %q", tt.args, code, errb.String(), exitUsage, tt.want)
		}
	}
}
