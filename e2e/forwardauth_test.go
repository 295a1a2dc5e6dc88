package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/proxy"
)

// needTool returns the path of the program name, skipping t when it is
// missing, or failing it when AUTHGATE_REQUIRE names it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		pkg := name
		if name == "nginx" {
			pkg = "nginx-light"
		}
		msg := name + " is not installed (apt-get install " + pkg + ")"
		if required(name) {
			t.Fatalf("AUTHGATE_REQUIRE names %s, but %s", name, msg)
		}
		t.Skipf("skipping: %s; set AUTHGATE_REQUIRE=%s to make this a failure", msg, name)
	}
	return p
}

// downStore is a memstore whose session reads fail while down is set.
type downStore struct {
	*memstore.Store
	down atomic.Bool
}

func (s *downStore) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	if s.down.Load() {
		return authgate.Session{}, errors.New("store down")
	}
	return s.Store.Session(ctx, id)
}

// forwarded is a real reverse proxy asking an in-process forward-auth
// service, with the config `authgate forward-auth config` prints.
type forwarded struct {
	store  *downStore
	gate   *authgate.Gate
	offset atomic.Int64 // added to the gate's clock
	base   string       // the proxy, http://localhost:PORT
	keyID  string
	secret string
}

// The second user of newForwarded's store.
const (
	bobLogin    = "bob"
	bobID       = "u-bob"
	bobPassword = "another long passphrase"
)

// expire moves the gate's clock past the idle timeout.
func (f *forwarded) expire() { f.offset.Add(int64(idleTimeout + time.Minute)) }

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	return p
}

// newForwarded starts the forward-auth service and the proxy called name
// (nginx or caddy) in front of upstream, with the users ada and bob. Each
// option may change the gate's Config.
func newForwarded(t *testing.T, name, upstream string, opts ...func(*authgate.Config)) *forwarded {
	t.Helper()
	bin := needTool(t, name)
	f := &forwarded{store: &downStore{Store: memstore.New()}}
	hasher := authgate.Argon2id{Memory: 64, Time: 1}
	hash, err := hasher.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := f.store.CreateUser(ctx, authgate.User{ID: testUserID, Login: testLogin, Name: "Ada Lovelace", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	bobHash, err := hasher.Hash(bobPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateUser(ctx, authgate.User{ID: bobID, Login: bobLogin, PasswordHash: bobHash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	k, secret, err := authgate.NewAPIKey(testUserID, "curl", time.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	f.keyID, f.secret = k.ID, secret
	log := slog.New(slog.DiscardHandler)
	cfg := authgate.Config{Store: f.store, Hasher: hasher, Logger: log, ClientAddr: proxy.ClientAddr(proxy.Loopback), IdleTimeout: idleTimeout,
		Now: func() time.Time { return time.Now().Add(time.Duration(f.offset.Load())) }}
	for _, o := range opts {
		o(&cfg)
	}
	f.gate, err = authgate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fa, err := proxy.NewForwardAuth(proxy.ForwardAuthOptions{Gate: f.gate, Users: f.store, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	gate := httptest.NewServer(fa)
	t.Cleanup(gate.Close)

	dir := t.TempDir()
	listen := "127.0.0.1:" + freePort(t)
	var conf strings.Builder
	if err := proxy.WriteForwardConfig(&conf, name, proxy.ForwardConfig{Upstream: upstream, Listen: listen, Gate: gate.Listener.Addr().String()}); err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	switch name {
	case "nginx":
		cmd = nginxCmd(t, bin, dir, conf.String())
	case "caddy":
		cmd = caddyCmd(t, bin, dir, conf.String())
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(waitTimeout):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s said:\n%s", name, out.String())
		}
	})
	f.base = "http://localhost:" + strings.TrimPrefix(listen, "127.0.0.1:")
	deadline := time.Now().Add(waitTimeout)
	for {
		c, err := net.Dial("tcp", listen)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("%s exited: %v\n%s", name, err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s:\n%s", name, listen, out.String())
		}
	}
	return f
}

// nginxCmd runs nginx in the foreground, as one process, with the printed
// server block and every file it writes in dir.
func nginxCmd(t *testing.T, bin, dir, server string) *exec.Cmd {
	t.Helper()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // else its worker would run as nobody, who cannot read dir
	}
	main := fmt.Sprintf(`%spid %[2]s/nginx.pid;
error_log stderr warn;
events {}
http {
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/server.conf;
}
`, user, dir)
	write(t, filepath.Join(dir, "server.conf"), server)
	write(t, filepath.Join(dir, "nginx.conf"), main)
	return exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", "stderr", "-g", "daemon off; master_process off;")
}

// caddyCmd runs Caddy with the printed site and no admin endpoint, its
// state in dir.
func caddyCmd(t *testing.T, bin, dir, site string) *exec.Cmd {
	t.Helper()
	write(t, filepath.Join(dir, "Caddyfile"), "{\n\tadmin off\n}\n\n"+site)
	cmd := exec.Command(bin, "run", "--config", filepath.Join(dir, "Caddyfile"), "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	return cmd
}

func write(t *testing.T, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// send makes a request through the proxy without following redirects.
func (f *forwarded) send(t *testing.T, method, path string, header map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Basic" {
			req.SetBasicAuth(f.keyID, f.secret)
			continue
		}
		req.Header[k] = []string{v} // as written: X-Authgate_User stays
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// signIn posts the login form through the proxy and returns the session's
// Cookie header value.
func (f *forwarded) signIn(t *testing.T, returnTo string) (string, *http.Response) {
	t.Helper()
	form := url.Values{"username": {testLogin}, "password": {testPassword}, "return_to": {returnTo}}
	resp, _ := f.send(t, "POST", "/login", map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Origin": f.base,
		"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Accept": "text/html",
	}, form.Encode())
	var parts []string
	for _, c := range resp.Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; "), resp
}

// TestForwardAuthProxies: nginx and Caddy from their packages, with the
// configs `authgate forward-auth config` prints, in front of the Python
// app: each caller gets the gate's answer through them.
func TestForwardAuthProxies(t *testing.T) {
	up := startPython(t)
	for _, name := range []string{"nginx", "caddy"} {
		t.Run(name, func(t *testing.T) {
			f := newForwarded(t, name, up)
			nav := map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none", "Accept": "text/html"}
			script := func(cookie string, extra ...string) map[string]string {
				h := map[string]string{"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin", "Accept": "application/json", "Content-Type": "application/json", "Origin": f.base}
				if cookie != "" {
					h["Cookie"] = cookie
				}
				for i := 0; i+1 < len(extra); i += 2 {
					h[extra[i]] = extra[i+1]
				}
				return h
			}

			t.Run("page load, login, back", func(t *testing.T) {
				page := "/page/fetch?tab=2"
				resp, _ := f.send(t, "GET", page, nav, "")
				if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/login?return_to="+url.QueryEscape(page) {
					t.Fatalf("signed out: %d Location %q", resp.StatusCode, loc)
				}
				resp, body := f.send(t, "GET", "/login?return_to="+url.QueryEscape(page), nav, "")
				if resp.StatusCode != 200 || !strings.Contains(body, `name="password"`) {
					t.Fatalf("the login page through %s: %d", name, resp.StatusCode)
				}
				cookie, resp := f.signIn(t, page)
				if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != page {
					t.Fatalf("sign-in: %d Location %q", resp.StatusCode, loc)
				}
				resp, body = f.send(t, "GET", page, with(nav, "Cookie", cookie), "")
				if resp.StatusCode != 200 || !strings.Contains(body, "Signed in as "+testLogin) {
					t.Fatalf("back on the page: %d, the app does not name %s", resp.StatusCode, testLogin)
				}
			})

			cookie, _ := f.signIn(t, "/")
			t.Run("script call after revocation: the signal, not a redirect", func(t *testing.T) {
				resp, _ := f.send(t, "GET", "/api/data", script(cookie), "")
				if resp.StatusCode != 200 {
					t.Fatalf("signed in: %d", resp.StatusCode)
				}
				f.revokeAll(t)
				resp, body := f.send(t, "POST", "/api/notes", script(cookie), `{"text":"x"}`)
				if resp.StatusCode != 401 || resp.Header.Get("Authgate-Login") == "" || !strings.Contains(body, authgate.ProblemLoginRequired) {
					t.Fatalf("after revocation: %d Authgate-Login %q body %q", resp.StatusCode, resp.Header.Get("Authgate-Login"), body)
				}
				resp, _ = f.send(t, "POST", "/api/notes", script(cookie, "HX-Request", "true"), `{"text":"x"}`)
				if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("HX-Redirect"), "/login") {
					t.Fatalf("htmx: %d HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
				}
			})

			cookie, _ = f.signIn(t, "/")
			t.Run("cross-site POST refused", func(t *testing.T) {
				resp, body := f.send(t, "POST", "/api/notes", script(cookie, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"), `{"text":"x"}`)
				if resp.StatusCode != 403 || !strings.Contains(body, authgate.ProblemCrossOrigin) {
					t.Fatalf("cross-site POST: %d %q", resp.StatusCode, body)
				}
				// A browser that sends no Sec-Fetch-Site: Origin against the
				// Host the browser used, port included.
				h := script(cookie)
				delete(h, "Sec-Fetch-Site")
				resp, body = f.send(t, "POST", "/api/notes", h, `{"text":"by Origin"}`)
				if resp.StatusCode != 200 {
					t.Fatalf("same-origin POST with Origin only: %d %q", resp.StatusCode, body)
				}
			})

			t.Run("API key; identity reaches the app, spoofed copies do not", func(t *testing.T) {
				resp, _ := f.send(t, "GET", "/api/data?spoof="+name, map[string]string{"Basic": "", "X-Authgate-User": "root", "X-Authgate_User": "root", "X-Authgate-Method": "session"}, "")
				if resp.StatusCode != 200 {
					t.Fatalf("with the key: %d", resp.StatusCode)
				}
				resp, body := f.send(t, "GET", "/api/data", nil, "")
				if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
					t.Fatalf("without a key: %d %q %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
				}
				got := lastRequest(t, up, "/api/data?spoof="+name)
				want := map[string]string{"x-authgate-user": testLogin, "x-authgate-user-id": testUserID, "x-authgate-method": "key"}
				for _, h := range got.Headers {
					k := strings.ToLower(h[0])
					switch {
					case want[k] != "":
						if h[1] != want[k] {
							t.Errorf("the app got %s: %q; want %q", h[0], h[1], want[k])
						}
						delete(want, k)
					case strings.HasPrefix(strings.ReplaceAll(k, "_", "-"), "x-authgate-"):
						t.Errorf("the app got %s: %q", h[0], h[1])
					case k == "authorization":
						t.Errorf("the app got the key's Authorization header")
					case k == "host" && h[1] != strings.TrimPrefix(f.base, "http://"):
						t.Errorf("the app got Host: %q; the browser sent %q", h[1], strings.TrimPrefix(f.base, "http://"))
					}
				}
				if len(want) > 0 {
					t.Errorf("the app did not get %v", want)
				}
			})

			t.Run("the gate's cookies", func(t *testing.T) {
				var session string // without the companion cookie
				for _, c := range strings.Split(cookie, "; ") {
					if !strings.HasPrefix(c, authgate.CompanionCookie+"=") {
						session = c
					}
				}
				resp, _ := f.send(t, "GET", "/api/data?cookies="+name, script("theme=dark; "+session+"; lang=en"), "")
				if resp.StatusCode != 200 {
					t.Fatalf("signed in: %d", resp.StatusCode)
				}
				// nginx passes the check's Set-Cookie on; Caddy cannot.
				renewed := false
				for _, c := range resp.Cookies() {
					renewed = renewed || c.Name == authgate.CompanionCookie
				}
				if want := name == "nginx"; renewed != want {
					t.Errorf("the companion cookie reached the browser: %v; the docs say %v", renewed, want)
				}
				var got string
				for _, h := range lastRequest(t, up, "/api/data?cookies="+name).Headers {
					if strings.EqualFold(h[0], "Cookie") {
						got = h[1]
					}
				}
				// Caddy removes the gate's cookies; nginx cannot.
				want := "theme=dark; " + session + "; lang=en"
				if name == "caddy" {
					want = "theme=dark; lang=en"
				}
				if got != want {
					t.Errorf("the app got Cookie: %q; want %q", got, want)
				}
			})

			t.Run("the gate's 503 reaches the browser", func(t *testing.T) {
				f.store.down.Store(true)
				defer f.store.down.Store(false)
				resp, body := f.send(t, "GET", "/page/fetch", with(nav, "Cookie", cookie), "")
				if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, authgate.ProblemUnavailable) {
					t.Fatalf("store down: %d Retry-After %q body %q", resp.StatusCode, resp.Header.Get("Retry-After"), body)
				}
			})
		})
	}
}

// revokeAll revokes every session of the test user.
func (f *forwarded) revokeAll(t *testing.T) {
	t.Helper()
	if _, err := f.store.RevokeUserSessions(t.Context(), testUserID); err != nil {
		t.Fatal(err)
	}
}

// with returns h with the pairs kv added.
func with(h map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range h {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// lastRequest returns the last request the Python app got for path.
func lastRequest(t *testing.T, up, path string) struct {
	Method, Path string
	Headers      [][2]string
} {
	t.Helper()
	l := readPyLog(t, up)
	for i := len(l.Requests) - 1; i >= 0; i-- {
		if l.Requests[i].Path == path {
			return l.Requests[i]
		}
	}
	t.Fatalf("the app never got %s", path)
	return l.Requests[0]
}
