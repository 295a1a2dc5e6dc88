package authgate_test

// Attacks on credentials, each written as a test that fails if the attack
// works: user enumeration, brute force (sequential and parallel) and
// spoofed identity headers. docs/SECURITY.md maps each promise to its test.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// TestAttackUserEnumeration checks that an unknown user, a known user with
// a wrong password, and a user with no usable password hash all take the
// same path at the same cost: one argon2id verification with the same
// parameters, and the same answer.
func TestAttackUserEnumeration(t *testing.T) {
	e := newEnv(t)
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
			w = e.loginJSON(user, pw, "/app/x")
		} else {
			w = e.loginForm(user, pw, "/app/x")
		}
		c1, w1 := e.hasher.counts()
		o := outcome{status: w.Code, body: strings.ReplaceAll(w.Body.String(), user, "USER"), calls: c1 - c0, work: w1 - w0}
		if c1 > c0 {
			o.verifyParams = e.hasher.lastParams()
		}
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
			if wrong.verifyParams != hashParams(aliceUser.PasswordHash) {
				t.Fatalf("verified against %q, want alice's %q", wrong.verifyParams, hashParams(aliceUser.PasswordHash))
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
		keyID, _ := e.newKey(time.Time{})
		call := func(id string) *httptest.ResponseRecorder {
			r := kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
			r.SetBasicAuth(id, "wrong-secret-wrong-secret-wrong-secret-xx")
			return e.do(r)
		}
		known, unknown := call(keyID), call("agk_aaaaaaaaaaaaaaaa")
		if known.Code != unknown.Code || known.Body.String() != unknown.Body.String() ||
			known.Header().Get("Www-Authenticate") != unknown.Header().Get("Www-Authenticate") {
			t.Fatalf("a known key with a wrong secret (%d %q) and an unknown key (%d %q) answer differently",
				known.Code, known.Body, unknown.Code, unknown.Body)
		}
	})
}

// TestAttackBruteForce guesses passwords and API key secrets until the
// gate throttles: 429 with an honest Retry-After and no login signal, no
// password check while throttled (so a right guess is not revealed), for
// the account in any letter case and every kind of caller, while other
// accounts and addresses are served; and normal service once the window
// has passed.
func TestAttackBruteForce(t *testing.T) {
	const window = 10 * time.Minute
	const maxWait = int(window / time.Second)
	throttle := func(account, address int) func(*authgate.Config) {
		return func(c *authgate.Config) {
			c.Throttle = authgate.ThrottleConfig{Account: account, Address: address, Window: window}
		}
	}
	t.Run("per account", func(t *testing.T) {
		e := newEnv(t, throttle(5, 1000))
		for i := range 5 {
			if w := e.loginJSON("alice", "guess-"+strconv.Itoa(i), ""); w.Code != http.StatusUnauthorized {
				t.Fatalf("guess %d answered %d", i, w.Code)
			}
		}
		calls, _ := e.hasher.counts()
		wait := assertTooMany(t, e.loginJSON("alice", testPassword, ""), maxWait)
		form := e.loginForm("alice", testPassword, "")
		assertTooMany(t, form, maxWait)
		if !strings.HasPrefix(form.Header().Get("Content-Type"), "text/html") || !strings.Contains(form.Body.String(), "Too many attempts. Please wait") {
			t.Fatalf("the form while throttled answered %q without saying to wait:\n%s", form.Header().Get("Content-Type"), form.Body)
		}
		if cookieNamed(form, secureCookie) != nil {
			t.Fatal("a throttled sign-in set a session cookie")
		}
		if c, _ := e.hasher.counts(); c != calls {
			t.Fatal("a throttled attempt still verified the password")
		}
		// Logins are matched exactly: the name in another case is another
		// login, neither throttled nor signed in as this one.
		if w := e.loginJSON("ALICE", testPassword, ""); w.Code != http.StatusUnauthorized {
			t.Fatalf("the login in upper case answered %d, want 401", w.Code)
		}
		if w := e.loginJSON("bob", bobPassword, ""); w.Code != http.StatusOK {
			t.Fatalf("another account answered %d while alice is throttled", w.Code)
		}
		e.clock.Add(time.Duration(wait-1) * time.Second)
		assertTooMany(t, e.loginJSON("alice", testPassword, ""), 1)
		if form := e.loginForm("alice", testPassword, ""); !strings.Contains(form.Body.String(), "Please wait 1 second") {
			t.Fatalf("the form a second before Retry-After ends does not say to wait 1 second:\n%s", form.Body)
		}
		e.clock.Add(time.Second)
		if w := e.loginJSON("alice", testPassword, ""); w.Code != http.StatusOK {
			t.Fatalf("after Retry-After the right password answered %d", w.Code)
		}
		e.logs.AssertNoSecrets(t, testPassword)
	})
	t.Run("per address", func(t *testing.T) {
		for _, guess := range []struct {
			what string
			req  func(i int) *http.Request
		}{
			{"unknown users", func(i int) *http.Request {
				r := kindReq(http.MethodPost, "/login", authgate.KindScript, jsonBody("nobody"+strconv.Itoa(i), "x", ""))
				r.Header.Set("Content-Type", "application/json")
				return r
			}},
			{"unknown API keys", func(i int) *http.Request {
				r := kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
				r.SetBasicAuth("agk_unknown"+strconv.Itoa(i), "s")
				return r
			}},
		} {
			t.Run(guess.what, func(t *testing.T) {
				e := newEnv(t, throttle(1000, 5))
				for i := range 5 {
					if w := e.do(guess.req(i)); w.Code != http.StatusUnauthorized {
						t.Fatalf("guess %d answered %d", i, w.Code)
					}
				}
				assertTooMany(t, e.do(guess.req(5)), maxWait)
				assertTooMany(t, e.loginJSON("alice", testPassword, ""), maxWait)
				r := kindReq(http.MethodPost, "/login", authgate.KindScript, jsonBody("alice", testPassword, ""))
				r.Header.Set("Content-Type", "application/json")
				r.RemoteAddr = "203.0.113.9:5555"
				if w := e.do(r); w.Code != http.StatusOK {
					t.Fatalf("another address answered %d", w.Code)
				}
				e.clock.Add(window)
				if w := e.loginJSON("alice", testPassword, ""); w.Code != http.StatusOK {
					t.Fatalf("after the window the address answered %d", w.Code)
				}
			})
		}
	})
	t.Run("API key secret", func(t *testing.T) {
		// Key ids are never locked; guessing is limited by address.
		e := newEnv(t, throttle(1000, 5))
		keyID, secret := e.newKey(time.Time{})
		call := func(kind authgate.Kind, sec string) *httptest.ResponseRecorder {
			r := kindReq(http.MethodGet, "/app/x", kind, nil)
			r.SetBasicAuth(keyID, sec)
			return e.do(r)
		}
		for i := range 5 {
			assertDenied(t, call(authgate.KindMachine, "guess-"+strconv.Itoa(i)), authgate.KindMachine, authgate.ReasonInvalid)
		}
		wait := 0
		for _, kind := range allKinds {
			wait = assertTooMany(t, call(kind, secret), maxWait)
		}
		if e.ran.Load() != 0 {
			t.Fatal("the app ran during the attack")
		}
		e.clock.Add(time.Duration(wait) * time.Second)
		assertServed(t, call(authgate.KindMachine, secret), testUserID)
		e.logs.AssertNoSecrets(t, secret)
	})
}

// TestAttackBruteForceConcurrent sends many wrong passwords at once, so
// that they are all in flight before the first is counted. The throttle
// must still verify no more passwords than its limit: a limit checked
// before the slow hash and counted after it lets a parallel attacker try
// as many passwords as it can open connections.
func TestAttackBruteForceConcurrent(t *testing.T) {
	const limit, attempts = 3, 12
	e := newEnv(t, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: limit, Address: 1000, Window: time.Hour}
		c.HashLimit.Running = attempts // the throttle, not the hash limit, is under test
	})
	e.hasher.hold = make(chan struct{})
	var done, throttled atomic.Int64
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer done.Add(1)
			if w := e.loginJSON("alice", "parallel-guess-"+strconv.Itoa(i), ""); w.Code == http.StatusTooManyRequests {
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
	close(e.hasher.hold)
	wg.Wait()
	if n := e.hasher.in.Load(); n > limit {
		t.Errorf("%d parallel wrong passwords were all verified (%d throttled); the limit is %d", n, throttled.Load(), limit)
	}
}

// TestAttackSpoofedIdentityHeaders sends the headers that proxies and
// other frameworks use to pass an identity: none of them signs a request
// in, and none changes who a signed-in request is. The client address for
// throttling is the connection's, not X-Forwarded-For.
func TestAttackSpoofedIdentityHeaders(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: 1000, Address: 3, Window: time.Hour}
	})
	spoof := func(r *http.Request) *http.Request {
		for _, h := range []string{
			"X-User", "X-User-Id", "X-Remote-User", "Remote-User", "X-Forwarded-User", "X-Auth-Request-User",
			"X-Authenticated-User", "X-Authgate-User", "Authgate-User", "Authgate-Identity", "X-Identity",
			"X-Authgate-Session", "X-Forwarded-Email", "X-Auth-User", "X-Webauth-User", "Cf-Access-Authenticated-User-Email",
		} {
			r.Header.Set(h, bobUserID)
		}
		r.Header.Set("Authorization", "Bearer u-bob")
		r.Header.Set("X-Forwarded-For", "10.0.0.1")
		return r
	}
	for _, k := range allKinds {
		assertDenied(t, e.do(spoof(kindReq(http.MethodGet, "/app/x", k, nil))), k, authgate.ReasonNone)
	}
	if e.ran.Load() != 0 {
		t.Fatal("the app ran for a spoofed identity")
	}
	w := e.do(spoof(kindReq(http.MethodGet, "/open/x", authgate.KindScript, nil)))
	if w.Body.String() != "anonymous" || e.seen.Load() != nil {
		t.Fatalf("Identify with spoofed headers gave the app %q", w.Body)
	}
	tok := e.signInAs(testLogin, testPassword)
	for _, k := range allKinds {
		assertServed(t, e.do(spoof(withCookie(kindReq(http.MethodGet, "/app/x", k, nil), secureCookie, tok))), testUserID)
		if id := e.seen.Load(); id == nil || id.UserID != testUserID || id.Method != authgate.MethodSession {
			t.Fatalf("the app saw %+v", id)
		}
	}
	keyID, secret := e.newKey(time.Time{})
	r := spoof(kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil))
	r.SetBasicAuth(keyID, secret)
	assertServed(t, e.do(r), testUserID)
	if id := e.seen.Load(); id == nil || id.UserID != testUserID || id.Method != authgate.MethodAPIKey || id.KeyID != keyID {
		t.Fatalf("the app saw %+v", id)
	}
	for i := range 3 {
		r := spoof(kindReq(http.MethodPost, "/login", authgate.KindScript, jsonBody("nobody"+strconv.Itoa(i), "x", "")))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Forwarded-For", "10.0.0."+strconv.Itoa(i+2))
		r.Header.Set("X-Real-Ip", "10.0.1."+strconv.Itoa(i+2))
		e.do(r)
	}
	r = spoof(kindReq(http.MethodPost, "/login", authgate.KindScript, jsonBody("bob", bobPassword, "")))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Forwarded-For", "10.9.9.9")
	if w := e.do(r); w.Code != http.StatusTooManyRequests {
		t.Fatalf("rotating X-Forwarded-For escaped the address throttle: %d", w.Code)
	}
}
