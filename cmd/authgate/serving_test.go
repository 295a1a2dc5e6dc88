package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testkit"
)

// served is a serving command running in the test's process.
type served struct {
	base           string // http://127.0.0.1:PORT/
	stdout, stderr *testkit.Buffer
	stop           context.CancelFunc // SIGTERM
	done           chan int           // the exit code
}

// serveCmd runs the serving command cmd with --addr 127.0.0.1:0 and args,
// and waits, polling with a deadline, until it says where it listens.
func serveCmd(t *testing.T, cmd string, args ...string) *served {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	s := &served{stdout: new(testkit.Buffer), stderr: new(testkit.Buffer), stop: stop, done: make(chan int, 1)}
	c := newCLI(strings.NewReader(""), s.stdout, s.stderr)
	c.hasher = testkit.Hasher
	c.lookupEnv = func(string) (string, bool) { return "", false }
	go func() { s.done <- c.main(ctx, append([]string{cmd, "--addr", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("the command did not stop within 30s of SIGTERM")
		}
	})
	s.waitFor(t, func() bool { return strings.Contains(s.stdout.String(), "Press Ctrl+C to stop.") })
	m := regexp.MustCompile(`running at (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no address in the output:\n%s", s.stdout)
	}
	s.base = m[1]
	return s
}

// waitFor polls cond until it holds, failing t after a generous deadline
// or if the command exits.
func (s *served) waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		select {
		case code := <-s.done:
			s.done <- code
			t.Fatalf("the command exited with %d:\nstdout: %s\nstderr: %s", code, s.stdout, s.stderr)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting after 20s:\nstdout: %s\nstderr: %s", s.stdout, s.stderr)
		}
	}
}

// exitCode waits for the command to exit after stop and returns its code.
func (s *served) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("the command did not exit within 30s:\n%s", s.stderr)
		return -1
	}
}

// firstRun reads a field of the first run's credentials file.
func (s *served) firstRun(t *testing.T, field string) string {
	t.Helper()
	m := regexp.MustCompile(`are in (\S+) \(readable only by its owner\)`).FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no credentials file named:\n%s", s.stdout)
	}
	b, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	v := regexp.MustCompile(`(?m)^  ` + field + `:\s+(\S+)$`).FindSubmatch(b)
	if v == nil {
		t.Fatalf("no %s in the credentials file", field)
	}
	return string(v[1])
}

// logLines returns the JSON log lines whose msg is msg.
func (s *served) logLines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.stderr.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("a log line is not JSON: %q", sc.Text())
		}
		if m["msg"] == msg {
			lines = append(lines, m)
		}
	}
	return lines
}

// metricsURL waits for the command's metrics line and returns its URL.
func (s *served) metricsURL(t *testing.T) string {
	t.Helper()
	s.waitFor(t, func() bool { return strings.Contains(s.stderr.String(), `"authgate proxy: metrics"`) })
	return s.logLines(t, "authgate proxy: metrics")[0]["url"].(string)
}

// scrapeMetrics reads the metrics at u, fails t for each of wants that is
// not one of its lines, and returns them.
func scrapeMetrics(t *testing.T, u string, wants ...string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range wants {
		if !bytes.Contains(b, []byte(want+"\n")) {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	return b
}

// call makes a request and returns its status, never following redirects.
func call(t *testing.T, method, u string, body io.Reader, hdr ...string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func basic(id, secret string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(id, secret)
	return req.Header.Get("Authorization")
}

// After known traffic through the proxy, the metrics count each request
// once by kind and answer (health checks not at all), the sign-ins, the API
// key uses, the store and the upstream; the access log has one line per
// request, with the user id, and no secret or query string.
func TestMetricsAndAccessLogAfterKnownTraffic(t *testing.T) {
	var userID, upstreamPaths sync.Map
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get("X-Authgate-User-Id"); id != "" {
			userID.Store("id", id)
		}
		upstreamPaths.Store(r.URL.Path, true)
		_, _ = io.WriteString(w, "from the app")
	})
	db := filepath.Join(t.TempDir(), "gate.db")
	p := serveCmd(t, "proxy", "--upstream", up.URL, "--db", db, "--public", "/static/",
		"--metrics-addr", "127.0.0.1:0", "--log-format", "json")
	key, secret, password := p.firstRun(t, "API key"), p.firstRun(t, "Secret"), p.firstRun(t, "Password")
	metricsURL := p.metricsURL(t)

	for range 3 {
		if got := call(t, "GET", p.base+"api/things?token=SEKRIT", nil, "Authorization", basic(key, secret)); got != 200 {
			t.Fatalf("with the API key: %d", got)
		}
	}
	call(t, "GET", p.base+"api/things", nil, "Authorization", basic(key, "not-the-secret"))
	call(t, "GET", p.base+"report", nil, "Sec-Fetch-Mode", "navigate")
	call(t, "GET", p.base+"report", nil, "Sec-Fetch-Mode", "navigate")
	call(t, "GET", p.base+"api/things", nil, "Sec-Fetch-Mode", "cors")
	form := "application/x-www-form-urlencoded"
	if got := call(t, "POST", p.base+"login", strings.NewReader(url.Values{"username": {"admin"}, "password": {"wrong"}}.Encode()), "Content-Type", form, "Accept", "text/html"); got != 401 {
		t.Fatalf("a wrong password: %d", got)
	}
	if got := call(t, "POST", p.base+"login", strings.NewReader(url.Values{"username": {"admin"}, "password": {password}}.Encode()), "Content-Type", form, "Accept", "text/html"); got != 303 {
		t.Fatalf("the right password: %d", got)
	}
	call(t, "GET", p.base+"static/app.css", nil)
	for _, path := range []string{livePath, readyPath, livePath} {
		if got := call(t, "GET", strings.TrimSuffix(p.base, "/")+path, nil); got != 200 {
			t.Fatalf("%s: %d", path, got)
		}
	}
	metricsBase := strings.TrimSuffix(metricsURL, "/metrics")
	for _, path := range []string{livePath, readyPath} {
		if got := call(t, "GET", metricsBase+path, nil); got != 200 {
			t.Errorf("%s on the metrics address: %d", path, got)
		}
	}
	upstreamPaths.Range(func(k, _ any) bool {
		if strings.HasPrefix(k.(string), gatePrefix) || k == loginPath {
			t.Errorf("the upstream got %s", k)
		}
		return true
	})
	up.Close()
	if got := call(t, "GET", p.base+"api/things", nil, "Authorization", basic(key, secret)); got != 502 {
		t.Fatalf("with the upstream down: %d", got)
	}

	scrape := scrapeMetrics(t, metricsURL,
		`authgate_requests_total{answer="signed_in",kind="machine"} 3`,
		`authgate_requests_total{answer="login_required",kind="machine"} 1`,
		`authgate_requests_total{answer="login_required",kind="navigation"} 2`,
		`authgate_requests_total{answer="login_required",kind="script"} 1`,
		`authgate_requests_total{answer="gate",kind="navigation"} 2`,
		`authgate_requests_total{answer="public",kind="machine"} 1`,
		`authgate_requests_total{answer="bad_gateway",kind="machine"} 1`,
		`authgate_sign_ins_total{result="ok"} 1`,
		`authgate_sign_ins_total{result="refused"} 1`,
		`authgate_api_key_uses_total{result="ok"} 4`,
		`authgate_api_key_uses_total{result="refused"} 1`,
		`authgate_upstream_duration_seconds_count 4`,
		`authgate_store_duration_seconds_count{op="create_session"} 1`,
		`authgate_store_duration_seconds_count{op="user_by_login"} 2`,
		`authgate_hashes_running 0`,
		`authgate_hashes_waiting 0`,
		`authgate_throttle_limited 0`,
	)
	if regexp.MustCompile(`(?m)^authgate_throttle_counting [1-9]`).Find(scrape) == nil {
		t.Errorf("after a refused sign-in and a refused key the throttle counts nothing:\n%s", regexp.MustCompile(`(?m)^authgate_throttle.*$`).FindAll(scrape, -1))
	}
	total := 0
	for _, m := range regexp.MustCompile(`(?m)^authgate_requests_total\{.*\} (\d+)$`).FindAllSubmatch(scrape, -1) {
		n := 0
		for _, d := range m[1] {
			n = n*10 + int(d-'0')
		}
		total += n
	}
	if total != 11 {
		t.Errorf("%d requests counted, want 11 (health checks not counted)", total)
	}

	lines := p.logLines(t, "http")
	if len(lines) != 11 {
		t.Errorf("%d access log lines, want 11 (health checks not logged)", len(lines))
	}
	id, _ := userID.Load("id")
	first := lines[0]
	for k, want := range map[string]any{
		"method": "GET", "path": "/api/things", "status": 200.0, "kind": "machine", "answer": "signed_in",
		"user": id, "auth": "apikey", "upstream_status": 200.0,
	} {
		if first[k] != want {
			t.Errorf("the first line's %s is %v, want %v: %v", k, first[k], want, first)
		}
	}
	if _, ok := first["took"]; !ok {
		t.Errorf("no duration: %v", first)
	}
	for _, secretText := range []string{"SEKRIT", secret, password, "token="} {
		if strings.Contains(p.stderr.String(), secretText) {
			t.Errorf("the log holds %q", secretText)
		}
	}
	p.stop()
	if code := p.exitCode(t); code != exitOK {
		t.Errorf("exit code %d after SIGTERM", code)
	}
}

// --access-log 0 writes no line for answered requests, but still one for
// each 5xx answer; the metrics still count every request by its kind.
func TestAccessLogOffKeeps5xx(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
	p := serveCmd(t, "proxy", "--upstream", up.URL, "--db", filepath.Join(t.TempDir(), "gate.db"),
		"--public", "/", "--access-log", "0", "--log-format", "json", "--metrics-addr", "127.0.0.1:0")
	metricsURL := p.metricsURL(t)
	call(t, "GET", p.base+"a", nil, "Sec-Fetch-Mode", "navigate")
	up.Close()
	call(t, "GET", p.base+"b", nil)
	lines := p.logLines(t, "http")
	if len(lines) != 1 || lines[0]["path"] != "/b" || lines[0]["answer"] != "bad_gateway" {
		t.Errorf("access log lines %v, want the 502 only", lines)
	}
	scrapeMetrics(t, metricsURL,
		`authgate_requests_total{answer="public",kind="navigation"} 1`,
		`authgate_requests_total{answer="bad_gateway",kind="machine"} 1`)
}

// Serving commands set no read or write timeout, which would cut streams,
// and do time out slow headers and idle connections.
func TestServerTimeouts(t *testing.T) {
	var sv serving
	sv.log = sv.flags.newLogger(io.Discard)
	srv := sv.newHTTPServer(http.NotFoundHandler())
	if srv.ReadTimeout != 0 || srv.WriteTimeout != 0 || srv.ReadHeaderTimeout != 10*time.Second || srv.IdleTimeout != 2*time.Minute {
		t.Errorf("read %v, write %v, header %v, idle %v", srv.ReadTimeout, srv.WriteTimeout, srv.ReadHeaderTimeout, srv.IdleTimeout)
	}
}

// newUpstream runs h as the app behind the proxy; closing it twice is fine.
func newUpstream(t *testing.T, h http.HandlerFunc) *httptest.Server {
	up := httptest.NewServer(h)
	t.Cleanup(up.Close)
	return up
}

// The demo notes who is signed in, for its access log, through the same
// layer as the proxy.
func TestDemoAccessLogNamesTheUser(t *testing.T) {
	d := serveCmd(t, "demo", "--db", filepath.Join(t.TempDir(), "demo.db"), "--log-format", "json")
	m := regexp.MustCompile(`(?m)^  Password:\s+(\S+)$`).FindStringSubmatch(d.stdout.String())
	if m == nil {
		t.Fatalf("no password in the output:\n%s", d.stdout)
	}
	form := url.Values{"username": {demoLogin}, "password": {m[1]}}.Encode()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", d.base+"login", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	var cookies []string
	for _, c := range resp.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	if got := call(t, "GET", d.base+"api/notes", nil, "Cookie", strings.Join(cookies, "; "), "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin"); got != 200 {
		t.Fatalf("the notes with the session: %d", got)
	}
	lines := d.logLines(t, "http")
	if len(lines) != 2 {
		t.Fatalf("%d access log lines, want 2: %v", len(lines), lines)
	}
	if l := lines[0]; l["answer"] != answerGate || l["kind"] != "navigation" || l["user"] != nil {
		t.Errorf("the sign-in's line: %v", l)
	}
	if l := lines[1]; l["answer"] != answerSignedIn || l["kind"] != "script" || l["auth"] != "session" || !strings.HasPrefix(fmt.Sprint(l["user"]), "usr_") {
		t.Errorf("the signed-in call's line: %v", l)
	}
	for _, c := range cookies {
		_, value, _ := strings.Cut(c, "=")
		if strings.Contains(d.stderr.String(), value) {
			t.Error("the log holds a cookie's value")
		}
	}
}
