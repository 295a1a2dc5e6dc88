package authgate_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// Fixed test data.
const (
	origin       = "https://app.example"
	testUserID   = "u-1"
	testLogin    = "alice"
	testName     = "Alice Example"
	testPassword = "correct horse battery staple"
	secureCookie = "__Host-authgate"
	plainCookie  = "authgate"
	browserUA    = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
)

// cheapHasher keeps argon2id fast in tests.
var cheapHasher = authgate.Argon2id{Memory: 64, Time: 1}

// testClock is a settable clock for Config.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// countingHasher counts the Verify calls of the hasher it wraps.
type countingHasher struct {
	inner    authgate.PasswordHasher
	verifies atomic.Int64
}

func (h *countingHasher) Hash(pw string) (string, error) { return h.inner.Hash(pw) }

func (h *countingHasher) Verify(pw, hash string) (bool, error) {
	h.verifies.Add(1)
	return h.inner.Verify(pw, hash)
}

// env is a gate on a fake store, with a protected app mounted beside it.
type env struct {
	t      testing.TB
	store  *fakeStore
	clock  *testClock
	gate   *authgate.Gate
	mux    *http.ServeMux
	logs   *syncBuffer
	hasher *countingHasher
	ran    atomic.Int64 // runs of the protected handler
}

// newEnv builds an env. Each option may change the Config before New.
func newEnv(t testing.TB, opts ...func(*authgate.Config)) *env {
	t.Helper()
	e := &env{
		t:      t,
		store:  newFakeStore(),
		clock:  newClock(),
		logs:   &syncBuffer{},
		hasher: &countingHasher{inner: cheapHasher},
	}
	cfg := authgate.Config{
		Store:  e.store,
		Hasher: e.hasher,
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
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
	hash, err := cheapHasher.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateUser(context.Background(), authgate.User{
		ID: testUserID, Login: testLogin, Name: testName, PasswordHash: hash, CreatedAt: e.clock.Now(),
	}); err != nil {
		t.Fatal(err)
	}
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
		http.Error(w, "no identity", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("hello " + id.UserID + " by " + id.Method.String()))
}

// open is the app's handler behind Identify.
func (e *env) open(w http.ResponseWriter, r *http.Request) {
	if id, ok := authgate.FromContext(r.Context()); ok {
		_, _ = w.Write([]byte("user " + id.UserID))
		return
	}
	_, _ = w.Write([]byte("anonymous"))
}

// do serves r through the env's mux.
func (e *env) do(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, r)
	return rec
}

// signIn starts a session for the test user and returns its token.
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

// newKey stores a new API key for the test user and returns its id and secret.
func (e *env) newKey(expires time.Time) (string, string) {
	e.t.Helper()
	k, secret, err := authgate.NewAPIKey(testUserID, "ci", e.clock.Now(), expires)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.CreateKey(context.Background(), k); err != nil {
		e.t.Fatal(err)
	}
	return k.ID, secret
}

// newReq builds a request to origin+target with headers set in canonical
// form from name, value pairs.
func newReq(method, target string, hdr ...string) *http.Request {
	var r *http.Request
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		r = httptest.NewRequest(method, target, nil)
	} else {
		r = httptest.NewRequest(method, origin+target, nil)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	return r
}

// withBody sets r's body and Content-Type.
func withBody(r *http.Request, contentType, body string) *http.Request {
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Type", contentType)
	return r
}

// withSession adds the session cookie to r.
func withSession(r *http.Request, token string) *http.Request {
	r.AddCookie(&http.Cookie{Name: secureCookie, Value: token})
	return r
}

// basicAuth is the Authorization header value for an API key.
func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// cookieNamed returns the cookie rec sets under name, or nil.
func cookieNamed(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// problem is a problem+json body as the gate writes it.
type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Reason   string `json:"reason,omitempty"`
	LoginURL string `json:"login_url,omitempty"`
}

// parseProblem decodes a problem+json body strictly.
func parseProblem(t testing.TB, rec *httptest.ResponseRecorder) problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %q", ct, rec.Body.String())
	}
	var p problem
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem body %q: %v", rec.Body.String(), err)
	}
	return p
}

// tokenID returns the store id of a session token: SHA-256 of the token's
// 32 decoded bytes.
func tokenID(t testing.TB, token string) authgate.Hash {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("token %q is not base64url: %v", token, err)
	}
	return authgate.HashOf(raw)
}

// readRequestFile parses a raw HTTP request from testdata/requests.
func readRequestFile(t testing.TB, name string) *http.Request {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "requests", name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

// assertNoSecrets fails if any of secrets appears in the captured logs.
func (e *env) assertNoSecrets(secrets ...string) {
	e.t.Helper()
	logs := e.logs.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			e.t.Errorf("a secret %.6s… appears in the logs:\n%s", s, logs)
		}
	}
}
