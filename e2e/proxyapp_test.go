package e2e

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/proxy"
)

// needPython skips t, or fails it when AUTHGATE_REQUIRE names "python",
// when python3 is missing; the Python app also needs e2e/node_modules.
func needPython(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		msg := "python3 is not installed (apt-get install python3)"
		if required("python") {
			t.Fatalf("AUTHGATE_REQUIRE names python, but %s", msg)
		}
		t.Skipf("skipping: %s; set AUTHGATE_REQUIRE=python to make this a failure", msg)
	}
	return p
}

// startPython runs the Python app (pyapp/app.py) on a free port and returns
// its base URL; it stops when the test ends.
func startPython(t *testing.T) string {
	t.Helper()
	py := needPython(t)
	needBrowser(t) // the app serves the libraries from node_modules
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, py, filepath.Join("pyapp", "app.py"), "--vendor", nodeModules())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting the Python app: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- s
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case s := <-line:
		port, ok := strings.CutPrefix(strings.TrimSpace(s), "listening on ")
		if !ok {
			t.Fatalf("the Python app said %q", s)
		}
		return "http://127.0.0.1:" + port
	case <-time.After(waitTimeout):
		t.Fatal("the Python app did not start")
		return ""
	}
}

// pyLog is what the Python app received: every request with its headers as
// they arrived, and the notes it stored.
type pyLog struct {
	Requests []struct {
		Method, Path string
		Headers      [][2]string
	}
	Notes []struct{ User, Text string }
}

func readPyLog(t *testing.T, up string) pyLog {
	t.Helper()
	resp, err := http.Get(up + "/_test/log")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l pyLog
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		t.Fatal(err)
	}
	return l
}

// proxied is `authgate proxy` in front of an upstream: a gate with its own
// clock and store, on http://localhost:<port>.
type proxied struct {
	t      *testing.T
	store  *memstore.Store
	gate   *authgate.Gate
	offset atomic.Int64
	base   string
	srv    *httptest.Server
}

// proxyOptions configure newProxied.
type proxyOptions struct {
	signal   authgate.Signal
	mode     authgate.ClientMode
	noScript bool
}

func newProxied(t *testing.T, upstream string, o proxyOptions) *proxied {
	t.Helper()
	p := &proxied{t: t, store: memstore.New()}
	hasher := authgate.Argon2id{Memory: 64, Time: 1}
	hash, err := hasher.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.store.CreateUser(t.Context(), authgate.User{ID: testUserID, Login: testLogin, Name: "Ada Lovelace", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	p.gate, err = authgate.New(authgate.Config{Store: p.store, IdleTimeout: idleTimeout, Signal: o.signal, Hasher: hasher, Logger: log,
		Now: func() time.Time { return time.Now().Add(time.Duration(p.offset.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	up, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	px, err := proxy.New(proxy.Options{Gate: p.gate, Users: p.store, Upstream: up, ClientMode: o.mode, NoScript: o.noScript, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	p.srv = httptest.NewServer(px)
	t.Cleanup(p.srv.Close)
	p.base = "http://localhost:" + port(p.srv)
	return p
}

func (p *proxied) url(path string) string { return p.base + path }

// expire moves the gate's clock past the idle timeout.
func (p *proxied) expire() { p.offset.Add(int64(idleTimeout + time.Minute)) }

// revoke revokes every session of the test user, as `authgate sessions
// revoke --user` does.
func (p *proxied) revoke() {
	if _, err := p.store.RevokeUserSessions(p.t.Context(), testUserID); err != nil {
		p.t.Fatal(err)
	}
}

// wsEcho is a Go upstream for the WebSocket scenario: a page at /ws-page
// and, at /ws, a WebSocket that sends back each text message it gets (RFC
// 6455, just enough of it for short unfragmented text frames).
func wsEcho(t *testing.T) string {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws-page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ws</title></head>
<body><main id="app"><h1>WebSocket</h1></main>
<script>function note(s) { if (window.agNote) agNote(String(s)); } window.agReady = true;</script></body></html>`)
	})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || r.Header.Get("X-Authgate-User") != testLogin {
			http.Error(w, "a WebSocket from the gate, please", http.StatusBadRequest)
			return
		}
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
			base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
		_ = rw.Flush()
		for {
			var hdr [2]byte
			if _, err := io.ReadFull(rw, hdr[:]); err != nil {
				return
			}
			n := int(hdr[1] & 0x7f)
			if n == 126 {
				var ext [2]byte
				if _, err := io.ReadFull(rw, ext[:]); err != nil {
					return
				}
				n = int(binary.BigEndian.Uint16(ext[:]))
			} else if n == 127 || hdr[0]&0x0f == 8 { // too long for this echo, or close
				return
			}
			var mask [4]byte
			if _, err := io.ReadFull(rw, mask[:]); err != nil {
				return
			}
			msg := make([]byte, n)
			if _, err := io.ReadFull(rw, msg); err != nil {
				return
			}
			for i := range msg {
				msg[i] ^= mask[i%4]
			}
			if n > 125 {
				return
			}
			_, _ = rw.Write(append([]byte{0x81, byte(n)}, msg...))
			_ = rw.Flush()
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func httptestServer(t *testing.T) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.NotFoundHandler())
}

// signInAgainSaves signs in again in the dialog that a held Save opened on
// a page of the Python app at up, and checks that the app stored the note
// text exactly once, as the test user, only after the sign-in; that the
// page (stamped stamp when it loaded) did not reload; and that the client
// saw one signal among the notes after before.
func (tb *tab) signInAgainSaves(t *testing.T, up, text, stamp string, before int) {
	t.Helper()
	if n := len(readPyLog(t, up).Notes); n != 0 {
		t.Fatalf("the Python app stored %d notes before sign-in", n)
	}
	tb.typeKeys("typing the password", testPassword+"\r")
	tb.waitNote("saved:200:" + text)
	tb.waitDialogClosed("waiting for the dialog to close")
	notes := readPyLog(t, up).Notes
	if len(notes) != 1 || notes[0].Text != text || notes[0].User != testLogin {
		t.Errorf("the Python app stored %+v; want the note once, as %s", notes, testLogin)
	}
	if got := eval[string](tb, `agStamp`); got != stamp {
		t.Error("the page reloaded")
	}
	if n := countPrefix(tb.Notes()[before:], "signal:"); n != 1 {
		t.Errorf("the client saw %d signals; want 1: %q", n, tb.Notes()[before:])
	}
}
