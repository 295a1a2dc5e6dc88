package authgate_test

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// TestSessionToken: a token is 256 random bits in base64url; the store
// keys the session by SHA-256 of the token's bytes and never sees the
// token itself.
func TestSessionToken(t *testing.T) {
	e := newEnv(t)
	seen := make(map[string]bool)
	var all []authgate.Session
	for i := range 50 {
		tok := e.signIn()
		if !tokenRE.MatchString(tok) {
			t.Fatalf("token %q is not 43 base64url characters", tok)
		}
		if raw, _ := base64.RawURLEncoding.DecodeString(tok); len(raw) != 32 {
			t.Fatalf("token %q holds %d bytes, want 32", tok, len(raw))
		}
		if seen[tok] {
			t.Fatalf("token repeated after %d sign-ins", i)
		}
		seen[tok] = true
		s, ok := e.session(tok)
		if !ok {
			t.Fatal("the store holds no session under SHA-256 of the token")
		}
		all = append(all, s)
	}
	for _, s := range all {
		dump := fmt.Sprintf("%+v %s", s, hex.EncodeToString(s.ID[:]))
		for tok := range seen {
			if strings.Contains(dump, tok) {
				t.Fatalf("the store holds a token: %s", dump)
			}
		}
		if s.UserID != testUserID || s.UserName != testName || s.IdleTimeout != 30*time.Minute {
			t.Errorf("stored session %+v", s)
		}
		if !s.Expires.Equal(s.CreatedAt.Add(12*time.Hour)) || !s.LastSeen.Equal(s.CreatedAt) {
			t.Errorf("stored deadlines: created %v last seen %v expires %v", s.CreatedAt, s.LastSeen, s.Expires)
		}
	}
	e.logs.AssertNoSecrets(t, keys(seen)...)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSessionTokenShape: tokens of the wrong shape are not looked up.
func TestSessionTokenShape(t *testing.T) {
	e := newEnv(t)
	tok := e.signIn()
	for _, bad := range []string{
		tok[:42],         // short
		tok + "A",        // long
		tok[:42] + "=",   // padding
		tok[:42] + "+",   // std alphabet
		tok[:42] + "!",   // not base64
		" " + tok[1:],    // space
		tok[:42] + "B",   // non-canonical last character (Strict decoding)
		`"` + tok + `"x`, // broken quoting
	} {
		if bad == tok {
			continue
		}
		rec := e.do(newReq("GET", "/data", "Sec-Fetch-Mode", "cors", "Cookie", secureCookie+"="+bad))
		if rec.Code == http.StatusOK {
			t.Errorf("token %q was accepted", bad)
		}
	}
	// A quoted token is unquoted, as RFC 6265 allows.
	r := newReq("GET", "/data", "Cookie", secureCookie+`="`+tok+`"`)
	if rec := e.do(r); rec.Code != http.StatusOK {
		t.Errorf("quoted token: status %d", rec.Code)
	}
}

// TestIdleTimeoutSlides: activity moves the idle deadline; inactivity
// ends the session exactly at the deadline.
func TestIdleTimeoutSlides(t *testing.T) {
	e := newEnv(t)
	tok := e.signIn()
	get := func() *httptest.ResponseRecorder {
		return e.do(withSession(newReq("GET", "/data", "Sec-Fetch-Mode", "cors"), tok))
	}
	steps := []struct {
		advance time.Duration
		want    int
	}{
		// Touches write the last-seen time rounded down to the touch
		// interval (1m), so each deadline is slot + 30m.
		{20 * time.Minute, 200},                // t=20m, deadline 50m
		{20 * time.Minute, 200},                // t=40m, deadline 70m
		{29*time.Minute + 59*time.Second, 200}, // t=69m59s, deadline 99m
		{29 * time.Minute, 200},                // t=98m59s, deadline 128m
		{29*time.Minute + 1*time.Second, 401},  // t=128m: exactly at the deadline
	}
	for i, s := range steps {
		e.clock.Add(s.advance)
		rec := get()
		if rec.Code != s.want {
			t.Fatalf("step %d: status %d, want %d", i, rec.Code, s.want)
		}
		if s.want == 401 && rec.Header().Get("Authgate-Login") != "expired" {
			t.Errorf("reason %q, want expired", rec.Header().Get("Authgate-Login"))
		}
	}
}

// TestLifetimeAbsolute: activity never extends a session past its
// lifetime.
func TestLifetimeAbsolute(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) { c.Lifetime = time.Hour })
	tok := e.signIn()
	for i := range 5 { // t = 10m .. 50m
		e.clock.Add(10 * time.Minute)
		if rec := e.do(withSession(newReq("GET", "/data"), tok)); rec.Code != 200 {
			t.Fatalf("at %d0m: status %d", i+1, rec.Code)
		}
	}
	e.clock.Add(10*time.Minute - time.Second) // t = 59m59s
	rec := e.do(withSession(newReq("GET", "/data"), tok))
	if rec.Code != 200 {
		t.Fatalf("just before the lifetime: status %d", rec.Code)
	}
	// The companion cookie's idle deadline is capped at the lifetime.
	if c := cookieNamed(rec, authgate.CompanionCookie); c != nil {
		idle, life, _ := authgate.ParseCompanion(c.Value)
		if idle.After(life) {
			t.Errorf("companion idle %v after lifetime %v", idle, life)
		}
	}
	e.clock.Add(time.Second) // t = 1h
	rec = e.do(withSession(newReq("GET", "/data", "Sec-Fetch-Mode", "cors"), tok))
	if rec.Code != 401 || rec.Header().Get("Authgate-Login") != "expired" {
		t.Errorf("at the lifetime: status %d, reason %q", rec.Code, rec.Header().Get("Authgate-Login"))
	}
}

// TestCookieAttributes: the session cookie is __Host- and Secure on https
// and by default everywhere; plain and not Secure only with InsecureCookies
// on plain http, localhost included (for WebKit).
func TestCookieAttributes(t *testing.T) {
	tests := []struct {
		insecure bool
		url      string
		name     string
		secure   bool
	}{
		{false, "https://app.example/", secureCookie, true},
		{false, "http://app.example/", secureCookie, true},
		{true, "https://app.example/", secureCookie, true},
		{false, "http://localhost:8080/", secureCookie, true},
		{false, "http://127.0.0.1:8080/", secureCookie, true},
		{true, "http://localhost:8080/", plainCookie, false},
		{true, "http://localhost/", plainCookie, false},
		{true, "http://127.0.0.1:8080/", plainCookie, false},
		{true, "http://[::1]:8080/", plainCookie, false},
		{true, "http://app.example/", plainCookie, false},
		{true, "http://192.168.1.20:8080/", plainCookie, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("insecure=%v %s", tt.insecure, tt.url), func(t *testing.T) {
			e := newEnv(t, func(c *authgate.Config) { c.InsecureCookies = tt.insecure })
			form := url.Values{"username": {testLogin}, "password": {testPassword}}.Encode()
			rec := e.do(withBody(newReq("POST", tt.url+"login", "Sec-Fetch-Mode", "navigate", "Accept", "text/html"),
				"application/x-www-form-urlencoded", form))
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("sign-in: status %d", rec.Code)
			}
			var sc, cc *http.Cookie
			for _, c := range rec.Result().Cookies() {
				switch c.Name {
				case tt.name:
					sc = c
				case authgate.CompanionCookie:
					cc = c
				default:
					t.Errorf("unexpected cookie %s", c.Name)
				}
			}
			if sc == nil || cc == nil {
				t.Fatalf("cookies %v, want %s and %s", rec.Header().Values("Set-Cookie"), tt.name, authgate.CompanionCookie)
			}
			if sc.Secure != tt.secure || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" || sc.Domain != "" {
				t.Errorf("session cookie %q", sc.String())
			}
			if sc.MaxAge != 0 || !sc.Expires.IsZero() {
				t.Errorf("session cookie is persistent: %q", sc.String())
			}
			if cc.Secure != tt.secure || cc.HttpOnly || cc.SameSite != http.SameSiteLaxMode || cc.Path != "/" {
				t.Errorf("companion cookie %q", cc.String())
			}
			// The cookie works on the same host.
			g := newReq("GET", tt.url+"data")
			g.AddCookie(&http.Cookie{Name: tt.name, Value: sc.Value})
			if rec := e.do(g); rec.Code != 200 {
				t.Errorf("signed-in GET: status %d", rec.Code)
			}
		})
	}
}

// TestCompanionCookie: the companion cookie holds the two deadlines and is
// not set again while the request carries the current value.
func TestCompanionCookie(t *testing.T) {
	e := newEnv(t)
	r := newReq("POST", "/login")
	w := httptest.NewRecorder()
	s, err := e.gate.SignIn(r.Context(), w, r, authgate.User{ID: testUserID, Name: testName})
	if err != nil {
		t.Fatal(err)
	}
	tok := cookieNamed(w, secureCookie).Value
	comp := cookieNamed(w, authgate.CompanionCookie).Value
	now := e.clock.Now()
	want := strconv.FormatInt(now.Add(30*time.Minute).Unix(), 10) + "." + strconv.FormatInt(now.Add(12*time.Hour).Unix(), 10)
	if comp != want {
		t.Fatalf("companion = %q, want %q", comp, want)
	}
	if idle := s.IdleDeadline(); idle.Unix() != now.Add(30*time.Minute).Unix() {
		t.Errorf("IdleDeadline = %v", idle)
	}
	if strings.Contains(comp, tok[:8]) {
		t.Error("the companion cookie holds part of the token")
	}

	e.clock.Add(10 * time.Second)
	both := func(companion string) *http.Request {
		r := withSession(newReq("GET", "/data"), tok)
		if companion != "" {
			r.AddCookie(&http.Cookie{Name: authgate.CompanionCookie, Value: companion})
		}
		return r
	}
	rec := e.do(both(comp))
	if rec.Code != 200 || rec.Header().Values("Set-Cookie") != nil {
		t.Errorf("current companion: status %d Set-Cookie %q, want 200 and none", rec.Code, rec.Header().Values("Set-Cookie"))
	}
	for _, stale := range []string{"", "1.2", "garbage"} {
		rec = e.do(both(stale))
		if c := cookieNamed(rec, authgate.CompanionCookie); c == nil || c.Value != comp {
			t.Errorf("companion %q: Set-Cookie %q, want %q", stale, rec.Header().Values("Set-Cookie"), comp)
		}
	}
	// After a touch the deadline moves, and the cookie with it.
	e.clock.Add(time.Minute)
	rec = e.do(both(comp))
	c := cookieNamed(rec, authgate.CompanionCookie)
	if c == nil || c.Value == comp {
		t.Fatalf("after a touch: Set-Cookie %q", rec.Header().Values("Set-Cookie"))
	}
	idle, _, ok := authgate.ParseCompanion(c.Value)
	if !ok || idle.Unix() != e.clock.Now().Truncate(time.Minute).Add(30*time.Minute).Unix() {
		t.Errorf("after a touch: companion %q", c.Value)
	}
	// API key requests get no cookies at all.
	id, secret := e.newKey(time.Time{})
	rec = e.do(newReq("GET", "/data", "Authorization", basicAuth(id, secret)))
	if rec.Code != 200 || rec.Header().Values("Set-Cookie") != nil {
		t.Errorf("API key: status %d Set-Cookie %q", rec.Code, rec.Header().Values("Set-Cookie"))
	}
}

// TestParseCompanion checks the companion cookie parser.
func TestParseCompanion(t *testing.T) {
	tests := []struct {
		in         string
		ok         bool
		idle, life int64
	}{
		{"1741084200.1741125600", true, 1741084200, 1741125600},
		{"0.0", true, 0, 0},
		{"999999999999.1", true, 999999999999, 1},
		{"", false, 0, 0},
		{"1", false, 0, 0},
		{"1.", false, 0, 0},
		{".1", false, 0, 0},
		{"a.b", false, 0, 0},
		{"-1.2", false, 0, 0},
		{"1.-2", false, 0, 0},
		{"+1.2", false, 0, 0},
		{"1.2.3", false, 0, 0},
		{"1000000000000.1", false, 0, 0},
		{" 1.2", false, 0, 0},
		{"1.2 ", false, 0, 0},
		{"0x10.1", false, 0, 0},
	}
	for _, tt := range tests {
		idle, life, ok := authgate.ParseCompanion(tt.in)
		if ok != tt.ok {
			t.Errorf("ParseCompanion(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if ok && (idle.Unix() != tt.idle || life.Unix() != tt.life) {
			t.Errorf("ParseCompanion(%q) = %d, %d", tt.in, idle.Unix(), life.Unix())
		}
	}
}

// TestTouchCoalescing: a burst of requests on one session writes the store
// at most once per touch interval, also when they run concurrently.
func TestTouchCoalescing(t *testing.T) {
	e := newEnv(t)
	tok := e.signIn()
	touches := func() int { return e.store.Calls("TouchSession") }
	burst := func(n, workers int) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		bad := 0
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += workers {
					rec := httptest.NewRecorder()
					e.mux.ServeHTTP(rec, withSession(newReq("GET", "/data"), tok))
					if rec.Code != 200 {
						mu.Lock()
						bad++
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		if bad != 0 {
			t.Fatalf("%d of %d requests failed", bad, n)
		}
	}
	e.clock.Add(30 * time.Second)
	burst(1000, 1)
	if n := touches(); n != 0 {
		t.Errorf("inside the first interval: %d touches, want 0", n)
	}
	e.clock.Add(31 * time.Second) // 61s since sign-in
	burst(1000, 50)
	if n := touches(); n != 1 {
		t.Errorf("after the interval, concurrent burst: %d touches, want 1", n)
	}
	e.clock.Add(58 * time.Second) // 119s: still the slot of the last touch
	burst(1000, 50)
	if n := touches(); n != 1 {
		t.Errorf("inside the next interval: %d touches, want still 1", n)
	}
	e.clock.Add(time.Second) // 120s: the next slot
	burst(1000, 1)
	if n := touches(); n != 2 {
		t.Errorf("after the next interval: %d touches, want 2", n)
	}
	if got := e.ran.Load(); got != 4000 {
		t.Errorf("handler ran %d times, want 4000", got)
	}
}

// TestTouchIntervalConfig: New checks the touch interval and the timeouts.
func TestTouchIntervalConfig(t *testing.T) {
	for _, c := range []authgate.Config{
		{TouchInterval: -time.Second},
		{IdleTimeout: time.Minute, TouchInterval: time.Minute},
		{IdleTimeout: time.Millisecond},
		{IdleTimeout: time.Hour, Lifetime: time.Minute},
		{LoginPath: "login"},
		{LoginPath: "//evil.example"},
		{LogoutPath: "/out?x"},
		{Prefix: "/a b/"},
		{HomePath: "https://evil.example/"},
		{Realm: `a"b`},
	} {
		c.Store = memstore.New()
		c.Hasher = testkit.Hasher
		if _, err := authgate.New(c); err == nil {
			t.Errorf("New accepted %+v", c)
		}
	}
	if _, err := authgate.New(authgate.Config{}); err == nil {
		t.Error("New accepted a Config without a Store")
	}
}
