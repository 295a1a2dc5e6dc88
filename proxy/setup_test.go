package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/proxy"
)

// The test user.
const (
	testLogin  = "ada"
	testUserID = "u-ada"
)

// fixture is a proxy with a gate over a memstore in front of an upstream
// handler, with a signed-in session and an API key of the test user.
type fixture struct {
	store   *memstore.Store
	gate    *authgate.Gate
	proxy   *proxy.Proxy
	srv     *httptest.Server // the proxy
	up      *httptest.Server // the upstream
	cookie  string           // the session's Cookie header value
	keyID   string
	secret  string
	upCalls *recorder
}

// recorder keeps the requests the upstream received.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) add(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req.Clone(req.Context()))
}

func (r *recorder) all() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

// newFixture starts the upstream handler and the proxy in front of it.
// up records every request before upstream runs.
func newFixture(t *testing.T, upstream http.Handler, edit func(*proxy.Options)) *fixture {
	t.Helper()
	f := &fixture{store: memstore.New(), upCalls: &recorder{}}
	ctx := t.Context()
	if err := f.store.CreateUser(ctx, authgate.User{ID: testUserID, Login: testLogin, Name: "Ada Lovelace", PasswordHash: "x", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f.keyID, f.secret = testkit.AddKey(t, f.store, testUserID, time.Now(), time.Time{})
	var err error
	f.gate, err = authgate.New(authgate.Config{Store: f.store, Hasher: testkit.Hasher})
	if err != nil {
		t.Fatal(err)
	}
	f.up = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.upCalls.add(r)
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(f.up.Close)
	u, _ := url.Parse(f.up.URL)
	opts := proxy.Options{Gate: f.gate, Users: f.store, Upstream: u}
	if edit != nil {
		edit(&opts)
	}
	f.proxy, err = proxy.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(f.proxy)
	t.Cleanup(f.srv.Close)
	f.cookie = f.signIn(t)
	return f
}

// signIn starts a session for the test user and returns its cookies as a
// Cookie header value.
func (f *fixture) signIn(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "http://localhost/login", nil)
	u, err := f.store.User(t.Context(), testUserID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.gate.SignIn(t.Context(), rec, req, u); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, c := range rec.Result().Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// caller is how a test request presents itself.
type caller int

const (
	navigation caller = iota // a browser loading a page
	script                   // fetch from a page
	machine                  // curl
)

// request makes a request to the proxy as who, with the session when
// signed is true (browsers) or the API key (machines).
func (f *fixture) request(t *testing.T, method, path string, who caller, signed bool) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "localhost" // the gate's cookies are Secure, which localhost keeps over http
	switch who {
	case navigation:
		req.Header.Set("Sec-Fetch-Mode", "navigate")
		req.Header.Set("Accept", "text/html,*/*;q=0.8")
	case script:
		req.Header.Set("Sec-Fetch-Mode", "cors")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Accept", "*/*")
	}
	if signed {
		if who == machine {
			req.SetBasicAuth(f.keyID, f.secret)
		} else {
			req.Header.Set("Cookie", f.cookie)
		}
	}
	return req
}

// do sends req without following redirects.
func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// ok is an upstream that answers 200 "ok".
var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
