package authgate_test

// Attacks on the gate, each written as a test that fails if the attack
// works: session fixation, replay, cookie tossing, user enumeration, brute
// force, oversize input, cross-site writes, spoofed identity headers and
// secrets in logs. docs/SECURITY.md maps each promise to its test.
//
// The helpers of this file (prefix hard) are shared by openredirect_test.go
// and fault_test.go.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// Fixed data of the hardening tests.
const (
	hardHost       = "app.example"
	hardAlicePW    = "hard-alice-pw-7c1e9a"
	hardBobPW      = "hard-bob-pw-52d0f4"
	hardClientAddr = "198.51.100.7:40000"
)

// hardHasher wraps a hasher and records what each Verify call was given
// and whether it did the hashing work (an unreadable hash costs nothing).
type hardHasher struct {
	inner authgate.PasswordHasher
	mu    sync.Mutex
	calls []string // the hash argument of each Verify call
	work  int      // Verify calls that read their hash and ran argon2id
	gate  chan struct{}
	in    atomic.Int64
}

func (h *hardHasher) Hash(pw string) (string, error) { return h.inner.Hash(pw) }

func (h *hardHasher) Verify(pw, hash string) (bool, error) {
	h.in.Add(1)
	if h.gate != nil {
		<-h.gate
	}
	ok, err := h.inner.Verify(pw, hash)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, hash)
	if err == nil {
		h.work++
	}
	return ok, err
}

// counts returns the number of Verify calls and of those that hashed.
func (h *hardHasher) counts() (calls, work int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.calls), h.work
}

// hardEnv is a gate in front of a small app, with its store, clock, hasher
// and logs at hand. The app is mounted at /app/ behind Require and at
// /open/ behind Identify; it records every run and the identity it saw.
type hardEnv struct {
	t       testing.TB
	mem     *memstore.Store
	clock   *testClock
	hasher  *hardHasher
	logs    *syncBuffer
	gate    *authgate.Gate
	handler http.Handler
	ran     atomic.Int64
	seen    atomic.Pointer[authgate.Identity]
}

// hardNewEnv builds a hardEnv on a memstore with the users alice and bob.
// wrap, if not nil, wraps the store the gate uses; each opt may change the
// Config before New.
func hardNewEnv(t testing.TB, wrap func(authgate.Store) authgate.Store, opts ...func(*authgate.Config)) *hardEnv {
	t.Helper()
	e := &hardEnv{
		t:   t,
		mem: memstore.New(),
		// The clock starts at the real time: stores judge "live" sessions
		// (RevokeUserSessions, UserSessions) by their own clock.
		clock:  &testClock{t: time.Now().UTC().Truncate(time.Second)},
		hasher: &hardHasher{inner: cheapHasher},
		logs:   &syncBuffer{},
	}
	ctx := context.Background()
	for _, u := range []struct{ id, login, name, pw string }{
		{"u-alice", "alice", "Alice", hardAlicePW},
		{"u-bob", "bob", "Bob", hardBobPW},
	} {
		ph, err := cheapHasher.Hash(u.pw)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.mem.CreateUser(ctx, authgate.User{ID: u.id, Login: u.login, Name: u.name, PasswordHash: ph, CreatedAt: e.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	var st authgate.Store = e.mem
	if wrap != nil {
		st = wrap(e.mem)
	}
	cfg := authgate.Config{
		Store:  st,
		Hasher: e.hasher,
		Logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    e.clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	g, err := authgate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.gate = g
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.ran.Add(1)
		id, ok := authgate.FromContext(r.Context())
		if !ok {
			e.seen.Store(nil)
			io.WriteString(w, "app anonymous")
			return
		}
		c := *id
		e.seen.Store(&c)
		io.WriteString(w, "app user="+id.UserID)
	})
	mux := http.NewServeMux()
	mux.Handle("/login", g)
	mux.Handle("/logout", g)
	mux.Handle("/.authgate/", g)
	mux.Handle("/app/", g.Require(app))
	mux.Handle("/open/", g.Identify(app))
	e.handler = mux
	return e
}

// hardReq makes a request to the app's origin as a caller of the given
// kind would send it: a same-origin page load, a same-origin fetch, or a
// plain HTTP client.
func hardReq(method, path string, kind authgate.Kind, body io.Reader) *http.Request {
	r := httptest.NewRequest(method, "https://"+hardHost+path, body)
	r.RemoteAddr = hardClientAddr
	switch kind {
	case authgate.KindNavigation:
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("Sec-Fetch-Dest", "document")
		r.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		r.Header.Set("User-Agent", browserUA)
	case authgate.KindScript:
		r.Header.Set("Sec-Fetch-Mode", "cors")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("Sec-Fetch-Dest", "empty")
		r.Header.Set("Accept", "*/*")
		r.Header.Set("User-Agent", browserUA)
		r.Header.Set("Referer", "https://"+hardHost+"/app/page")
	default:
		r.Header.Set("User-Agent", "curl/8.5.0")
	}
	return r
}

// hardWithCookie adds a raw Cookie header line, as a browser or an
// attacker would send it, without net/http's sanitising.
func hardWithCookie(r *http.Request, name, value string) *http.Request {
	r.Header.Add("Cookie", name+"="+value)
	return r
}

func (e *hardEnv) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

// hardFormBody encodes a login form.
func hardFormBody(user, pw, returnTo string) io.Reader {
	v := url.Values{"username": {user}, "password": {pw}}
	if returnTo != "" {
		v.Set("return_to", returnTo)
	}
	return strings.NewReader(v.Encode())
}

// hardJSONBody encodes a JSON login.
func hardJSONBody(user, pw, returnTo string) io.Reader {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw, "return_to": returnTo})
	return bytes.NewReader(b)
}

// formLogin posts the login form as a page would and returns the answer.
func (e *hardEnv) formLogin(user, pw, returnTo string, cookies ...string) *httptest.ResponseRecorder {
	r := hardReq(http.MethodPost, "/login", authgate.KindNavigation, hardFormBody(user, pw, returnTo))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(cookies); i += 2 {
		hardWithCookie(r, cookies[i], cookies[i+1])
	}
	return e.do(r)
}

// jsonLogin posts a JSON login as the client script would.
func (e *hardEnv) jsonLogin(user, pw, returnTo string) *httptest.ResponseRecorder {
	r := hardReq(http.MethodPost, "/login", authgate.KindScript, hardJSONBody(user, pw, returnTo))
	r.Header.Set("Content-Type", "application/json")
	return e.do(r)
}

// signIn signs user in with the form and returns the session token.
func (e *hardEnv) signIn(user, pw string, cookies ...string) string {
	e.t.Helper()
	w := e.formLogin(user, pw, "", cookies...)
	if w.Code != http.StatusSeeOther {
		e.t.Fatalf("sign-in of %s answered %d: %s", user, w.Code, w.Body)
	}
	c := hardSetCookie(w, secureCookie)
	if c == nil || c.Value == "" {
		e.t.Fatalf("sign-in of %s set no %s cookie", user, secureCookie)
	}
	return c.Value
}

// hardSetCookie returns the cookie called name that w sets, or nil.
func hardSetCookie(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// get requests /app/x as kind with the session token tok ("" for none).
func (e *hardEnv) get(tok string, kind authgate.Kind) *httptest.ResponseRecorder {
	r := hardReq(http.MethodGet, "/app/x", kind, nil)
	if tok != "" {
		hardWithCookie(r, secureCookie, tok)
	}
	return e.do(r)
}

// hardAs checks that w is the app's answer for userID.
func hardAs(t testing.TB, w *httptest.ResponseRecorder, userID string) {
	t.Helper()
	if w.Code != http.StatusOK || w.Body.String() != "app user="+userID {
		t.Fatalf("got %d %q, want the app's answer for %s", w.Code, w.Body, userID)
	}
}

// hardProblem is a problem+json body.
type hardProblem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Reason   string `json:"reason"`
	LoginURL string `json:"login_url"`
}

func hardParseProblem(t testing.TB, w *httptest.ResponseRecorder) hardProblem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json (status %d, body %q)", ct, w.Code, w.Body)
	}
	var p hardProblem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q: %v", w.Body, err)
	}
	return p
}

// hardDenied checks that w is the login-required answer for kind with
// reason (DESIGN.md section 3).
func hardDenied(t testing.TB, w *httptest.ResponseRecorder, kind authgate.Kind, reason authgate.Reason) {
	t.Helper()
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("a login signal without Cache-Control: no-store")
	}
	switch kind {
	case authgate.KindNavigation:
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
			t.Fatalf("navigation got %d Location %q, want 303 to /login", w.Code, w.Header().Get("Location"))
		}
	case authgate.KindScript:
		if w.Code != http.StatusUnauthorized || w.Header().Get("Authgate-Login") != string(reason) {
			t.Fatalf("script got %d Authgate-Login %q, want 401 %q", w.Code, w.Header().Get("Authgate-Login"), reason)
		}
		if w.Header().Get("Www-Authenticate") != "" {
			t.Fatal("a script call got WWW-Authenticate")
		}
		if p := hardParseProblem(t, w); p.Type != authgate.ProblemLoginRequired || p.Reason != string(reason) {
			t.Fatalf("script got problem %+v, want login-required %q", p, reason)
		}
	default:
		if w.Code != http.StatusUnauthorized || !strings.HasPrefix(w.Header().Get("Www-Authenticate"), "Basic ") {
			t.Fatalf("machine got %d WWW-Authenticate %q, want 401 Basic", w.Code, w.Header().Get("Www-Authenticate"))
		}
		if p := hardParseProblem(t, w); p.Type != authgate.ProblemLoginRequired || p.Reason != string(reason) {
			t.Fatalf("machine got problem %+v, want login-required %q", p, reason)
		}
	}
}

var hardKinds = []authgate.Kind{authgate.KindNavigation, authgate.KindScript, authgate.KindMachine}

// hardRefusedEverywhere checks that tok gets the login signal with reason
// from every kind of caller, from keepalive too, and that the app never ran.
func (e *hardEnv) hardRefusedEverywhere(t *testing.T, tok string, reason authgate.Reason) {
	t.Helper()
	before := e.ran.Load()
	for _, k := range hardKinds {
		hardDenied(t, e.get(tok, k), k, reason)
	}
	r := hardWithCookie(hardReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)
	hardDenied(t, e.do(r), authgate.KindScript, reason)
	if n := e.ran.Load() - before; n != 0 {
		t.Fatalf("the protected handler ran %d times for a refused token", n)
	}
}

// hardToken returns a well-formed session token that no session has.
func hardToken(b byte) string {
	return base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32))
}

// TestAttackSessionFixation plants a token before sign-in in every way an
// attacker can and checks that the planted token never becomes signed in.
func TestAttackSessionFixation(t *testing.T) {
	t.Run("unknown token planted", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		planted := hardToken(7)
		tok := e.signIn("alice", hardAlicePW, secureCookie, planted)
		if tok == planted {
			t.Fatal("sign-in kept the planted token")
		}
		hardAs(t, e.get(tok, authgate.KindScript), "u-alice")
		e.hardRefusedEverywhere(t, planted, authgate.ReasonExpired)
	})
	t.Run("attacker's own live session planted", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		planted := e.signIn("bob", hardBobPW)
		tok := e.signIn("alice", hardAlicePW, secureCookie, planted)
		if tok == planted {
			t.Fatal("sign-in kept the planted token")
		}
		hardAs(t, e.get(tok, authgate.KindMachine), "u-alice")
		// The planted session is revoked by the victim's sign-in; it never
		// turns into the victim's.
		e.hardRefusedEverywhere(t, planted, authgate.ReasonRevoked)
	})
	t.Run("planted under the JSON login", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		planted := e.signIn("bob", hardBobPW)
		r := hardReq(http.MethodPost, "/login", authgate.KindScript, hardJSONBody("alice", hardAlicePW, ""))
		r.Header.Set("Content-Type", "application/json")
		w := e.do(hardWithCookie(r, secureCookie, planted))
		c := hardSetCookie(w, secureCookie)
		if w.Code != http.StatusOK || c == nil || c.Value == planted || c.Value == "" {
			t.Fatalf("JSON sign-in answered %d with cookie %v", w.Code, c)
		}
		e.hardRefusedEverywhere(t, planted, authgate.ReasonRevoked)
	})
	t.Run("planted before an app's own SignIn", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		planted := e.signIn("bob", hardBobPW)
		r := hardWithCookie(hardReq(http.MethodPost, "/own-login", authgate.KindNavigation, nil), secureCookie, planted)
		w := httptest.NewRecorder()
		if _, err := e.gate.SignIn(r.Context(), w, r, authgate.User{ID: "u-alice", Login: "alice"}); err != nil {
			t.Fatal(err)
		}
		c := hardSetCookie(w, secureCookie)
		if c == nil || c.Value == "" || c.Value == planted {
			t.Fatal("SignIn kept the planted token")
		}
		hardAs(t, e.get(c.Value, authgate.KindScript), "u-alice")
		e.hardRefusedEverywhere(t, planted, authgate.ReasonRevoked)
	})
	t.Run("every sign-in a new token", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		seen := map[string]bool{}
		tok := ""
		for range 20 {
			if tok != "" {
				tok = e.signIn("alice", hardAlicePW, secureCookie, tok)
			} else {
				tok = e.signIn("alice", hardAlicePW)
			}
			if seen[tok] {
				t.Fatal("a sign-in reissued an earlier token")
			}
			seen[tok] = true
		}
	})
}

// TestAttackReplay replays a token after the session ended in each way it
// can end: the old token gets the login signal from every kind of caller,
// from keepalive too, and keepalive cannot bring it back.
func TestAttackReplay(t *testing.T) {
	ctx := context.Background()
	t.Run("after logout", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		tok := e.signIn("alice", hardAlicePW)
		w := e.do(hardWithCookie(hardReq(http.MethodPost, "/logout", authgate.KindNavigation, nil), secureCookie, tok))
		if w.Code != http.StatusSeeOther {
			t.Fatalf("logout answered %d", w.Code)
		}
		if c := hardSetCookie(w, secureCookie); c == nil || c.MaxAge >= 0 {
			t.Fatalf("logout did not clear the session cookie: %v", c)
		}
		e.hardRefusedEverywhere(t, tok, authgate.ReasonRevoked)
	})
	t.Run("after logout by script", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		tok := e.signIn("alice", hardAlicePW)
		w := e.do(hardWithCookie(hardReq(http.MethodPost, "/logout", authgate.KindScript, nil), secureCookie, tok))
		if w.Code != http.StatusNoContent {
			t.Fatalf("logout answered %d", w.Code)
		}
		e.hardRefusedEverywhere(t, tok, authgate.ReasonRevoked)
	})
	t.Run("after revoke-all", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		t1 := e.signIn("alice", hardAlicePW)
		t2 := e.signIn("alice", hardAlicePW)
		tb := e.signIn("bob", hardBobPW)
		if n, err := e.mem.RevokeUserSessions(ctx, "u-alice"); err != nil || n != 2 {
			t.Fatalf("RevokeUserSessions = %d, %v", n, err)
		}
		e.hardRefusedEverywhere(t, t1, authgate.ReasonRevoked)
		e.hardRefusedEverywhere(t, t2, authgate.ReasonRevoked)
		hardAs(t, e.get(tb, authgate.KindScript), "u-bob")
	})
	t.Run("after an admin revokes one session", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		tok := e.signIn("alice", hardAlicePW)
		other := e.signIn("alice", hardAlicePW)
		hardAs(t, e.get(tok, authgate.KindMachine), "u-alice")
		if err := e.mem.RevokeSession(ctx, e.seen.Load().SessionID); err != nil {
			t.Fatal(err)
		}
		e.hardRefusedEverywhere(t, tok, authgate.ReasonRevoked)
		hardAs(t, e.get(other, authgate.KindMachine), "u-alice")
	})
	t.Run("after idle expiry", func(t *testing.T) {
		e := hardNewEnv(t, nil, func(c *authgate.Config) { c.IdleTimeout = 10 * time.Minute })
		tok := e.signIn("alice", hardAlicePW)
		e.clock.Add(10*time.Minute - time.Second)
		hardAs(t, e.get(tok, authgate.KindScript), "u-alice")
		e.clock.Add(10 * time.Minute)
		e.hardRefusedEverywhere(t, tok, authgate.ReasonExpired)
		e.clock.Add(time.Hour)
		e.hardRefusedEverywhere(t, tok, authgate.ReasonExpired)
	})
	t.Run("after the lifetime, however active", func(t *testing.T) {
		e := hardNewEnv(t, nil, func(c *authgate.Config) {
			c.IdleTimeout = 10 * time.Minute
			c.Lifetime = time.Hour
		})
		tok := e.signIn("alice", hardAlicePW)
		for range 6 {
			e.clock.Add(9 * time.Minute)
			r := hardWithCookie(hardReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)
			if w := e.do(r); w.Code != http.StatusNoContent {
				t.Fatalf("keepalive answered %d within the lifetime", w.Code)
			}
		}
		e.clock.Add(6 * time.Minute) // 60 minutes after sign-in
		e.hardRefusedEverywhere(t, tok, authgate.ReasonExpired)
	})
	t.Run("API key after revoke and expiry", func(t *testing.T) {
		e := hardNewEnv(t, nil)
		now := e.clock.Now()
		k, secret, err := authgate.NewAPIKey("u-alice", "ci", now, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.mem.CreateKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		call := func() *httptest.ResponseRecorder {
			r := hardReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
			r.SetBasicAuth(k.ID, secret)
			return e.do(r)
		}
		hardAs(t, call(), "u-alice")
		e.clock.Add(time.Hour)
		hardDenied(t, call(), authgate.KindMachine, authgate.ReasonExpired)
		k2, secret2, _ := authgate.NewAPIKey("u-alice", "ci2", e.clock.Now(), time.Time{})
		if err := e.mem.CreateKey(ctx, k2); err != nil {
			t.Fatal(err)
		}
		k, secret = k2, secret2
		hardAs(t, call(), "u-alice")
		if err := e.mem.RevokeKey(ctx, k2.ID); err != nil {
			t.Fatal(err)
		}
		hardDenied(t, call(), authgate.KindMachine, authgate.ReasonRevoked)
	})
}

// TestAttackCookieTossing plays a sibling subdomain or a plain-http
// man-in-the-middle that can set cookies for the app's host but cannot set
// a __Host- cookie: its cookies never sign anybody in, and never displace
// the victim's session. InsecureCookies is on, to show that it does not
// weaken https requests.
func TestAttackCookieTossing(t *testing.T) {
	e := hardNewEnv(t, nil, func(c *authgate.Config) { c.InsecureCookies = true })
	victim := e.signIn("alice", hardAlicePW)
	attacker := e.signIn("bob", hardBobPW)

	t.Run("session cookie is __Host- and host-only", func(t *testing.T) {
		w := e.formLogin("alice", hardAlicePW, "")
		c := hardSetCookie(w, secureCookie)
		if c == nil || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" || c.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v; want __Host-, Secure, HttpOnly, Path=/, no Domain, SameSite=Lax", c)
		}
		if hardSetCookie(w, plainCookie) != nil {
			t.Fatal("an https sign-in also set the unprefixed cookie")
		}
	})
	t.Run("tossed unprefixed cookie signs nobody in", func(t *testing.T) {
		for _, k := range hardKinds {
			r := hardWithCookie(hardReq(http.MethodGet, "/app/x", k, nil), plainCookie, attacker)
			hardDenied(t, e.do(r), k, authgate.ReasonNone)
		}
	})
	t.Run("tossed cookie before and after the victim's", func(t *testing.T) {
		for _, order := range [][2]string{{plainCookie, secureCookie}, {secureCookie, plainCookie}} {
			r := hardReq(http.MethodGet, "/app/x", authgate.KindScript, nil)
			for _, name := range order {
				v := victim
				if name == plainCookie {
					v = attacker
				}
				hardWithCookie(r, name, v)
			}
			hardAs(t, e.do(r), "u-alice")
		}
	})
	t.Run("tossed cookie in the same header line", func(t *testing.T) {
		r := hardReq(http.MethodGet, "/app/x", authgate.KindScript, nil)
		r.Header.Set("Cookie", plainCookie+"="+attacker+"; "+secureCookie+"="+victim+"; __host-authgate="+attacker)
		hardAs(t, e.do(r), "u-alice")
	})
	t.Run("case-folded prefix is not the cookie", func(t *testing.T) {
		r := hardWithCookie(hardReq(http.MethodGet, "/app/x", authgate.KindScript, nil), "__host-authgate", attacker)
		hardDenied(t, e.do(r), authgate.KindScript, authgate.ReasonNone)
	})
	t.Run("tossed companion cookie changes nothing", func(t *testing.T) {
		r := hardWithCookie(hardReq(http.MethodGet, "/app/x", authgate.KindScript, nil), authgate.CompanionCookie, "99999999999.99999999999")
		hardWithCookie(r, secureCookie, victim)
		w := e.do(r)
		hardAs(t, w, "u-alice")
		c := hardSetCookie(w, authgate.CompanionCookie)
		if c == nil || c.Value == "99999999999.99999999999" {
			t.Fatalf("companion cookie after a tossed one: %v", c)
		}
		idle, life, ok := authgate.ParseCompanion(c.Value)
		if !ok || !idle.After(e.clock.Now()) || life.Sub(e.clock.Now()) > 12*time.Hour {
			t.Fatalf("companion %q does not hold the server's deadlines", c.Value)
		}
	})
	t.Run("logout clears the __Host- cookie the way browsers accept", func(t *testing.T) {
		tok := e.signIn("alice", hardAlicePW)
		w := e.do(hardWithCookie(hardReq(http.MethodPost, "/logout", authgate.KindNavigation, nil), secureCookie, tok))
		c := hardSetCookie(w, secureCookie)
		if c == nil || c.MaxAge >= 0 || !c.Secure || c.Path != "/" || c.Domain != "" {
			t.Fatalf("logout's clearing cookie %+v cannot delete a __Host- cookie", c)
		}
	})
}

// TestAttackUserEnumeration checks that an unknown user, a known user with
// a wrong password, and a user with no usable password hash all take the
// same path at the same cost: one argon2id verification with the same
// parameters, and the same answer.
func TestAttackUserEnumeration(t *testing.T) {
	e := hardNewEnv(t, nil)
	for _, u := range []authgate.User{
		{ID: "u-carol", Login: "carol", Name: "Carol"}, // signs in some other way
		{ID: "u-dave", Login: "dave", Name: "Dave", // a hash from an older system
			PasswordHash: "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
	} {
		if err := e.mem.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	aliceUser, err := e.mem.UserByLogin(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	params := func(phc string) string { // "$argon2id$v=19$m=64,t=1,p=1"
		parts := strings.Split(phc, "$")
		if len(parts) < 4 {
			return phc
		}
		return strings.Join(parts[:4], "$")
	}
	type outcome struct {
		status       int
		headers      string
		body         string
		calls, work  int
		verifyParams string
	}
	try := func(asJSON bool, user, pw string) outcome {
		c0, w0 := e.hasher.counts()
		var w *httptest.ResponseRecorder
		if asJSON {
			w = e.jsonLogin(user, pw, "/app/x")
		} else {
			w = e.formLogin(user, pw, "/app/x")
		}
		c1, w1 := e.hasher.counts()
		o := outcome{status: w.Code, body: strings.ReplaceAll(w.Body.String(), user, "USER"), calls: c1 - c0, work: w1 - w0}
		e.hasher.mu.Lock()
		if c1 > c0 {
			o.verifyParams = params(e.hasher.calls[c1-1])
		}
		e.hasher.mu.Unlock()
		var names []string
		for k, v := range w.Header() {
			names = append(names, k+"="+strings.Join(v, ","))
		}
		slices.Sort(names)
		o.headers = strings.Join(names, "\n")
		return o
	}
	for _, asJSON := range []bool{false, true} {
		name := "form"
		if asJSON {
			name = "json"
		}
		t.Run(name, func(t *testing.T) {
			wrong := try(asJSON, "alice", "not-the-password")
			if wrong.status != http.StatusUnauthorized || wrong.calls != 1 || wrong.work != 1 {
				t.Fatalf("a wrong password: %d with %d verifications (%d hashed); want 401 and 1", wrong.status, wrong.calls, wrong.work)
			}
			if wrong.verifyParams != params(aliceUser.PasswordHash) {
				t.Fatalf("verified against %q, want alice's %q", wrong.verifyParams, params(aliceUser.PasswordHash))
			}
			for _, c := range []struct{ what, user, pw string }{
				{"unknown user", "mallory", "not-the-password"},
				{"unknown user, upper case", "ALICE", "not-the-password"},
				{"user without a password hash", "carol", "not-the-password"},
				{"user whose hash cannot be read", "dave", "not-the-password"},
			} {
				got := try(asJSON, c.user, c.pw)
				if got.status != wrong.status || got.body != wrong.body || got.headers != wrong.headers {
					t.Errorf("%s: answer differs from a wrong password:\n%d %s\n%s\nvs\n%d %s\n%s", c.what, got.status, got.headers, got.body, wrong.status, wrong.headers, wrong.body)
				}
				// What a timing attacker sees is the argon2id work: the count
				// of runs and their parameters. An unreadable hash adds one
				// Verify call that fails at parsing, before any hashing.
				calls := got.calls
				if c.user == "dave" {
					calls--
				}
				if calls != wrong.calls || got.work != wrong.work || got.verifyParams != wrong.verifyParams {
					t.Errorf("%s: %d verifications, %d hashed, params %q; a wrong password costs %d, %d, %q",
						c.what, got.calls, got.work, got.verifyParams, wrong.calls, wrong.work, wrong.verifyParams)
				}
			}
			empty := try(asJSON, "alice", "")
			emptyUnknown := try(asJSON, "mallory", "")
			if empty.status != emptyUnknown.status || empty.body != emptyUnknown.body || empty.calls != emptyUnknown.calls {
				t.Errorf("an empty password answers differently for a known and an unknown user")
			}
		})
	}
	t.Run("API key", func(t *testing.T) {
		k, _, err := authgate.NewAPIKey("u-alice", "ci", e.clock.Now(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.mem.CreateKey(context.Background(), k); err != nil {
			t.Fatal(err)
		}
		call := func(id string) *httptest.ResponseRecorder {
			r := hardReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
			r.SetBasicAuth(id, "wrong-secret-wrong-secret-wrong-secret-xx")
			return e.do(r)
		}
		known, unknown := call(k.ID), call("agk_aaaaaaaaaaaaaaaa")
		if known.Code != unknown.Code || known.Body.String() != unknown.Body.String() ||
			known.Header().Get("Www-Authenticate") != unknown.Header().Get("Www-Authenticate") {
			t.Fatalf("a known key with a wrong secret (%d %q) and an unknown key (%d %q) answer differently",
				known.Code, known.Body, unknown.Code, unknown.Body)
		}
	})
}

// hardRetryAfter returns the Retry-After seconds of w, failing the test if
// it is missing or outside 1..max.
func hardRetryAfter(t testing.TB, w *httptest.ResponseRecorder, maxSeconds int) int {
	t.Helper()
	n, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if err != nil || n < 1 || n > maxSeconds {
		t.Fatalf("Retry-After %q, want 1..%d", w.Header().Get("Retry-After"), maxSeconds)
	}
	return n
}

// TestAttackBruteForce guesses passwords and API key secrets until the
// gate throttles: 429 with an honest Retry-After, no password check while
// throttled (so a right guess is not revealed), and normal service once
// the window has passed.
func TestAttackBruteForce(t *testing.T) {
	const window = 10 * time.Minute
	throttle := func(account, address int) func(*authgate.Config) {
		return func(c *authgate.Config) {
			c.Throttle = authgate.ThrottleConfig{Account: account, Address: address, Window: window}
		}
	}
	t.Run("per account", func(t *testing.T) {
		e := hardNewEnv(t, nil, throttle(5, 1000))
		for i := range 5 {
			if w := e.jsonLogin("alice", "guess-"+strconv.Itoa(i), ""); w.Code != http.StatusUnauthorized {
				t.Fatalf("guess %d answered %d", i, w.Code)
			}
		}
		calls, _ := e.hasher.counts()
		w := e.jsonLogin("alice", hardAlicePW, "")
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("the right password after 5 wrong ones answered %d, want 429", w.Code)
		}
		wait := hardRetryAfter(t, w, int(window/time.Second))
		if p := hardParseProblem(t, w); p.Type != authgate.ProblemTooMany {
			t.Fatalf("429 problem type %q", p.Type)
		}
		if c, _ := e.hasher.counts(); c != calls {
			t.Fatal("a throttled attempt still verified the password")
		}
		form := e.formLogin("alice", hardAlicePW, "")
		if form.Code != http.StatusTooManyRequests || !strings.Contains(form.Header().Get("Content-Type"), "text/html") {
			t.Fatalf("the form while throttled answered %d %q", form.Code, form.Header().Get("Content-Type"))
		}
		hardRetryAfter(t, form, int(window/time.Second))
		if w := e.jsonLogin("bob", hardBobPW, ""); w.Code != http.StatusOK {
			t.Fatalf("another account answered %d while alice is throttled", w.Code)
		}
		e.clock.Add(time.Duration(wait-1) * time.Second)
		if w := e.jsonLogin("alice", hardAlicePW, ""); w.Code != http.StatusTooManyRequests {
			t.Fatalf("a second before Retry-After ends: %d, want 429", w.Code)
		}
		e.clock.Add(time.Second)
		if w := e.jsonLogin("alice", hardAlicePW, ""); w.Code != http.StatusOK {
			t.Fatalf("after Retry-After the right password answered %d", w.Code)
		}
	})
	t.Run("per address", func(t *testing.T) {
		e := hardNewEnv(t, nil, throttle(1000, 5))
		for i := range 5 {
			if w := e.jsonLogin("nobody"+strconv.Itoa(i), "x", ""); w.Code != http.StatusUnauthorized {
				t.Fatalf("guess %d answered %d", i, w.Code)
			}
		}
		w := e.jsonLogin("alice", hardAlicePW, "")
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("sixth attempt from one address answered %d, want 429", w.Code)
		}
		hardRetryAfter(t, w, int(window/time.Second))
		r := hardReq(http.MethodPost, "/login", authgate.KindScript, hardJSONBody("alice", hardAlicePW, ""))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = "203.0.113.9:5555"
		if w := e.do(r); w.Code != http.StatusOK {
			t.Fatalf("another address answered %d", w.Code)
		}
		e.clock.Add(window)
		if w := e.jsonLogin("alice", hardAlicePW, ""); w.Code != http.StatusOK {
			t.Fatalf("after the window the address answered %d", w.Code)
		}
	})
	t.Run("API key secret", func(t *testing.T) {
		// Key ids are never locked; guessing is limited by address.
		e := hardNewEnv(t, nil, throttle(1000, 5))
		k, secret, err := authgate.NewAPIKey("u-alice", "ci", e.clock.Now(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.mem.CreateKey(context.Background(), k); err != nil {
			t.Fatal(err)
		}
		call := func(sec string) *httptest.ResponseRecorder {
			r := hardReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
			r.SetBasicAuth(k.ID, sec)
			return e.do(r)
		}
		for i := range 5 {
			hardDenied(t, call("guess-"+strconv.Itoa(i)), authgate.KindMachine, authgate.ReasonInvalid)
		}
		w := call(secret)
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("the right secret after 5 wrong ones answered %d, want 429", w.Code)
		}
		wait := hardRetryAfter(t, w, int(window/time.Second))
		if e.ran.Load() != 0 {
			t.Fatal("the app ran during the attack")
		}
		e.clock.Add(time.Duration(wait) * time.Second)
		hardAs(t, call(secret), "u-alice")
	})
}

// TestAttackBruteForceConcurrent sends many wrong passwords at once, so
// that they are all in flight before the first is counted. The throttle
// must still verify no more passwords than its limit: a limit checked
// before the slow hash and counted after it lets a parallel attacker try
// as many passwords as it can open connections.
func TestAttackBruteForceConcurrent(t *testing.T) {
	const limit, attempts = 3, 12
	e := hardNewEnv(t, nil, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: limit, Address: 1000, Window: time.Hour}
		c.HashLimit.Running = attempts // the throttle, not the hash limit, is under test
	})
	e.hasher.gate = make(chan struct{})
	var done, throttled atomic.Int64
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer done.Add(1)
			if w := e.jsonLogin("alice", "parallel-guess-"+strconv.Itoa(i), ""); w.Code == http.StatusTooManyRequests {
				throttled.Add(1)
			}
		}()
	}
	// Wait until every attempt is either inside the hash or answered. A
	// gate that serialises attempts never gets there; it is released after
	// the deadline and judged by the count alone.
	deadline := time.Now().Add(5 * time.Second)
	for e.hasher.in.Load()+done.Load() < attempts && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	close(e.hasher.gate)
	wg.Wait()
	if n := e.hasher.in.Load(); n > limit {
		t.Errorf("%d parallel wrong passwords were all verified (%d throttled); the limit is %d", n, throttled.Load(), limit)
	}
}

// TestAttackOversizeInput sends oversized headers, cookies, URLs, bodies
// and credentials: each gets a clear 4xx (or, within the server's limits,
// the ordinary answer), never a 5xx and never a panic.
func TestAttackOversizeInput(t *testing.T) {
	e := hardNewEnv(t, nil)
	tok := e.signIn("alice", hardAlicePW)
	srv := httptest.NewServer(e.handler)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	send := func(t *testing.T, r *http.Request) (int, http.Header, string) {
		t.Helper()
		res, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(b)
	}
	newReq := func(method, path string, body io.Reader) *http.Request {
		r, err := http.NewRequest(method, srv.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	t.Run("header over the server's limit", func(t *testing.T) {
		r := newReq(http.MethodGet, "/app/x", nil)
		r.Header.Set("X-Big", strings.Repeat("a", 2<<20))
		if code, _, _ := send(t, r); code != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("a 2 MiB header answered %d, want 431", code)
		}
	})
	t.Run("cookie over the server's limit", func(t *testing.T) {
		r := newReq(http.MethodGet, "/app/x", nil)
		r.Header.Set("Cookie", strings.Repeat("c=d; ", 300<<10)+secureCookie+"="+tok)
		if code, _, _ := send(t, r); code != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("a 1.5 MiB cookie answered %d, want 431", code)
		}
	})
	t.Run("many cookies within the limit", func(t *testing.T) {
		r := newReq(http.MethodGet, "/app/x", nil)
		r.Header.Set("Cookie", strings.Repeat("c=d; ", 4000)+secureCookie+"="+tok)
		if code, _, body := send(t, r); code != http.StatusOK || body != "app user=u-alice" {
			t.Fatalf("a 20 KB cookie header answered %d %q", code, body)
		}
	})
	t.Run("oversized and malformed session cookies", func(t *testing.T) {
		for _, v := range []string{strings.Repeat("A", 100<<10), tok + tok, tok[:42], "\"" + tok, "%00" + tok[3:], strings.Repeat("\"", 43)} {
			r := newReq(http.MethodGet, "/app/x", nil)
			r.Header.Set("Sec-Fetch-Mode", "cors")
			r.Header.Set("Cookie", secureCookie+"="+v)
			code, h, _ := send(t, r)
			if code != http.StatusUnauthorized || h.Get("Authgate-Login") != string(authgate.ReasonNone) {
				t.Fatalf("session cookie of %d bytes answered %d %q, want the login signal", len(v), code, h.Get("Authgate-Login"))
			}
		}
	})
	t.Run("long URL", func(t *testing.T) {
		r := newReq(http.MethodGet, "/app/"+strings.Repeat("a", 100<<10)+"?q="+strings.Repeat("b", 10<<10), nil)
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		code, h, _ := send(t, r)
		if code != http.StatusSeeOther || h.Get("Location") != "/login" {
			t.Fatalf("a 110 KB URL answered %d Location %.80q, want 303 to /login without return_to", code, h.Get("Location"))
		}
	})
	t.Run("oversized Authorization", func(t *testing.T) {
		r := newReq(http.MethodGet, "/app/x", nil)
		r.SetBasicAuth("agk_x", strings.Repeat("s", 64<<10))
		code, h, _ := send(t, r)
		if code != http.StatusUnauthorized || !strings.HasPrefix(h.Get("Www-Authenticate"), "Basic") {
			t.Fatalf("a 64 KB Basic header answered %d", code)
		}
	})
	for _, c := range []struct {
		name, ct string
		body     func() io.Reader
		length   bool
		want     int
	}{
		{"1 MiB form", "application/x-www-form-urlencoded", func() io.Reader {
			return strings.NewReader("username=alice&password=" + strings.Repeat("p", 1<<20))
		}, true, http.StatusRequestEntityTooLarge},
		{"1 MiB JSON", "application/json", func() io.Reader {
			return strings.NewReader(`{"username":"alice","password":"` + strings.Repeat("p", 1<<20) + `"}`)
		}, true, http.StatusRequestEntityTooLarge},
		{"1 MiB chunked form", "application/x-www-form-urlencoded", func() io.Reader {
			return io.MultiReader(strings.NewReader("username=alice&password="), strings.NewReader(strings.Repeat("p", 1<<20)))
		}, false, http.StatusRequestEntityTooLarge},
		{"deeply nested JSON", "application/json", func() io.Reader {
			return strings.NewReader(`{"username":` + strings.Repeat("[", 7000))
		}, true, http.StatusBadRequest},
		{"300-byte user name", "application/json", func() io.Reader {
			return hardJSONBody(strings.Repeat("u", 300), "x", "")
		}, true, http.StatusBadRequest},
		{"5000-byte password", "application/json", func() io.Reader {
			return hardJSONBody("alice", strings.Repeat("p", 5000), "")
		}, true, http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newReq(http.MethodPost, "/login", c.body())
			if !c.length {
				r.ContentLength = -1
			}
			r.Header.Set("Content-Type", c.ct)
			if code, _, body := send(t, r); code != c.want {
				t.Fatalf("answered %d %.100q, want %d", code, body, c.want)
			}
		})
	}
	t.Run("4000-byte return_to", func(t *testing.T) {
		r := newReq(http.MethodPost, "/login", hardFormBody("alice", hardAlicePW, "/"+strings.Repeat("r", 4000)))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		if code, h, _ := send(t, r); code != http.StatusSeeOther || h.Get("Location") != "/" {
			t.Fatalf("answered %d Location %.60q, want 303 to /", code, h.Get("Location"))
		}
	})
	t.Run("ten thousand Accept lines", func(t *testing.T) {
		r := hardReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		for range 10000 {
			r.Header.Add("Accept", "application/json;q=0.1;a=b;c=d")
		}
		hardDenied(t, e.do(r), authgate.KindMachine, authgate.ReasonNone)
	})
}

// TestAttackCrossSitePost checks that a signed-in browser tricked into a
// cross-site write gets 403 and the app does not run, for the app's routes
// and the gate's own (login, logout, keepalive), while a cross-site read,
// and a cross-site write with an ended session, get their usual answers.
func TestAttackCrossSitePost(t *testing.T) {
	e := hardNewEnv(t, nil)
	tok := e.signIn("alice", hardAlicePW)
	crossSite := func(method, path string, site, origin string) *http.Request {
		r := hardWithCookie(hardReq(method, path, authgate.KindNavigation, strings.NewReader("a=b")), secureCookie, tok)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Del("Sec-Fetch-Site")
		if site != "" {
			r.Header.Set("Sec-Fetch-Site", site)
		}
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		return r
	}
	forged := []struct{ name, site, origin string }{
		{"Sec-Fetch-Site cross-site", "cross-site", "https://evil.example"},
		{"Sec-Fetch-Site same-site", "same-site", "https://sub.app.example"},
		{"Origin only", "", "https://evil.example"},
		{"Origin null", "", "null"},
	}
	for _, f := range forged {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			t.Run(f.name+" "+m, func(t *testing.T) {
				before := e.ran.Load()
				w := e.do(crossSite(m, "/app/x", f.site, f.origin))
				if w.Code != http.StatusForbidden || hardParseProblem(t, w).Type != authgate.ProblemCrossOrigin {
					t.Fatalf("answered %d %q, want 403 cross-origin", w.Code, w.Body)
				}
				if e.ran.Load() != before {
					t.Fatal("the app ran for a cross-site write")
				}
			})
		}
		t.Run(f.name+" logout", func(t *testing.T) {
			if w := e.do(crossSite(http.MethodPost, "/logout", f.site, f.origin)); w.Code != http.StatusForbidden {
				t.Fatalf("cross-site logout answered %d, want 403", w.Code)
			}
			hardAs(t, e.get(tok, authgate.KindScript), "u-alice")
		})
		t.Run(f.name+" login", func(t *testing.T) {
			r := crossSite(http.MethodPost, "/login", f.site, f.origin)
			r.Body = io.NopCloser(hardFormBody("bob", hardBobPW, ""))
			w := e.do(r)
			if w.Code != http.StatusForbidden || hardSetCookie(w, secureCookie) != nil {
				t.Fatalf("cross-site login answered %d and set %v; want 403 and no cookie", w.Code, hardSetCookie(w, secureCookie))
			}
		})
		t.Run(f.name+" keepalive", func(t *testing.T) {
			if w := e.do(crossSite(http.MethodPost, "/.authgate/keepalive", f.site, f.origin)); w.Code != http.StatusForbidden {
				t.Fatalf("cross-site keepalive answered %d, want 403", w.Code)
			}
		})
	}
	t.Run("cross-site GET is a read", func(t *testing.T) {
		hardAs(t, e.do(crossSite(http.MethodGet, "/app/x", "cross-site", "")), "u-alice")
	})
	t.Run("cross-site POST with an ended session gets the login signal", func(t *testing.T) {
		old := e.signIn("alice", hardAlicePW)
		if _, err := e.mem.RevokeUserSessions(context.Background(), "u-alice"); err != nil {
			t.Fatal(err)
		}
		r := crossSite(http.MethodPost, "/app/x", "cross-site", "https://evil.example")
		r.Header.Set("Cookie", secureCookie+"="+old)
		r.Header.Set("Sec-Fetch-Mode", "cors")
		hardDenied(t, e.do(r), authgate.KindScript, authgate.ReasonRevoked)
	})
}

// TestAttackSpoofedIdentityHeaders sends the headers that proxies and
// other frameworks use to pass an identity: none of them signs a request
// in, and none changes who a signed-in request is. The client address for
// throttling is the connection's, not X-Forwarded-For.
func TestAttackSpoofedIdentityHeaders(t *testing.T) {
	e := hardNewEnv(t, nil, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: 1000, Address: 3, Window: time.Hour}
	})
	spoof := func(r *http.Request) *http.Request {
		for _, h := range []string{
			"X-User", "X-User-Id", "X-Remote-User", "Remote-User", "X-Forwarded-User", "X-Auth-Request-User",
			"X-Authenticated-User", "X-Authgate-User", "Authgate-User", "Authgate-Identity", "X-Identity",
			"X-Authgate-Session", "X-Forwarded-Email", "X-Auth-User", "X-Webauth-User", "Cf-Access-Authenticated-User-Email",
		} {
			r.Header.Set(h, "u-bob")
		}
		r.Header.Set("Authorization", "Bearer u-bob")
		r.Header.Set("X-Forwarded-For", "10.0.0.1")
		return r
	}
	for _, k := range hardKinds {
		hardDenied(t, e.do(spoof(hardReq(http.MethodGet, "/app/x", k, nil))), k, authgate.ReasonNone)
	}
	if e.ran.Load() != 0 {
		t.Fatal("the app ran for a spoofed identity")
	}
	w := e.do(spoof(hardReq(http.MethodGet, "/open/x", authgate.KindScript, nil)))
	if w.Body.String() != "app anonymous" || e.seen.Load() != nil {
		t.Fatalf("Identify with spoofed headers gave the app %q", w.Body)
	}
	tok := e.signIn("alice", hardAlicePW)
	for _, k := range hardKinds {
		hardAs(t, e.do(spoof(hardWithCookie(hardReq(http.MethodGet, "/app/x", k, nil), secureCookie, tok))), "u-alice")
		if id := e.seen.Load(); id == nil || id.UserID != "u-alice" || id.Method != authgate.MethodSession {
			t.Fatalf("the app saw %+v", id)
		}
	}
	for i := range 3 {
		r := spoof(hardReq(http.MethodPost, "/login", authgate.KindScript, hardJSONBody("nobody"+strconv.Itoa(i), "x", "")))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Forwarded-For", "10.0.0."+strconv.Itoa(i+2))
		r.Header.Set("X-Real-Ip", "10.0.1."+strconv.Itoa(i+2))
		e.do(r)
	}
	r := spoof(hardReq(http.MethodPost, "/login", authgate.KindScript, hardJSONBody("bob", hardBobPW, "")))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Forwarded-For", "10.9.9.9")
	if w := e.do(r); w.Code != http.StatusTooManyRequests {
		t.Fatalf("rotating X-Forwarded-For escaped the address throttle: %d", w.Code)
	}
}

// TestAttackNoSecretsInLogs runs every path that logs (sign-in, refused
// sign-in, unknown user, logout, keepalive, API keys good and bad,
// throttling, a store outage) with every log level on, and checks that no
// password, token, API secret or Basic credential appears in any line.
func TestAttackNoSecretsInLogs(t *testing.T) {
	var down atomic.Bool
	e := hardNewEnv(t, func(s authgate.Store) authgate.Store {
		return &hardFaultStore{Store: s, fail: func(string) bool { return down.Load() }}
	}, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: 3, Address: 1000, Window: time.Minute}
	})
	ctx := context.Background()
	k, secret, err := authgate.NewAPIKey("u-alice", "ci", e.clock.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.mem.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	wrongPWs := []string{"wrong-pw-3a9f1c", "wrong-pw-unknown-user-77e2"}
	wrongSecret := "wrong-secret-b5d3e1f0a9c8"
	var tokens []string
	tokens = append(tokens, e.signIn("alice", hardAlicePW), e.signIn("bob", hardBobPW))
	e.jsonLogin("alice", wrongPWs[0], "")
	e.formLogin("mallory", wrongPWs[1], "")
	for range 4 { // throttled after 3
		e.jsonLogin("bob", wrongPWs[0], "")
	}
	var basics []string
	for _, s := range []string{secret, wrongSecret} {
		r := hardReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth(k.ID, s)
		basics = append(basics, r.Header.Get("Authorization")[len("Basic "):])
		e.do(r)
	}
	e.do(hardWithCookie(hardReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tokens[0]))
	down.Store(true)
	for _, k := range hardKinds {
		e.get(tokens[1], k)
	}
	e.jsonLogin("alice", hardAlicePW, "")
	e.do(hardWithCookie(hardReq(http.MethodPost, "/logout", authgate.KindScript, nil), secureCookie, tokens[1]))
	e.do(hardWithCookie(hardReq(http.MethodGet, "/open/x", authgate.KindScript, nil), secureCookie, tokens[1]))
	down.Store(false)
	e.do(hardWithCookie(hardReq(http.MethodPost, "/logout", authgate.KindNavigation, nil), secureCookie, tokens[0]))
	tokens = append(tokens, e.signIn("alice", hardAlicePW))

	logs := e.logs.String()
	for _, must := range []string{"signed in", "sign-in refused", "API key refused", "store unavailable"} {
		if !strings.Contains(logs, must) {
			t.Fatalf("the logs lack %q, so the scenario did not run its paths:\n%s", must, logs)
		}
	}
	secrets := map[string]string{
		"alice's password": hardAlicePW, "bob's password": hardBobPW, "API secret": secret, "wrong API secret": wrongSecret,
	}
	for i, pw := range wrongPWs {
		secrets["wrong password "+strconv.Itoa(i)] = pw
	}
	for i, tok := range tokens {
		secrets["session token "+strconv.Itoa(i)] = tok
	}
	for i, b := range basics {
		secrets["Basic credentials "+strconv.Itoa(i)] = b
	}
	for what, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the logs hold the %s", what)
		}
		// A secret must not be there in part either (a truncated token).
		if len(s) > 16 && strings.Contains(logs, s[:16]) {
			t.Errorf("the logs hold the start of the %s", what)
		}
	}
}
