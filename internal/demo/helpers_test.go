package demo_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/demo"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// fixture is a demo app over a memory store, with one user.
type fixture struct {
	t       *testing.T
	clock   *testkit.Clock
	store   *memstore.Store
	notes   *demo.MemoryNotes
	gate    *authgate.Gate
	handler http.Handler
	user    authgate.User
}

const (
	idle     = 10 * time.Minute
	password = "correct horse battery staple"
)

func newFixture(t *testing.T, name string) *fixture {
	t.Helper()
	f := &fixture{
		t:     t,
		clock: testkit.NewClockAt(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)),
		store: memstore.New(),
		notes: demo.NewMemoryNotes(),
	}
	g, err := authgate.New(authgate.Config{
		Store:       f.store,
		IdleTimeout: idle,
		Lifetime:    time.Hour,
		Hasher:      testkit.Hasher,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:         f.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.gate = g
	f.handler = demo.New(g, f.notes, demo.Options{
		ClientMode: authgate.ClientDialog,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:        f.clock.Now,
	})
	f.user = f.addUser("u1", "alice", name)
	return f
}

func (f *fixture) addUser(id, login, name string) authgate.User {
	f.t.Helper()
	return testkit.AddUser(f.t, f.store, authgate.User{ID: id, Login: login, Name: name, CreatedAt: f.clock.Now()}, password)
}

// apiKey makes an API key for userID and returns its Basic credentials.
func (f *fixture) apiKey(userID string, expires time.Time) (id, secret string) {
	f.t.Helper()
	return testkit.AddKey(f.t, f.store, userID, f.clock.Now(), expires)
}

// signIn posts the login form and returns the cookies it set.
func (f *fixture) signIn(login string) []*http.Cookie {
	f.t.Helper()
	form := url.Values{"username": {login}, "password": {password}}
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w := f.serve(r)
	if w.Code != http.StatusSeeOther {
		f.t.Fatalf("sign-in: status %d, want 303; body %q", w.Code, w.Body.String())
	}
	cookies := w.Result().Cookies()
	if len(cookies) == 0 {
		f.t.Fatal("sign-in set no cookie")
	}
	return cookies
}

func (f *fixture) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	return w
}

// notesOf returns the texts of a user's notes, newest first.
func (f *fixture) notesOf(userID string) []string {
	f.t.Helper()
	ns, err := f.notes.List(context.Background(), userID, demo.ListLimit)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Text)
	}
	return out
}

// navigate, script and machine set the headers of a page load, a page's
// fetch and a plain HTTP client (see [testkit.AsKind]).
func navigate(r *http.Request) *http.Request { return testkit.AsKind(r, authgate.KindNavigation) }

func script(r *http.Request) *http.Request { return testkit.AsKind(r, authgate.KindScript) }

func machine(r *http.Request) *http.Request { return testkit.AsKind(r, authgate.KindMachine) }

func withCookies(r *http.Request, cookies []*http.Cookie) *http.Request {
	for _, c := range cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return r
}

func formPost(path, text string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(url.Values{"text": {text}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func jsonPost(path, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}
