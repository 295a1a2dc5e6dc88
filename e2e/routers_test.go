package e2e

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"
)

// The routers below wrap every route in gate.Require with r.Use, as their
// users do, and mount the gate's endpoints on the same router. The gate must
// answer its own endpoints, so the login page is reachable and nothing
// loops; and nothing else may pass unprotected.

// routerApp is what each router serves besides the gate.
type routerApp struct {
	gate      *authgate.Gate
	adminRuns atomic.Int32
}

// notes is a page that loads the client script.
func (a *routerApp) notes(w http.ResponseWriter, r *http.Request) {
	id, _ := authgate.FromContext(r.Context())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><title>Notes</title>%s<p id=\"app\">notes of %s</p>",
		a.gate.ScriptTag(r, authgate.ClientOptions{}), html.EscapeString(id.UserName))
}

func (a *routerApp) admin(w http.ResponseWriter, r *http.Request) {
	if _, ok := authgate.FromContext(r.Context()); !ok {
		a.adminRuns.Add(1)
	}
	fmt.Fprint(w, "admin")
}

var routers = []struct {
	name  string
	build func(*authgate.Gate, *routerApp) http.Handler
}{
	{"chi", func(gate *authgate.Gate, a *routerApp) http.Handler {
		r := chi.NewRouter()
		r.Use(gate.Require)
		r.Handle("/login", gate)
		r.Handle("/logout", gate)
		r.Handle("/.authgate/*", gate)
		r.Get("/notes", a.notes)
		r.Get("/admin", a.admin)
		return r
	}},
	{"chi, the gate's endpoints not mounted", func(gate *authgate.Gate, a *routerApp) http.Handler {
		r := chi.NewRouter()
		r.Use(gate.Require)
		r.Get("/notes", a.notes)
		r.Get("/admin", a.admin)
		return r
	}},
	{"gorilla/mux", func(gate *authgate.Gate, a *routerApp) http.Handler {
		r := mux.NewRouter()
		r.Use(gate.Require)
		r.Handle("/login", gate)
		r.Handle("/logout", gate)
		r.PathPrefix("/.authgate/").Handler(gate)
		r.HandleFunc("/notes", a.notes).Methods("GET")
		r.HandleFunc("/admin", a.admin).Methods("GET")
		return r
	}},
}

// routerBrowser sends requests with the headers a browser gives a page load
// (navigate), a script call (cors) or a script tag (no-cors), and follows
// redirects with a cookie jar, as a browser does.
type routerBrowser struct {
	t      *testing.T
	client *http.Client
	base   string
}

func (b *routerBrowser) do(method, path, mode string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(b.t.Context(), method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.base)
	}
	req.Header.Set("Sec-Fetch-Mode", mode)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err) // a redirect loop ends here
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, string(data)
}

func TestRoutersWithRequireOnEveryRoute(t *testing.T) {
	for _, rt := range routers {
		t.Run(rt.name, func(t *testing.T) {
			store := memstore.New()
			hasher := authgate.Argon2id{Memory: 64, Time: 1}
			gate, err := authgate.New(authgate.Config{Store: store, Hasher: hasher, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			hash, err := hasher.Hash(testPassword)
			if err != nil {
				t.Fatal(err)
			}
			err = store.CreateUser(context.Background(), authgate.User{ID: testUserID, Login: testLogin, Name: "Ada", PasswordHash: hash, CreatedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			app := &routerApp{gate: gate}
			srv := httptest.NewTLSServer(rt.build(gate, app))
			t.Cleanup(srv.Close)
			jar, err := cookiejar.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			client := srv.Client()
			client.Jar = jar
			b := &routerBrowser{t: t, client: client, base: srv.URL}

			// A page load goes to the login page, which loads: no loop.
			res, body := b.do("GET", "/notes", "navigate", nil)
			if res.StatusCode != 200 || res.Request.URL.RequestURI() != "/login?return_to=%2Fnotes" || !strings.Contains(body, `name="password"`) {
				t.Fatalf("GET /notes signed out ended at %s with %d, want the login page:\n%s", res.Request.URL, res.StatusCode, body)
			}

			// The client script loads without a session.
			tag := string(gate.ScriptTag(res.Request, authgate.ClientOptions{}))
			_, src, _ := strings.Cut(tag, ` src="`)
			src, _, _ = strings.Cut(src, `"`)
			for _, p := range []string{src, "/.authgate/client.js"} {
				res, body = b.do("GET", p, "no-cors", nil)
				if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") || len(body) < 1000 {
					t.Errorf("GET %s signed out: %d %s, want the script", p, res.StatusCode, res.Header.Get("Content-Type"))
				}
			}

			// A path under the gate's prefix that a router would clean
			// stays protected.
			for _, p := range []string{"/.authgate/../admin", "/.authgate/%2e%2e/admin", "/login/../admin"} {
				res, _ = b.do("GET", p, "navigate", nil)
				if res.Request.URL.Path != "/login" {
					t.Errorf("GET %s signed out ended at %s (%d), want the login page", p, res.Request.URL, res.StatusCode)
				}
			}
			if n := app.adminRuns.Load(); n != 0 {
				t.Errorf("the admin handler ran %d times without a sign-in", n)
			}

			// Signing in lands on the page asked for.
			res, body = b.do("POST", "/login", "navigate", url.Values{"username": {testLogin}, "password": {testPassword}, "return_to": {"/notes"}})
			if res.StatusCode != 200 || res.Request.URL.Path != "/notes" || !strings.Contains(body, `<p id="app">notes of Ada</p>`) {
				t.Fatalf("signing in ended at %s with %d %q, want /notes", res.Request.URL, res.StatusCode, body)
			}

			// The keepalive answers the signed-in script.
			if res, _ = b.do("POST", "/.authgate/keepalive", "cors", nil); res.StatusCode != http.StatusNoContent {
				t.Errorf("POST /.authgate/keepalive signed in: %d, want 204", res.StatusCode)
			}

			// Signing out lands on the login page, which says so.
			res, body = b.do("POST", "/logout", "navigate", url.Values{})
			if res.StatusCode != 200 || res.Request.URL.RequestURI() != "/login?signed_out=1" || !strings.Contains(body, "You have signed out.") {
				t.Errorf("signing out ended at %s with %d, want the login page saying so:\n%s", res.Request.URL, res.StatusCode, body)
			}
			if res, _ = b.do("POST", "/.authgate/keepalive", "cors", nil); res.StatusCode != http.StatusUnauthorized || res.Header.Get("Authgate-Login") == "" {
				t.Errorf("POST /.authgate/keepalive signed out: %d, want the login signal", res.StatusCode)
			}
		})
	}
}

// TestRoutersInChromium: in Chromium, a page behind a router with
// r.Use(gate.Require) goes to the login page and back, and its client
// script loads.
func TestRoutersInChromium(t *testing.T) {
	for _, rt := range routers {
		t.Run(rt.name, func(t *testing.T) {
			tb := newTab(t)
			store := memstore.New()
			hasher := authgate.Argon2id{Memory: 64, Time: 1}
			gate, err := authgate.New(authgate.Config{Store: store, Hasher: hasher, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			hash, err := hasher.Hash(testPassword)
			if err != nil {
				t.Fatal(err)
			}
			err = store.CreateUser(context.Background(), authgate.User{ID: testUserID, Login: testLogin, Name: "Ada", PasswordHash: hash, CreatedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(rt.build(gate, &routerApp{gate: gate}))
			t.Cleanup(srv.Close)
			base := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)

			if got := tb.open(base + "/notes"); got != "/notes" {
				t.Fatalf("signing in from /notes came back to %s", got)
			}
			tb.poll("waiting for the client script to load",
				`performance.getEntriesByType("resource").some(e => e.name.includes("/.authgate/client.") && e.responseStatus === 200)`)
		})
	}
}
