package authgate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// Fixed test data. Every env holds two users, alice and bob.
const (
	origin       = "https://app.example"
	host         = "app.example"
	clientAddr   = "198.51.100.7:40000"
	testUserID   = "u-alice"
	testLogin    = "alice"
	testName     = "Alice Example"
	testPassword = "correct horse battery staple"
	bobUserID    = "u-bob"
	bobLogin     = "bob"
	bobPassword  = "bob-pw-52d0f4"
	secureCookie = "__Host-authgate"
	plainCookie  = "authgate"
	browserUA    = testkit.BrowserUA
)

// recordingHasher wraps a hasher and records what each Verify call was
// given and whether it did the hashing work (an unreadable hash costs
// nothing). When hold is set, each Verify waits for it to close.
type recordingHasher struct {
	inner authgate.PasswordHasher
	hold  chan struct{}
	in    atomic.Int64 // Verify calls entered, held ones included

	mu     sync.Mutex
	hashes []string // the hash argument of each finished Verify call
	work   int      // Verify calls that read their hash and hashed
}

func (h *recordingHasher) Hash(pw string) (string, error) { return h.inner.Hash(pw) }

func (h *recordingHasher) Verify(pw, hash string) (bool, error) {
	h.in.Add(1)
	if h.hold != nil {
		<-h.hold
	}
	ok, err := h.inner.Verify(pw, hash)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hashes = append(h.hashes, hash)
	if err == nil {
		h.work++
	}
	return ok, err
}

// counts returns the number of finished Verify calls and of those that
// hashed.
func (h *recordingHasher) counts() (calls, work int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.hashes), h.work
}

// lastParams returns the parameter part ("$argon2id$v=19$m=64,t=1,p=1")
// of the hash the last Verify call was given, or "" if there was none.
func (h *recordingHasher) lastParams() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.hashes) == 0 {
		return ""
	}
	return hashParams(h.hashes[len(h.hashes)-1])
}

// hashParams returns the part of a PHC string before its salt.
func hashParams(phc string) string {
	parts := strings.Split(phc, "$")
	if len(parts) < 4 {
		return phc
	}
	return strings.Join(parts[:4], "$")
}

// env is a gate on a memstore seen through a [testkit.Store], gate and
// store on one [testkit.Clock], with the users alice and bob, in front of a
// small app: Require guards every path but the gate's own and /open/,
// where Identify serves. The app records every run and the identity it
// saw.
type env struct {
	t      testing.TB
	mem    *memstore.Store
	store  *testkit.Store // what the gate uses: mem, counted, failing on demand
	clock  *testkit.Clock
	logs   *testkit.Logs
	hasher *recordingHasher
	gate   *authgate.Gate
	mux    *http.ServeMux
	ran    atomic.Int64 // runs of the protected handler
	seen   atomic.Pointer[authgate.Identity]
}

// newEnv builds an env. Each option may change the Config before New,
// and may wrap Config.Store further.
func newEnv(t testing.TB, opts ...func(*authgate.Config)) *env {
	t.Helper()
	e := &env{
		t:      t,
		clock:  testkit.NewClock(),
		logs:   testkit.NewLogs(),
		hasher: &recordingHasher{inner: testkit.Hasher},
	}
	e.mem = memstore.New(memstore.WithClock(e.clock.Now))
	e.store = testkit.Wrap(e.mem)
	testkit.AddUser(t, e.mem, authgate.User{ID: testUserID, Login: testLogin, Name: testName, CreatedAt: e.clock.Now()}, testPassword)
	testkit.AddUser(t, e.mem, authgate.User{ID: bobUserID, Login: bobLogin, Name: "Bob", CreatedAt: e.clock.Now()}, bobPassword)
	cfg := authgate.Config{
		Store:  e.store,
		Hasher: e.hasher,
		Logger: e.logs.Logger(),
		Now:    e.clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	g, err := authgate.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.gate = g
	e.mux = http.NewServeMux()
	e.mux.Handle("/login", g)
	e.mux.Handle("/logout", g)
	e.mux.Handle("/.authgate/", g)
	e.mux.Handle("/", g.Require(http.HandlerFunc(e.protected)))
	e.mux.Handle("/open/", g.Identify(http.HandlerFunc(e.open)))
	return e
}

// protected is the app's handler behind Require.
func (e *env) protected(w http.ResponseWriter, r *http.Request) {
	e.ran.Add(1)
	id, ok := authgate.FromContext(r.Context())
	if !ok {
		e.seen.Store(nil)
		http.Error(w, "no identity", http.StatusInternalServerError)
		return
	}
	c := *id
	e.seen.Store(&c)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("hello " + id.UserID + " by " + id.Method.String()))
}

// open is the app's handler behind Identify.
func (e *env) open(w http.ResponseWriter, r *http.Request) {
	id, ok := authgate.FromContext(r.Context())
	if !ok {
		e.seen.Store(nil)
		_, _ = w.Write([]byte("anonymous"))
		return
	}
	c := *id
	e.seen.Store(&c)
	_, _ = w.Write([]byte("user " + id.UserID))
}

// do serves r through the env's mux.
func (e *env) do(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, r)
	return rec
}

// signIn starts a session for alice with [authgate.Gate.SignIn], as an
// app's own login handler would, and returns its token.
func (e *env) signIn() string {
	e.t.Helper()
	r := newReq(http.MethodPost, "/login", "User-Agent", browserUA)
	rec := httptest.NewRecorder()
	if _, err := e.gate.SignIn(r.Context(), rec, r, authgate.User{ID: testUserID, Login: testLogin, Name: testName}); err != nil {
		e.t.Fatalf("SignIn: %v", err)
	}
	c := cookieNamed(rec, secureCookie)
	if c == nil {
		e.t.Fatalf("SignIn set no %s cookie", secureCookie)
	}
	return c.Value
}

// signInAs signs user in with the login form, sending the cookies given
// as name, value pairs, and returns the session token.
func (e *env) signInAs(user, pw string, cookies ...string) string {
	e.t.Helper()
	w := e.loginForm(user, pw, "", cookies...)
	if w.Code != http.StatusSeeOther {
		e.t.Fatalf("sign-in of %s answered %d: %s", user, w.Code, w.Body)
	}
	c := cookieNamed(w, secureCookie)
	if c == nil || c.Value == "" {
		e.t.Fatalf("sign-in of %s set no %s cookie", user, secureCookie)
	}
	return c.Value
}

// loginForm posts the login form as a page would, with the cookies given
// as name, value pairs, and returns the answer.
func (e *env) loginForm(user, pw, returnTo string, cookies ...string) *httptest.ResponseRecorder {
	r := kindReq(http.MethodPost, "/login", authgate.KindNavigation, formBody(user, pw, returnTo))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(cookies); i += 2 {
		withCookie(r, cookies[i], cookies[i+1])
	}
	return e.do(r)
}

// loginJSON posts a JSON login as the client script would.
func (e *env) loginJSON(user, pw, returnTo string) *httptest.ResponseRecorder {
	r := kindReq(http.MethodPost, "/login", authgate.KindScript, jsonBody(user, pw, returnTo))
	r.Header.Set("Content-Type", "application/json")
	return e.do(r)
}

// get requests /app/x as kind with the session token tok ("" for none).
func (e *env) get(tok string, kind authgate.Kind) *httptest.ResponseRecorder {
	r := kindReq(http.MethodGet, "/app/x", kind, nil)
	if tok != "" {
		withCookie(r, secureCookie, tok)
	}
	return e.do(r)
}

// keepalive posts to the keepalive endpoint as the client script would.
func (e *env) keepalive(tok string) *httptest.ResponseRecorder {
	return e.do(withCookie(kindReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok))
}

// newKey stores a new API key for alice and returns its id and secret.
func (e *env) newKey(expires time.Time) (string, string) {
	e.t.Helper()
	return testkit.AddKey(e.t, e.mem, testUserID, e.clock.Now(), expires)
}

// session returns the stored session of token tok, if the store holds it.
func (e *env) session(tok string) (authgate.Session, bool) {
	e.t.Helper()
	s, err := e.mem.Session(context.Background(), tokenID(e.t, tok))
	return s, err == nil
}

// updateSession changes the stored session of token tok in place,
// without going through the counted store.
func (e *env) updateSession(tok string, f func(*authgate.Session)) {
	e.t.Helper()
	s, ok := e.session(tok)
	if !ok {
		e.t.Fatal("no session to update")
	}
	f(&s)
	// memstore's CreateSession replaces the session with the same id.
	if err := e.mem.CreateSession(context.Background(), s); err != nil {
		e.t.Fatal(err)
	}
}

// assertRefusedEverywhere checks that tok gets the login signal with
// reason from every kind of caller, from keepalive too, and that the app
// never ran.
func (e *env) assertRefusedEverywhere(t *testing.T, tok string, reason authgate.Reason) {
	t.Helper()
	before := e.ran.Load()
	for _, k := range allKinds {
		assertDenied(t, e.get(tok, k), k, reason)
	}
	assertDenied(t, e.keepalive(tok), authgate.KindScript, reason)
	if n := e.ran.Load() - before; n != 0 {
		t.Fatalf("the protected handler ran %d times for a refused token", n)
	}
}
