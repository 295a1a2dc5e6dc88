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
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// The test user.
const (
	testLogin    = "ada"
	testPassword = "correct horse battery staple"
	testUserID   = "u-ada"
)

// idleTimeout is the test gate's idle timeout; expire moves the clock past it.
const idleTimeout = 30 * time.Minute

// appOptions configure a test app.
type appOptions struct {
	signal   authgate.Signal // default Signal401
	lifetime time.Duration   // default the gate's
	idle     time.Duration   // default idleTimeout
	tls      bool            // serve https://localhost:<port>, with httptest's certificate
	insecure bool            // Config.InsecureCookies
	// providers are the gate's identity providers (Config.Providers), and
	// noPassword turns the password form off (Config.NoPasswordSignIn).
	providers  []authgate.Provider
	noPassword bool
}

// testApp is a gate in front of small test pages and APIs, on
// http://localhost:<port>, plus a second origin on another port for
// cross-origin and cross-site requests.
type testApp struct {
	t      *testing.T
	gate   *authgate.Gate
	store  *flakyStore
	offset atomic.Int64 // added to the real time: the gate's clock
	srv    *httptest.Server
	base   string // http://localhost:<port>
	other  *httptest.Server
	// otherSite is the second origin as another site (127.0.0.1), and
	// otherOrigin the same server as the same site on another port
	// (localhost): cookies do not care about ports, Fetch Metadata does.
	otherSite, otherOrigin string

	handlerRuns atomic.Int32  // protected handlers that ran
	loginGets   atomic.Int32  // GET requests for the login page
	release     chan struct{} // closed to let /open/stream and /open/hang end
	held        chan struct{} // gets a value when /open/hang holds a request
	notes       noteBook      // what POST /api/notes stored
	noteCalls   atomic.Int32  // requests for POST /api/notes
	fakeSignals atomic.Int32  // POST /api/notes answers this many with a login signal of its own
	stolen      atomic.Int32  // requests that reached the second origin's /steal
	echoes      echoBook      // the headers of requests for /open/echo
}

// flakyStore is a memstore whose session lookups fail while down is set, to
// stand for a store outage.
type flakyStore struct {
	*memstore.Store
	down atomic.Bool
}

var errStoreDown = errors.New("the test store is down")

// Session fails while the store is down.
func (s *flakyStore) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	if s.down.Load() {
		return authgate.Session{}, errStoreDown
	}
	return s.Store.Session(ctx, id)
}

// newUserStore returns a memstore holding one user: testUserID, who signs
// in as testLogin with testPassword and is called name.
func newUserStore(t *testing.T, name string) *memstore.Store {
	t.Helper()
	store := memstore.New()
	testkit.AddUser(t, store, authgate.User{ID: testUserID, Login: testLogin, Name: name, CreatedAt: time.Now()}, testPassword)
	return store
}

// newApp starts a test app with one user and stops it when the test ends.
func newApp(t *testing.T, opts appOptions) *testApp {
	t.Helper()
	a := &testApp{t: t, store: &flakyStore{Store: newUserStore(t, "Ada Lovelace")}, release: make(chan struct{}), held: make(chan struct{}, 8)}
	var err error
	if opts.idle == 0 {
		opts.idle = idleTimeout
	}
	a.gate, err = authgate.New(authgate.Config{
		Store:            a.store,
		IdleTimeout:      opts.idle,
		Signal:           opts.signal,
		Lifetime:         opts.lifetime,
		Hasher:           testkit.Hasher,
		Logger:           slog.New(slog.DiscardHandler),
		Now:              a.now,
		Providers:        opts.providers,
		NoPasswordSignIn: opts.noPassword,
		InsecureCookies:  opts.insecure,
	})
	if err != nil {
		t.Fatal(err)
	}
	if opts.tls {
		a.srv = httptest.NewTLSServer(a.routes())
		a.base = "https://localhost:" + port(a.srv)
	} else {
		a.srv = httptest.NewServer(a.routes())
		a.base = "http://localhost:" + port(a.srv)
	}
	a.other = httptest.NewServer(a.otherRoutes())
	a.otherSite = "http://127.0.0.1:" + port(a.other)
	a.otherOrigin = "http://localhost:" + port(a.other)
	t.Cleanup(func() {
		a.unblock()
		a.other.Close()
		a.srv.Close()
	})
	return a
}

func port(s *httptest.Server) string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

// now is the gate's clock: the real time plus the offset.
func (a *testApp) now() time.Time { return time.Now().Add(time.Duration(a.offset.Load())) }

// expire ends every session by idleness: it moves the clock past the idle
// timeout.
func (a *testApp) expire() { a.offset.Add(int64(idleTimeout + time.Minute)) }

// unblock lets the held responses of /open/stream and /open/hang end.
func (a *testApp) unblock() {
	select {
	case <-a.release:
	default:
		close(a.release)
	}
}

// url returns the app's URL for path.
func (a *testApp) url(path string) string { return a.base + path }

func (a *testApp) routes() http.Handler {
	mux := http.NewServeMux()
	login := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			a.loginGets.Add(1)
		}
		a.gate.ServeHTTP(w, r)
	})
	mux.Handle("/login", login)
	mux.Handle("/logout", a.gate)
	mux.Handle("/.authgate/", a.gate)
	mux.HandleFunc("GET /vendor/{file}", a.vendor)

	protect := func(h http.HandlerFunc) http.Handler {
		return a.gate.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.handlerRuns.Add(1)
			h(w, r)
		}))
	}
	mux.Handle("GET /{$}", protect(a.servePage))
	mux.Handle("GET /app/{lib}", protect(a.servePage))
	mux.Handle("/api/data", protect(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	mux.Handle("GET /api/fragment", protect(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<p id="fragment">fresh fragment</p>`)
	}))
	mux.Handle("GET /dlg/{lib}", protect(a.serveDialogPage))
	mux.Handle("POST /api/notes", a.countNotes(protect(a.saveNote)))
	mux.Handle("POST /notes", protect(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/app/form?saved=1", http.StatusSeeOther)
	}))

	// Unprotected answers that the client script must leave alone.
	mux.HandleFunc("GET /open/other401", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"the app's own 401"}`)
	})
	mux.HandleFunc("GET /open/signal", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Authgate-Login", r.URL.Query().Get("reason"))
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("GET /open/basic", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Www-Authenticate", `Basic realm="control"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	mux.HandleFunc("/open/echo", a.echo)
	mux.HandleFunc("GET /open/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "first\n")
		http.NewResponseController(w).Flush()
		select {
		case <-a.release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "second\n")
	})
	mux.HandleFunc("GET /open/hang", func(w http.ResponseWriter, r *http.Request) {
		// No headers before the release: a fetch resolves on its headers,
		// and one aborted after them would resolve, not reject, as the
		// browser happened to read them first or not.
		select {
		case a.held <- struct{}{}:
		default:
		}
		select {
		case <-a.release:
		case <-r.Context().Done():
		}
	})
	return mux
}

// otherRoutes serve the second origin: a page that posts a form to the app,
// and an API that sends the login signal's header with CORS.
func (a *testApp) otherRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /attack", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, `<!doctype html><html lang="en"><title>elsewhere</title>
<form id="attack" method="post" action="%s/notes"><input name="text" value="planted"><button id="send">Send</button></form>`, a.base)
	})
	mux.HandleFunc("/steal", func(w http.ResponseWriter, r *http.Request) {
		a.stolen.Add(1)
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", a.base)
		h.Set("Access-Control-Allow-Headers", "Content-Type")
		_, _ = io.WriteString(w, `{"user_id":"`+testUserID+`"}`)
	})
	mux.HandleFunc("GET /cors-signal", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", a.base)
		h.Set("Access-Control-Expose-Headers", "Authgate-Login")
		h.Set("Authgate-Login", "expired")
		w.WriteHeader(http.StatusUnauthorized)
	})
	return mux
}

// vendor serves the browser libraries from node_modules.
func (a *testApp) vendor(w http.ResponseWriter, r *http.Request) {
	rel, ok := vendorFile(r.PathValue("file"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	http.ServeFile(w, r, filepath.Join(nodeModules(), filepath.FromSlash(rel)))
}

// vendorFile maps a /vendor/ name to its file under node_modules.
func vendorFile(name string) (string, bool) {
	switch name {
	case "jquery3.js":
		return "jquery/dist/jquery.js", true
	case "jquery4.js":
		return "jquery4/dist/jquery.js", true
	case "axios.js":
		return "axios/dist/axios.js", true
	case "htmx2.js":
		return "htmx.org/dist/htmx.js", true
	case "htmx4.js":
		return "htmx4/dist/htmx.js", true
	case "axe.js":
		return "axe-core/axe.min.js", true
	}
	return "", false
}

// machineGet fetches path like a machine client: no cookie, no browser
// headers.
func (a *testApp) machineGet(path string) *http.Response {
	a.t.Helper()
	req, err := http.NewRequestWithContext(a.t.Context(), http.MethodGet, a.url(path), nil)
	if err != nil {
		a.t.Fatal(err)
	}
	res, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
