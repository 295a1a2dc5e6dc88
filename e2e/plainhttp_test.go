package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
	"github.com/chromedp/chromedp"
)

// plainHTTPHost is what the browser resolves to 127.0.0.1 (see
// browser.start): a name other than localhost, so that Chromium treats
// http:// on it as an insecure origin and drops Secure cookies there.
const plainHTTPHost = "devbox.test"

// logRecorder keeps what a gate logs.
type logRecorder struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logRecorder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logRecorder) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), s)
}

// TestPlainHTTPByNameInChromium: over plain http by a name other than
// localhost, Chromium drops the gate's Secure session cookie. The login page
// says so before and after the sign-in that cannot stick, and the server
// logs it once. With InsecureCookies the same sign-in works.
func TestPlainHTTPByNameInChromium(t *testing.T) {
	for _, insecure := range []bool{false, true} {
		t.Run(fmt.Sprintf("InsecureCookies=%v", insecure), func(t *testing.T) {
			tb := newTab(t)
			logs := &logRecorder{}
			store := memstore.New()
			hasher := authgate.Argon2id{Memory: 64, Time: 1}
			gate, err := authgate.New(authgate.Config{
				Store: store, Hasher: hasher, InsecureCookies: insecure,
				Logger: slog.New(slog.NewTextHandler(logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			hash, err := hasher.Hash(testPassword)
			if err != nil {
				t.Fatal(err)
			}
			if err := store.CreateUser(context.Background(), authgate.User{ID: testUserID, Login: testLogin, Name: "Ada", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			var notesRuns atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("/notes", func(w http.ResponseWriter, r *http.Request) {
				notesRuns.Add(1)
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, `<!doctype html><title>Notes</title><p id="app">notes</p>`)
			})
			srv := httptest.NewServer(gate.Require(mux))
			t.Cleanup(srv.Close)
			_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			base := "http://" + plainHTTPHost + ":" + port

			warning := `(document.getElementById("authgate-plain-http") || {textContent: ""}).textContent`
			tb.do("opening "+base+"/notes", chromedp.Navigate(base+"/notes"))
			tb.waitLogin()
			if got := eval[string](tb, warning); insecure == strings.Contains(got, "plain http") {
				t.Fatalf("the login page's plain-http warning is %q", got)
			}

			tb.run(`window.agBeforeSignIn = true`)
			tb.signIn()
			if insecure {
				tb.waitApp()
				if n := logs.count("drops the Secure session cookie"); n != 0 {
					t.Errorf("the server logged the plain-http problem %d times with InsecureCookies", n)
				}
				return
			}
			// The browser dropped the cookie: back on a new login page,
			// which says why.
			tb.poll("waiting for the login page after signing in",
				`!window.agBeforeSignIn && location.pathname === "/login" && !!document.getElementById("authgate-password")`)
			if got := eval[string](tb, warning); !strings.Contains(got, "plain http") || !strings.Contains(got, "https") {
				t.Errorf("after a sign-in that could not stick, the login page says %q", got)
			}
			if n := logs.count("authgate: signed in"); n != 1 {
				t.Errorf("the server logged %d sign-ins, want 1", n)
			}
			if n := notesRuns.Load(); n != 0 {
				t.Errorf("the notes page ran %d times, but the browser should have kept no session", n)
			}
			if n := logs.count("drops the Secure session cookie"); n != 1 {
				t.Errorf("the server logged the plain-http problem %d times for two login pages, want once", n)
			}
		})
	}
}
