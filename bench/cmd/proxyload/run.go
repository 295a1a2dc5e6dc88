package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
)

// options are the driver's settings.
type options struct {
	oauth2Proxy string
	authgate    string
	earlier     string // a second authgate binary, measured beside the first
	rounds      int
	duration    time.Duration
	warmup      time.Duration
	conns       int
	bareBuffers bool
	forward     bool // nginx alone, with authgate forward-auth, with oauth2-proxy
}

// target is a proxy under load: its address, the cookie of a session and
// its process, whose CPU time the phases read.
type target struct {
	name   string
	base   string // http://127.0.0.1:PORT
	cookie *cookies
	pid    int
}

// run starts the processes, signs in to each gate and measures.
func run(ctx context.Context, o options) error {
	wb, err := newWorkbench(ctx, "authgate-proxyload-")
	if err != nil {
		return err
	}
	defer wb.close()
	ctx, self, dir, upURL := wb.ctx, wb.self, wb.dir, wb.upstream
	bareArgs := []string{"-upstream", upURL}
	if o.bareBuffers {
		bareArgs = append(bareArgs, "-bare-buffers")
	}
	bareAddr, barePID, err := startRole(ctx, self, dir, "bare", bareArgs...)
	if err != nil {
		return fmt.Errorf("the bare proxy: %w", err)
	}
	bareName := "bare ReverseProxy"
	if o.bareBuffers {
		bareName += " + buffers"
	}
	targets := []target{{name: bareName, base: "http://" + bareAddr, pid: barePID}}

	if o.authgate == "" {
		if o.authgate, err = buildAuthgate(ctx, dir); err != nil {
			return err
		}
	}
	ag, err := startAuthgate(ctx, o.authgate, dir, upURL)
	if err != nil {
		return fmt.Errorf("authgate proxy: %w", err)
	}
	targets = append(targets, ag)
	// The same without its access log, as the bare proxy has none: a log
	// line is a write system call per request.
	quiet, err := startAuthgateIn(ctx, o.authgate, dir, "quiet-", upURL, "--access-log", "0")
	if err != nil {
		return fmt.Errorf("authgate proxy without its access log: %w", err)
	}
	quiet.name = "authgate proxy, no log"
	targets = append(targets, quiet)
	if o.earlier != "" {
		ag0, err := startAuthgateIn(ctx, o.earlier, dir, "earlier-", upURL)
		if err != nil {
			return fmt.Errorf("the earlier authgate proxy: %w", err)
		}
		ag0.name = "authgate proxy (earlier)"
		targets = append(targets, ag0)
	}
	// The bare proxy gets a Cookie header of the same size, which it passes
	// on to the upstream as an app's own session cookie.
	targets[0].cookie = newCookies(ag.cookie.Header())

	if o.oauth2Proxy == "" {
		fmt.Println("oauth2-proxy: left out (no -oauth2-proxy binary given)")
	} else {
		op, err := startOAuth2Proxy(ctx, o.oauth2Proxy, dir, upURL)
		if err != nil {
			return fmt.Errorf("oauth2-proxy: %w", err)
		}
		targets = append(targets, op)
		sub, err := os.MkdirTemp(dir, "quiet-oauth2-proxy-")
		if err != nil {
			return err
		}
		opQuiet, err := startOAuth2Proxy(ctx, o.oauth2Proxy, sub, upURL, "--request-logging=false")
		if err != nil {
			return fmt.Errorf("oauth2-proxy without its request log: %w", err)
		}
		opQuiet.name = "oauth2-proxy, no log"
		targets = append(targets, opQuiet)
	}
	for _, t := range targets {
		if err := check(ctx, t); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return measure(ctx, targets, o)
}

// workbench is what every run starts from: a temporary folder and the
// upstream, started from this very binary.
type workbench struct {
	ctx      context.Context // cancelled by close, which stops what was started with it
	self     string          // this binary, which plays the other roles
	dir      string          // the run's files, removed by close
	upstream string          // http://127.0.0.1:PORT
	close    func()
}

func newWorkbench(ctx context.Context, pattern string) (*workbench, error) {
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	wb := &workbench{ctx: ctx, dir: dir, close: func() {
		cancel()
		stopChildren()
		_ = os.RemoveAll(dir)
	}}
	if wb.self, err = os.Executable(); err != nil {
		wb.close()
		return nil, err
	}
	addr, _, err := startRole(ctx, wb.self, dir, "upstream")
	if err != nil {
		wb.close()
		return nil, fmt.Errorf("the upstream: %w", err)
	}
	wb.upstream = "http://" + addr
	return wb, nil
}

// startRole runs this program again as role and returns the address it
// listens on.
func startRole(ctx context.Context, self, dir, role string, args ...string) (string, int, error) {
	addrFile := filepath.Join(dir, role+".addr")
	cmd := exec.CommandContext(ctx, self, append([]string{"-role", role, "-addr-file", addrFile}, args...)...)
	cmd.Stderr = os.Stderr
	if err := startChild(cmd); err != nil {
		return "", 0, err
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			return string(b), cmd.Process.Pid, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "", 0, errors.New("did not start within 20s")
}

// buildAuthgate builds ./cmd/authgate of this repository into dir.
func buildAuthgate(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "authgate")
	build := exec.CommandContext(ctx, "go", "build", "-C", "..", "-o", bin, "./cmd/authgate")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("building authgate: %w", err)
	}
	return bin, nil
}

// startAuthgateIn is [startAuthgate] with a database of its own, in a new
// folder under dir whose name starts with pattern.
func startAuthgateIn(ctx context.Context, bin, dir, pattern, upstream string, extra ...string) (target, error) {
	sub, err := os.MkdirTemp(dir, pattern)
	if err != nil {
		return target{}, err
	}
	return startAuthgate(ctx, bin, sub, upstream, extra...)
}

// startAuthgate runs `authgate proxy` with its database in dir and the
// extra flags, then signs in as the user its first run made.
func startAuthgate(ctx context.Context, bin, dir, upstream string, extra ...string) (target, error) {
	args := append([]string{"proxy", "--upstream", upstream, "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "gate.db")}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = nil // its access log goes to /dev/null, as oauth2-proxy's does
	printed, err := startFirstRun(cmd)
	if err != nil {
		return target{}, err
	}
	base := regexp.MustCompile(`running at (http://[^/ ]+)/`).FindStringSubmatch(printed)
	if base == nil {
		return target{}, fmt.Errorf("unexpected output:\n%s", printed)
	}
	pw, err := firstRunPassword(printed)
	if err != nil {
		return target{}, err
	}
	// localhost, so that the gate's Secure cookies are kept over http.
	b := strings.Replace(base[1], "127.0.0.1", "localhost", 1)
	cookie, err := signIn(ctx, b+"/login", url.Values{"username": {"admin"}, "password": {pw}})
	return target{name: "authgate proxy", base: b, cookie: newCookies(cookie), pid: cmd.Process.Pid}, err
}

// startOAuth2Proxy runs oauth2-proxy with an htpasswd user and signs in
// with its form.
func startOAuth2Proxy(ctx context.Context, bin, dir, upstream string, extra ...string) (target, error) {
	const user, pass = "bench", "a long password for the bench"
	hash, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
	if err != nil {
		return target{}, err
	}
	htpasswd := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
		return target{}, err
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	addr, err := freeAddr()
	if err != nil {
		return target{}, err
	}
	cmd := exec.CommandContext(ctx, bin,
		"--http-address", addr,
		"--upstream", upstream+"/",
		"--htpasswd-file", htpasswd,
		"--email-domain", "*",
		"--cookie-secret", base64.URLEncoding.EncodeToString(secret),
		"--cookie-secure=false",
		"--client-id", "unused", "--client-secret", "unused", // the default provider's; never asked
	)
	cmd.Args = append(cmd.Args, extra...)
	cmd.Stdout, cmd.Stderr = nil, nil // its request log goes to /dev/null
	if err := startChild(cmd); err != nil {
		return target{}, err
	}
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return target{}, fmt.Errorf("no answer on %s/ping within 20s", base)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cookie, err := signIn(ctx, base+"/oauth2/sign_in", url.Values{"username": {user}, "password": {pass}})
	return target{name: "oauth2-proxy v7.15.6", base: base, cookie: newCookies(cookie), pid: cmd.Process.Pid}, err
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// signIn posts a sign-in form and returns the cookies it set, as a Cookie
// header value.
func signIn(ctx context.Context, u string, form url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	var parts []string
	for _, ck := range resp.Cookies() {
		if ck.Value != "" {
			parts = append(parts, ck.Name+"="+ck.Value)
		}
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("signing in: %s and no cookie", resp.Status)
	}
	return strings.Join(parts, "; "), nil
}

// check makes one request as the load does and wants the upstream's item.
func check(ctx context.Context, t target) error {
	resp, err := http.DefaultClient.Do(newRequest(ctx, t))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != string(item) {
		return fmt.Errorf("a signed-in call got %s: %.100q", resp.Status, body)
	}
	return nil
}

// newRequest is one call of the load: a fetch from a page of the app.
func newRequest(ctx context.Context, t target) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/api/item", nil)
	testkit.AsKind(req, authgate.KindScript) // the headers of Chromium's fetch()
	if t.cookie != nil {
		req.Header.Set("Cookie", t.cookie.Header())
	}
	return req
}

// startFirstRun starts an authgate serving command on a new database and
// returns what it printed up to "Press Ctrl+C"; the rest of its output is
// read and dropped.
func startFirstRun(cmd *exec.Cmd) (string, error) {
	// A pipe of our own rather than StdoutPipe, which must be read to
	// the end before Wait is called.
	out, w := io.Pipe()
	cmd.Stdout = w
	if err := startChild(cmd, func() { _ = w.Close() }); err != nil {
		return "", err
	}
	var printed strings.Builder
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		printed.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "Press Ctrl+C") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return printed.String(), nil
}

// firstRunPassword returns the password of the user a first run made,
// from the file whose path it printed.
func firstRunPassword(printed string) (string, error) {
	file := regexp.MustCompile(`are in (\S+) \(readable`).FindStringSubmatch(printed)
	if file == nil {
		return "", fmt.Errorf("no credentials file in:\n%s", printed)
	}
	creds, err := os.ReadFile(file[1])
	if err != nil {
		return "", err
	}
	pw := regexp.MustCompile(`(?m)^\s*Password:\s+(\S+)$`).FindStringSubmatch(string(creds))
	if pw == nil {
		return "", errors.New("no password in the first run's file")
	}
	return pw[1], nil
}
