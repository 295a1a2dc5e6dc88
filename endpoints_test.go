package authgate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// wrappedApp is an app whose whole mux is wrapped in a gate's middleware,
// as a router's r.Use(gate.Require) does. The mux does not mount the gate's
// endpoints: whatever answers them must be the gate itself.
type wrappedApp struct {
	gate    *authgate.Gate
	handler http.Handler
	runs    atomic.Int32 // the app's handler ran
	cookie  string       // a signed-in session's Cookie header
}

func newWrappedApp(t *testing.T, wrap func(*authgate.Gate) func(http.Handler) http.Handler) *wrappedApp {
	t.Helper()
	store := memstore.New()
	gate, err := authgate.New(authgate.Config{Store: store, Hasher: authgate.Argon2id{Memory: 64, Time: 1}})
	if err != nil {
		t.Fatal(err)
	}
	a := &wrappedApp{gate: gate}
	app := http.NewServeMux()
	app.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.runs.Add(1)
		_, _ = w.Write([]byte("the app"))
	})
	a.handler = wrap(gate)(app)

	u := authgate.User{ID: "u1", Login: "ada", Name: "Ada", CreatedAt: time.Now()}
	if err := store.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	if _, err := gate.SignIn(context.Background(), rec, httptest.NewRequest("POST", "https://app.test/login", nil), u); err != nil {
		t.Fatal(err)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Value != "" {
			a.cookie += c.Name + "=" + c.Value + "; "
		}
	}
	return a
}

// do sends a request as a browser on https://app.test would: a page load
// for GET, a same-origin script call otherwise.
func (a *wrappedApp) do(method, target string, signedIn bool, dest string) *http.Response {
	r := httptest.NewRequest(method, "https://app.test"+target, nil)
	r.RequestURI = target
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	switch dest {
	case "document":
		r.Header.Set("Sec-Fetch-Mode", "navigate")
	case "script":
		r.Header.Set("Sec-Fetch-Mode", "no-cors")
	default:
		r.Header.Set("Sec-Fetch-Mode", "cors")
	}
	r.Header.Set("Sec-Fetch-Dest", dest)
	if signedIn {
		r.Header.Set("Cookie", a.cookie)
	}
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, r)
	return rec.Result()
}

// hashedScriptURL returns the content-hashed URL of the client script, from the
// tag a page would carry.
func hashedScriptURL(t *testing.T, gate *authgate.Gate) string {
	t.Helper()
	tag := string(gate.ScriptTag(httptest.NewRequest("GET", "https://app.test/", nil), authgate.ClientOptions{}))
	_, rest, _ := strings.Cut(tag, ` src="`)
	src, _, _ := strings.Cut(rest, `"`)
	if !strings.HasPrefix(src, "/.authgate/client.") || src == "/.authgate/client.js" {
		t.Fatalf("the script tag %s has no content-hashed src", tag)
	}
	return src
}

// TestMiddlewareServesOwnEndpoints: a router wrapped whole in Require or
// Identify still answers the gate's own endpoints, from the gate, and
// nothing else gets through that way.
func TestMiddlewareServesOwnEndpoints(t *testing.T) {
	middlewares := map[string]func(*authgate.Gate) func(http.Handler) http.Handler{
		"Require":  func(g *authgate.Gate) func(http.Handler) http.Handler { return g.Require },
		"Identify": func(g *authgate.Gate) func(http.Handler) http.Handler { return g.Identify },
	}
	for name, wrap := range middlewares {
		t.Run(name, func(t *testing.T) {
			a := newWrappedApp(t, wrap)
			own := []struct {
				method, target, dest string
				signedIn             bool
				status               int
				has                  string // in the Content-Type or Location
			}{
				{"GET", "/login", "document", false, 200, "text/html"},
				{"GET", "/login?return_to=%2Fnotes", "document", false, 200, "text/html"},
				{"GET", "/login", "document", true, 200, "text/html"},
				{"POST", "/.authgate/keepalive", "empty", true, 204, ""},
				{"POST", "/.authgate/keepalive", "empty", false, 401, "application/problem+json"},
				{"GET", "/.authgate/session", "empty", true, 200, "application/json"},
				{"GET", "/.authgate/session", "empty", false, 401, "application/problem+json"},
				{"GET", hashedScriptURL(t, a.gate), "script", false, 200, "text/javascript"},
				{"GET", "/.authgate/client.js", "script", false, 200, "text/javascript"},
				{"PUT", "/login", "empty", false, 405, ""},
				{"POST", "/logout", "document", true, 303, "/login?signed_out=1"}, // last: it ends the session
			}
			for _, tt := range own {
				res := a.do(tt.method, tt.target, tt.signedIn, tt.dest)
				got := res.Header.Get("Content-Type") + " " + res.Header.Get("Location")
				if res.StatusCode != tt.status || !strings.Contains(got, tt.has) {
					t.Errorf("%s %s (signed in %v): %d %q, want %d with %q", tt.method, tt.target, tt.signedIn, res.StatusCode, got, tt.status, tt.has)
				}
				if n := a.runs.Swap(0); n != 0 {
					t.Errorf("%s %s: the app's handler ran %d times; the gate should have answered", tt.method, tt.target, n)
				}
			}

			// Other paths are the app's: protected by Require, passed on
			// unidentified by Identify.
			others := []string{
				"/.authgate/../admin", "/.authgate/./keepalive", "/.authgate/keepalive/",
				"/.authgate/session/", "/.authgate/./session", "/.authgate/sessio%6e",
				"/.authgate/", "/.authgate/other", "/.authgate/client.js/../admin",
				"/login/", "/login/.", "/login/x", "//login", "/log%69n", "/LOGIN",
				"/logout/", "/admin",
			}
			for _, target := range others {
				res := a.do("GET", target, false, "document")
				switch name {
				case "Require":
					if loc := res.Header.Get("Location"); res.StatusCode != 303 || loc != "/login" && !strings.HasPrefix(loc, "/login?return_to=") {
						t.Errorf("GET %s: %d to %q, want 303 to the login page", target, res.StatusCode, loc)
					}
					if n := a.runs.Swap(0); n != 0 {
						t.Errorf("GET %s: the protected handler ran without a sign-in", target)
					}
				case "Identify":
					// The app's mux answers: its handler, or its redirect
					// to the cleaned path.
					cleaned := res.StatusCode == http.StatusMovedPermanently || res.StatusCode == http.StatusTemporaryRedirect
					if n := a.runs.Swap(0); n != 1 && !cleaned {
						t.Errorf("GET %s: %d and the app's handler ran %d times; want the app's mux to answer", target, res.StatusCode, n)
					}
				}
			}
		})
	}
}

// TestMiddlewareServesConfiguredPaths: the paths handed to the gate are the
// configured ones, a trailing slash included, and the defaults are then
// the app's.
func TestMiddlewareServesConfiguredPaths(t *testing.T) {
	gate, err := authgate.New(authgate.Config{Store: memstore.New(), LoginPath: "/auth/login/", LogoutPath: "/auth/logout", Prefix: "/_ag/"})
	if err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	h := gate.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { runs.Add(1) }))
	tests := []struct {
		target string
		status int
	}{
		{"/auth/login/", 200},
		{"/_ag/client.js", 200},
		{"/auth/login", 303},
		{"/login", 303},
		{"/.authgate/client.js", 303},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "https://app.test"+tt.target, nil)
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tt.status || runs.Load() != 0 {
			t.Errorf("GET %s: %d (handler runs %d), want %d from the gate", tt.target, rec.Code, runs.Load(), tt.status)
		}
	}
}
