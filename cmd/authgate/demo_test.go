package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testkit"
)

// demoRun is the demo command running in the test's process.
type demoRun struct {
	base           string // http://127.0.0.1:PORT/
	stdout, stderr *testkit.Buffer
	stop           context.CancelFunc
	done           chan int // the exit code, once it returns
}

// startDemo runs `authgate demo --addr 127.0.0.1:0` with extra flags and
// waits until it prints where it listens.
func startDemo(t *testing.T, now func() time.Time, args ...string) *demoRun {
	t.Helper()
	ctx, stop := context.WithCancel(t.Context())
	d := &demoRun{stdout: &testkit.Buffer{}, stderr: &testkit.Buffer{}, stop: stop, done: make(chan int, 1)}
	c := newCLI(strings.NewReader(""), d.stdout, d.stderr)
	c.hasher = testkit.Hasher
	if now != nil {
		c.now = now
	}
	go func() { d.done <- c.main(ctx, append([]string{"demo", "--addr", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() { d.shutdown(t) })
	wait, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	out := d.stdout.WaitFor(wait, t, "Press Ctrl+C to stop.")
	m := regexp.MustCompile(`running at (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(out)
	if m == nil || strings.HasSuffix(m[1], ":0/") {
		t.Fatalf("no real address in the output:\n%s", out)
	}
	d.base = m[1]
	return d
}

// shutdown cancels the demo's context, as SIGINT does, and returns its
// exit code.
func (d *demoRun) shutdown(t *testing.T) int {
	t.Helper()
	d.stop()
	select {
	case code := <-d.done:
		d.done <- code // for a second call
		return code
	case <-time.After(20 * time.Second):
		t.Fatal("the demo did not stop within 20s of its context ending")
		return -1
	}
}

// field returns what follows label on a line of the demo's output.
func field(t *testing.T, out, label string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(label) + `\s+(\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %q in the output:\n%s", label, out)
	}
	return m[1]
}

var client = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

// do sends a request and returns the response with its body read.
func do(t *testing.T, r *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// signIn posts the login form as a browser would and returns the session
// cookie.
func signIn(t *testing.T, base, password string) *http.Cookie {
	t.Helper()
	form := url.Values{"username": {"demo"}, "password": {password}, "return_to": {"/"}}
	r, _ := http.NewRequest(http.MethodPost, base+"login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("Origin", strings.TrimSuffix(base, "/"))
	res, body := do(t, r)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign-in: %d to %q, want 303 to /; body %q", res.StatusCode, res.Header.Get("Location"), body)
	}
	for _, c := range res.Cookies() {
		if c.Name == "__Host-authgate" && c.Value != "" && c.Secure && c.HttpOnly {
			return c
		}
	}
	t.Fatalf("no Secure, HttpOnly __Host-authgate cookie in %q", res.Header.Values("Set-Cookie"))
	return nil
}

// page loads / as a browser navigation with the session cookie.
func page(t *testing.T, base string, session *http.Cookie) (*http.Response, string) {
	t.Helper()
	r, _ := http.NewRequest(http.MethodGet, base, nil)
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("Accept", "text/html")
	r.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	return do(t, r)
}

// TestDemoServer runs the demo on a free port over a fresh database, signs
// in over real HTTP, uses the printed curl credentials, and stops it as
// SIGINT would.
func TestDemoServer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	d := startDemo(t, nil, "--db", db, "--idle-timeout", "5m", "--warn-before", "90s", "--client-mode", "dialog")
	out := d.stdout.String()
	password := field(t, out, "Password:")
	keyID, secret := field(t, out, "API key:"), field(t, out, "Secret:")
	for _, want := range []string{
		`Made the user "demo" and an API key`,
		"  User:      demo\n",
		"  curl -u " + keyID + ":" + secret + " " + d.base + "api/notes\n",
		"Sessions end after 5m0s without a request, and 12h0m0s after sign-in.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	session := signIn(t, d.base, password)
	res, body := page(t, d.base, session)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `<strong id="who">Demo User</strong>`) || !strings.Contains(body, `data-mode="dialog" data-idle-seconds="300" data-warn-seconds="90"`) {
		t.Fatalf("page: %d\n%s", res.StatusCode, body)
	}

	r, _ := http.NewRequest(http.MethodPost, d.base+"api/notes", strings.NewReader(`{"text":"from curl"}`))
	r.Header.Set("Content-Type", "application/json")
	r.SetBasicAuth(keyID, secret)
	if res, body := do(t, r); res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/notes with the printed key: %d %s", res.StatusCode, body)
	}
	r, _ = http.NewRequest(http.MethodGet, d.base+"api/notes", nil)
	r.SetBasicAuth(keyID, secret)
	res, body = do(t, r)
	var list struct{ Notes []struct{ Text string } }
	if err := json.Unmarshal([]byte(body), &list); err != nil || res.StatusCode != http.StatusOK || len(list.Notes) != 1 || list.Notes[0].Text != "from curl" {
		t.Fatalf("GET /api/notes with the printed key: %d %s", res.StatusCode, body)
	}

	if code := d.shutdown(t); code != exitOK {
		t.Fatalf("exit code %d after the context ended, want 0\n%s", code, d.stderr.String())
	}
	logs := d.stderr.String()
	for _, want := range []string{"authgate demo: listening", "authgate: signed in", "authgate demo: stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	for _, secretText := range []string{password, secret, session.Value} {
		if strings.Contains(logs, secretText) {
			t.Error("a password, secret or token reached the logs")
		}
	}
	if _, err := client.Get(d.base); err == nil {
		t.Error("the server still answers after shutdown")
	}
}

// TestDemoSessionSurvivesRestart signs in, stops the demo, starts it again
// on the same SQLite file, and finds the same cookie still signed in.
func TestDemoSessionSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "restart.db")
	first := startDemo(t, nil, "--db", db)
	session := signIn(t, first.base, field(t, first.stdout.String(), "Password:"))
	if res, _ := page(t, first.base, session); res.StatusCode != http.StatusOK {
		t.Fatalf("page before the restart: %d", res.StatusCode)
	}
	if code := first.shutdown(t); code != exitOK {
		t.Fatalf("first run: exit %d", code)
	}

	second := startDemo(t, nil, "--db", db)
	out := second.stdout.String()
	for _, want := range []string{`The user "demo" exists already`, "authgate users passwd demo --db " + db} {
		if !strings.Contains(out, want) {
			t.Errorf("second run's output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Password:") {
		t.Error("the second run printed a password")
	}
	res, body := page(t, second.base, session)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="who">Demo User<`) {
		t.Fatalf("page after the restart: %d, Location %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestDemoExpiry moves the demo's clock past the idle timeout: a page load
// goes to the login page, a script call gets the login signal.
func TestDemoExpiry(t *testing.T) {
	clk := testkit.NewClockAt(time.Now())
	d := startDemo(t, clk.Now, "--db", filepath.Join(t.TempDir(), "expiry.db"), "--idle-timeout", "1m", "--signal", "418")
	session := signIn(t, d.base, field(t, d.stdout.String(), "Password:"))
	clk.Add(61 * time.Second)

	res, _ := page(t, d.base, session)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?return_to=%2F" {
		t.Errorf("page after expiry: %d to %q, want 303 to /login?return_to=%%2F", res.StatusCode, res.Header.Get("Location"))
	}
	r, _ := http.NewRequest(http.MethodGet, d.base+"api/notes", nil)
	r.Header.Set("Sec-Fetch-Mode", "cors")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	res, body := do(t, r)
	if res.StatusCode != http.StatusTeapot || res.Header.Get("Authgate-Login") != "expired" || res.Header.Get("WWW-Authenticate") != "" {
		t.Errorf("fetch after expiry: %d, Authgate-Login %q, WWW-Authenticate %q; body %s",
			res.StatusCode, res.Header.Get("Authgate-Login"), res.Header.Get("WWW-Authenticate"), body)
	}
}

// TestDemoAddressInUse checks that a port already taken is a run-time
// failure with a one-line error.
func TestDemoAddressInUse(t *testing.T) {
	d := startDemo(t, nil, "--db", filepath.Join(t.TempDir(), "a.db"))
	addr := strings.TrimSuffix(strings.TrimPrefix(d.base, "http://"), "/")
	r := runCLI(t, "", "demo", "--addr", addr, "--db", filepath.Join(t.TempDir(), "b.db"))
	r.expect(t, exitFailure, "listening on "+addr)
}
