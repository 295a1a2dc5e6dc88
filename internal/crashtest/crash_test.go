package crashtest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/sqlitestore"
)

// startTimeout bounds how long a child may take to print its welcome: the
// first run hashes the demo user's password with OWASP's argon2id
// parameters, which is slow under -race on a busy machine.
const startTimeout = 2 * time.Minute

// envInt reads a positive integer setting from the environment.
func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q is not a positive number", name, v)
	}
	return n
}

// TestCrashRecovery runs the demo under load, kills it with SIGKILL in the
// middle of sign-ins, sign-outs and note writes, and restarts it on the
// same database, several times; after each restart every answered sign-in
// is still a valid session, every answered sign-out still refuses its
// token, and the file passes the integrity check. The last server is
// stopped gracefully and the file checked once more.
func TestCrashRecovery(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs SIGKILL and a child process")
	}
	cycles := envInt(t, "AUTHGATE_CRASH_CYCLES", 2)
	perCycle := envInt(t, "AUTHGATE_CRASH_SIGNINS", 12)
	built := time.Now()
	bin := buildCommand(t)
	t.Logf("built the command (race %v) in %v", raceBuild, time.Since(built).Round(time.Millisecond))
	db := filepath.Join(t.TempDir(), "authgate.db")

	srv := startDemo(t, bin, db)
	if srv.password == "" {
		t.Fatal("the first run printed no password for the demo user")
	}
	password := srv.password
	var live, ended []string // tokens answered as signed in, and as signed out
	for cycle := 1; cycle <= cycles; cycle++ {
		l := &load{base: srv.base, password: password}
		l.start(4)
		deadline := time.Now().Add(startTimeout)
		for l.signIns() < perCycle && l.failure() == nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if err := l.failure(); err != nil {
			srv.kill(t)
			l.stop()
			t.Fatalf("cycle %d: the load failed before the kill: %v\n%s", cycle, err, srv.stderr.String())
		}
		if l.signIns() < perCycle {
			srv.kill(t)
			l.stop()
			t.Fatalf("cycle %d: only %d sign-ins answered before the deadline", cycle, l.signIns())
		}
		l.killing.Store(true)
		srv.kill(t) // the load is still running: requests are in flight
		l.stop()
		newLive, newEnded, signIns, notes := l.results()
		live = append(live, newLive...)
		ended = append(ended, newEnded...)
		t.Logf("cycle %d: killed after %d answered sign-ins (%d still signed in, %d signed out), %d notes written, %d requests cut by the kill",
			cycle, signIns, len(newLive), len(newEnded), notes, l.cut.Load())
		srv.checkLog(t, password, live, ended)

		srv = startDemo(t, bin, db)
		if srv.password != "" {
			t.Fatal("the restart made a new demo user: the first run's user was lost")
		}
		checkIntegrity(t, db)
		for i, tok := range live {
			code, body := get(srv.base+"api/notes", tok)
			if code != http.StatusOK || !strings.HasPrefix(body, `{"notes":`) {
				t.Fatalf("cycle %d: session %d of %d, answered before the kill, now gets %d %q", cycle, i+1, len(live), code, body)
			}
		}
		for i, tok := range ended {
			if code, _ := get(srv.base+"api/notes", tok); code != http.StatusUnauthorized {
				t.Fatalf("cycle %d: signed-out session %d of %d is back after the restart: %d", cycle, i+1, len(ended), code)
			}
		}
		t.Logf("cycle %d: after the restart all %d sessions are valid, all %d sign-outs hold, integrity ok", cycle, len(live), len(ended))
	}
	srv.stop(t)
	srv.checkLog(t, password, live, ended)
	checkIntegrity(t, db)
}

// buildCommand builds ./cmd/authgate into a temporary directory.
func buildCommand(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "authgate")
	args := []string{"build", "-o", bin}
	if raceBuild {
		args = append(args, "-race")
	}
	args = append(args, "github.com/authgate/authgate/cmd/authgate")
	if out, err := exec.Command(goTool, args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// demo is a running `authgate demo` child process.
type demo struct {
	cmd      *exec.Cmd
	base     string // http://127.0.0.1:PORT/
	password string // the demo user's password, printed on the first run only
	stderr   *testkit.Buffer
	exited   chan struct{}
	waitErr  error
}

// startDemo starts the demo on db at a free loopback port and reads its
// welcome for the address and, on the first run, the password.
func startDemo(t *testing.T, bin, db string) *demo {
	t.Helper()
	d := &demo{stderr: &testkit.Buffer{}, exited: make(chan struct{})}
	// No session cap: every sign-in of the one demo user must stay valid.
	d.cmd = exec.Command(bin, "demo", "--db", db, "--addr", "127.0.0.1:0", "--max-user-sessions", "-1")
	d.cmd.Stderr = d.stderr
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.kill(t) })
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		d.waitErr = d.cmd.Wait()
		close(d.exited)
	}()
	timeout := time.NewTimer(startTimeout)
	defer timeout.Stop()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the demo ended before it was ready:\n%s", d.stderr.String())
			}
			if u, ok := strings.CutPrefix(line, "authgate demo is running at "); ok {
				d.base = strings.TrimSpace(u)
			}
			if pw, ok := strings.CutPrefix(strings.TrimSpace(line), "Password:"); ok {
				d.password = strings.TrimSpace(pw)
			}
			if strings.HasPrefix(line, "Press Ctrl+C to stop.") {
				if !strings.HasPrefix(d.base, "http://127.0.0.1:") {
					t.Fatalf("the demo printed no address: %q", d.base)
				}
				go func() { // keep draining, so the child never blocks on stdout
					for range lines {
					}
				}()
				return d
			}
		case <-timeout.C:
			t.Fatalf("the demo did not print its welcome within %v:\n%s", startTimeout, d.stderr.String())
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (d *demo) kill(t *testing.T) {
	select {
	case <-d.exited:
		return
	default:
	}
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SIGKILL: %v", err)
	}
	<-d.exited
}

// stop sends SIGINT and checks that the demo shuts down cleanly.
func (d *demo) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	select {
	case <-d.exited:
	case <-timeout.C:
		d.kill(t)
		t.Fatal("the demo did not stop within a minute of SIGINT")
	}
	if d.waitErr != nil {
		t.Fatalf("the demo stopped with %v:\n%s", d.waitErr, d.stderr.String())
	}
}

// checkLog checks the child's log: no data race was reported, and no
// token or password appears in it.
func (d *demo) checkLog(t *testing.T, password string, tokens ...[]string) {
	t.Helper()
	log := d.stderr.String()
	if strings.Contains(log, "DATA RACE") {
		t.Fatalf("the demo reported a data race:\n%s", log)
	}
	if strings.Contains(log, password) {
		t.Fatal("the demo's log holds the demo user's password")
	}
	for _, list := range tokens {
		for _, tok := range list {
			if strings.Contains(log, tok) {
				t.Fatal("the demo's log holds a session token")
			}
		}
	}
}

// checkIntegrity opens the database beside the running demo (or after it)
// and runs SQLite's integrity check over it.
func checkIntegrity(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, db)
	if err != nil {
		t.Fatalf("opening the database after the crash: %v", err)
	}
	defer st.Close()
	if err := st.Check(ctx); err != nil {
		t.Fatalf("integrity check: %v", err)
	}
}

// get makes a GET as a plain client with the session token tok.
func get(url, tok string) (int, string) {
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err.Error()
	}
	r.Header.Set("Cookie", "__Host-authgate="+tok)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// load is the steady work the demo gets while it is killed: each worker
// signs in, reads and writes notes with the new session, and now and then
// signs out, over and over.
type load struct {
	base, password string
	client         *http.Client
	killing        atomic.Bool // from now on, failed requests are the kill's
	stopping       atomic.Bool
	wg             sync.WaitGroup
	cut            atomic.Int64 // requests that failed because of the kill

	mu       sync.Mutex
	live     []string // answered sign-ins not (yet) answered as signed out
	ended    []string // answered sign-outs
	notes    int      // answered note writes
	answered int      // answered sign-ins
	firstErr error
}

func (l *load) start(workers int) {
	l.client = &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: workers},
		Timeout:   time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.work(w)
		}()
	}
}

func (l *load) stop() {
	l.stopping.Store(true)
	l.wg.Wait()
	l.client.CloseIdleConnections()
}

func (l *load) signIns() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.answered
}

func (l *load) failure() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.firstErr
}

func (l *load) results() (live, ended []string, signIns, notes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.live, l.ended, l.answered, l.notes
}

// fail records an error, unless the demo is being killed: then requests
// are expected to fail, and are counted.
func (l *load) fail(err error) {
	if l.killing.Load() {
		l.cut.Add(1)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.firstErr == nil {
		l.firstErr = err
	}
}

// do sends one same-origin script request and returns the status, the
// body and the session cookie it set, if any.
func (l *load) do(method, path, tok, contentType, body string) (int, string, string, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, l.base+path, rd)
	if err != nil {
		return 0, "", "", err
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	r.Header.Set("Sec-Fetch-Mode", "cors")
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if tok != "" {
		r.Header.Set("Cookie", "__Host-authgate="+tok)
	}
	res, err := l.client.Do(r)
	if err != nil {
		return 0, "", "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, "", "", err
	}
	set := ""
	for _, c := range res.Cookies() {
		if c.Name == "__Host-authgate" {
			set = c.Value
		}
	}
	return res.StatusCode, string(b), set, nil
}

// expect sends a request as do does and reports whether it was answered
// with want; when not, it records why with fail.
func (l *load) expect(what string, want int, method, path, tok, contentType, body string) bool {
	code, answer, _, err := l.do(method, path, tok, contentType, body)
	if err != nil {
		l.fail(err)
		return false
	}
	if code != want {
		l.fail(fmt.Errorf("%s answered %d %q", what, code, answer))
		return false
	}
	return true
}

func (l *load) work(w int) {
	creds, _ := json.Marshal(map[string]string{"username": "demo", "password": l.password})
	for n := 0; !l.stopping.Load(); n++ {
		code, body, tok, err := l.do(http.MethodPost, "login", "", "application/json", string(creds))
		if err != nil {
			l.fail(err)
			return
		}
		if code == http.StatusServiceUnavailable && strings.Contains(body, authgate.ProblemBusy) {
			// Every hash was busy for longer than the gate lets a sign-in
			// wait (a slow machine): the answer a client retries.
			n--
			continue
		}
		if code != http.StatusOK || tok == "" {
			l.fail(fmt.Errorf("sign-in answered %d %q", code, body))
			return
		}
		l.mu.Lock()
		l.live = append(l.live, tok)
		l.answered++
		l.mu.Unlock()
		for i := range 3 {
			note, _ := json.Marshal(map[string]string{"text": fmt.Sprintf("worker %d note %d.%d", w, n, i)})
			if !l.expect("adding a note", http.StatusCreated, http.MethodPost, "api/notes", tok, "application/json", string(note)) {
				return
			}
			l.mu.Lock()
			l.notes++
			l.mu.Unlock()
			if !l.expect("listing notes", http.StatusOK, http.MethodGet, "api/notes", tok, "", "") {
				return
			}
		}
		if n%3 == 2 {
			// From here until the answer the session may or may not be
			// revoked; it is checked neither way.
			l.mu.Lock()
			for i, t := range l.live {
				if t == tok {
					l.live = append(l.live[:i], l.live[i+1:]...)
					break
				}
			}
			l.mu.Unlock()
			if !l.expect("sign-out", http.StatusNoContent, http.MethodPost, "logout", tok, "", "") {
				return
			}
			l.mu.Lock()
			l.ended = append(l.ended, tok)
			l.mu.Unlock()
		}
	}
}
