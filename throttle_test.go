package authgate_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// throttled sets a small limit so the tests stay short.
func throttled(c *authgate.Config) {
	c.Throttle = authgate.ThrottleConfig{Account: 3, Address: 1000, Window: time.Minute}
}

func jsonLogin(user, password string) *http.Request {
	return withBody(newReq("POST", "/login", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin"),
		"application/json", `{"username":"`+user+`","password":"`+password+`"}`)
}

func check429(t *testing.T, rec *httptest.ResponseRecorder, maxWait int) {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status = %d, want 429; body %q", rec.Code, rec.Body.String())
	}
	// TestThrottleRetryAfterExact checks the exact value; here one second
	// of slack keeps the flows apart from that rounding.
	ra, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || ra <= 0 || ra > maxWait+1 {
		t.Errorf("Retry-After = %q, want 1..%d", rec.Header().Get("Retry-After"), maxWait+1)
	}
	if rec.Header().Get("Authgate-Login") != "" || rec.Header().Get("Www-Authenticate") != "" {
		t.Errorf("a 429 carries a login signal: %v", rec.Header())
	}
}

// TestThrottlePasswords: bad passwords for one account get 429 with
// Retry-After, even with the right password, until the window passes.
func TestThrottlePasswords(t *testing.T) {
	e := newEnv(t, throttled)
	for i := range 3 {
		if rec := e.do(jsonLogin(testLogin, "wrong"+strconv.Itoa(i))); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i, rec.Code)
		}
	}
	verifies := e.hasher.verifies.Load()
	rec := e.do(jsonLogin(testLogin, testPassword))
	check429(t, rec, 60)
	if p := parseProblem(t, rec); p.Type != authgate.ProblemTooMany || p.Status != 429 {
		t.Errorf("body = %+v", p)
	}
	if n := e.hasher.verifies.Load() - verifies; n != 0 {
		t.Errorf("a throttled sign-in ran %d password verifications, want 0", n)
	}
	// Another account from the same address is not blocked.
	if rec := e.do(jsonLogin("bob", "x")); rec.Code != http.StatusUnauthorized {
		t.Errorf("another account: status %d, want 401", rec.Code)
	}
	// Logins are matched exactly: the name in another case is another
	// login, neither throttled nor signed in as this one.
	if rec := e.do(jsonLogin(strings.ToUpper(testLogin), testPassword)); rec.Code != http.StatusUnauthorized {
		t.Errorf("the login in upper case: status %d, want 401", rec.Code)
	}

	e.clock.Add(59 * time.Second)
	check429(t, e.do(jsonLogin(testLogin, testPassword)), 1)
	e.clock.Add(time.Second)
	if rec := e.do(jsonLogin(testLogin, testPassword)); rec.Code != http.StatusOK {
		t.Fatalf("after the window: status %d, want 200; body %q", rec.Code, rec.Body.String())
	}
	e.assertNoSecrets(testPassword)
}

// TestThrottleFormLogin: a form sign-in gets the page with 429 and
// Retry-After, and a message.
func TestThrottleFormLogin(t *testing.T) {
	e := newEnv(t, throttled)
	for range 3 {
		e.do(formLogin(testLogin, "wrong", ""))
	}
	rec := e.do(formLogin(testLogin, testPassword, ""))
	check429(t, rec, 60)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q, want the login page", ct)
	}
	if !strings.Contains(rec.Body.String(), "Too many attempts. Please wait 1 minute") {
		t.Errorf("the page does not say to wait:\n%s", rec.Body.String())
	}
	if cookieNamed(rec, secureCookie) != nil {
		t.Error("a throttled sign-in set a session cookie")
	}
}

// TestThrottleAPIKeys: bad secrets from one address get 429 from that
// address, for every kind, and the key works again after the window. The
// key id itself is never locked (see TestLockoutKeyIDNotLocked).
func TestThrottleAPIKeys(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: 1000, Address: 3, Window: time.Minute}
	})
	id, secret := e.newKey(time.Time{})
	bad := basicAuth(id, strings.Repeat("A", 43))
	for i := range 3 {
		rec := e.do(newReq("GET", "/data", "Authorization", bad))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status %d, want 401", i, rec.Code)
		}
	}
	for _, hdr := range [][]string{
		{"User-Agent", "curl/8"},
		{"Sec-Fetch-Mode", "cors"},
		{"Sec-Fetch-Mode", "navigate"},
	} {
		r := newReq("GET", "/data", hdr...)
		r.Header.Set("Authorization", basicAuth(id, secret))
		rec := e.do(r)
		check429(t, rec, 60)
		if p := parseProblem(t, rec); p.Type != authgate.ProblemTooMany {
			t.Errorf("type = %q", p.Type)
		}
	}
	if e.ran.Load() != 0 {
		t.Error("the handler ran for a throttled key")
	}
	e.clock.Add(time.Minute)
	r := newReq("GET", "/data", "Authorization", basicAuth(id, secret))
	if rec := e.do(r); rec.Code != http.StatusOK {
		t.Errorf("after the window: status %d, want 200", rec.Code)
	}
	e.assertNoSecrets(secret)
}

// TestThrottlePerAddress: many unknown key ids from one address are
// throttled by address.
func TestThrottlePerAddress(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: 100, Address: 5, Window: time.Minute}
	})
	for i := range 5 {
		e.do(newReq("GET", "/data", "Authorization", basicAuth("agk_unknown"+strconv.Itoa(i), "s")))
	}
	check429(t, e.do(newReq("GET", "/data", "Authorization", basicAuth("agk_other", "s"))), 60)
	// Another address is not blocked.
	r := newReq("GET", "/data", "Authorization", basicAuth("agk_other", "s"))
	r.RemoteAddr = "192.0.2.99:1234"
	if rec := e.do(r); rec.Code != http.StatusUnauthorized {
		t.Errorf("another address: status %d, want 401", rec.Code)
	}
}

// TestThrottleRetryAfterExact: Retry-After is the time left in the
// window, rounded up to whole seconds, so that a client that waits exactly
// that long gets through.
func TestThrottleRetryAfterExact(t *testing.T) {
	e := newEnv(t, throttled)
	for range 3 {
		e.do(jsonLogin(testLogin, "wrong"))
	}
	for _, tt := range []struct {
		after time.Duration // since the first failure
		want  string
	}{
		{0, "60"},
		{500 * time.Millisecond, "60"},
		{time.Second, "59"},
		{59 * time.Second, "1"},
		{59*time.Second + 999*time.Millisecond, "1"},
	} {
		c := newClock()
		e.clock.mu.Lock()
		e.clock.t = c.t.Add(tt.after)
		e.clock.mu.Unlock()
		rec := e.do(jsonLogin(testLogin, testPassword))
		if rec.Code != http.StatusTooManyRequests {
			t.Fatalf("at +%v: status %d, want 429", tt.after, rec.Code)
		}
		if got := rec.Header().Get("Retry-After"); got != tt.want {
			t.Errorf("at +%v: Retry-After = %s, want %s", tt.after, got, tt.want)
		}
	}
}

// TestThrottleConfigChecked: New refuses nonsense limits.
func TestThrottleConfigChecked(t *testing.T) {
	for _, tc := range []authgate.ThrottleConfig{
		{Account: -1},
		{Address: -1},
		{Window: time.Millisecond},
		{MaxEntries: -1},
		{MaxDelay: time.Millisecond},
		{Remember: -time.Hour},
	} {
		if _, err := authgate.New(authgate.Config{Store: newFakeStore(), Hasher: cheapHasher, Throttle: tc}); err == nil {
			t.Errorf("New accepted Throttle %+v", tc)
		}
	}
}
