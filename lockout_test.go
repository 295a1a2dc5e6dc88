package authgate_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// The attacks of this file come from strangers' addresses; the owner signs
// in from ownerAddr.
const (
	lockOwner   = "owner"
	lockOwnerPW = "the owner's password"
	ownerAddr   = "192.0.2.10"
)

// lockEnv is a gate with one user and one API key of that user, in front
// of an API that answers 200.
type lockEnv struct {
	t      *testing.T
	h      http.Handler
	clock  *testkit.Clock
	keyID  string
	secret string
}

func newLockEnv(t *testing.T, thr authgate.ThrottleConfig) *lockEnv {
	t.Helper()
	clock := testkit.NewClockAt(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	st := memstore.New(memstore.WithClock(clock.Now))
	testkit.AddUser(t, st, authgate.User{ID: "u-owner", Login: lockOwner}, lockOwnerPW)
	keyID, secret := testkit.AddKey(t, st, "u-owner", clock.Now(), time.Time{})
	g, err := authgate.New(authgate.Config{
		Store: st, Hasher: testkit.Hasher, Throttle: thr, Now: clock.Now,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/login", g)
	mux.Handle("/api", g.Require(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})))
	return &lockEnv{t: t, h: mux, clock: clock, keyID: keyID, secret: secret}
}

// signIn posts a browser's sign-in form from addr: 303 is signed in.
func (e *lockEnv) signIn(login, password, addr string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, floodLogin(login, password, addr))
	return w
}

// api calls the API with Basic credentials from addr.
func (e *lockEnv) api(user, password, addr string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "https://app.example/api", nil)
	r.Header.Set("User-Agent", "curl/8")
	r.SetBasicAuth(user, password)
	r.RemoteAddr = addr + ":40000"
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// want fails the test unless w has the status.
func (e *lockEnv) want(w *httptest.ResponseRecorder, status int, what string) {
	e.t.Helper()
	if w.Code != status {
		e.t.Fatalf("%s answered %d, want %d; Retry-After %q", what, w.Code, status, w.Header().Get("Retry-After"))
	}
}

// lockRetryAfter returns a 429's Retry-After in seconds.
func lockRetryAfter(t *testing.T, w *httptest.ResponseRecorder) int {
	t.Helper()
	n, err := strconv.Atoi(w.Header().Get("Retry-After"))
	if w.Code != http.StatusTooManyRequests || err != nil || n < 1 {
		t.Fatalf("want 429 with Retry-After, got %d %q", w.Code, w.Header().Get("Retry-After"))
	}
	return n
}

func lockStranger(i int) string { return "203.0.113." + strconv.Itoa(1+i%250) }

// TestLockoutBasicGuessesSpareTheAccount: Basic requests with a login as
// the user name are API key attempts; they count against their address
// only, never against the login's password.
func TestLockoutBasicGuessesSpareTheAccount(t *testing.T) {
	e := newLockEnv(t, authgate.ThrottleConfig{})
	for i := range 30 {
		e.want(e.api(lockOwner, "x"+strconv.Itoa(i), lockStranger(0)), http.StatusUnauthorized, "a Basic guess")
	}
	e.want(e.signIn(lockOwner, lockOwnerPW, ownerAddr), http.StatusSeeOther, "the owner's sign-in from another address")
	e.want(e.signIn(lockOwner, lockOwnerPW, lockStranger(0)), http.StatusSeeOther, "the owner's sign-in from the guessing address")
}

// TestLockoutKeyIDNotLocked: an API key id is never locked. Sign-ins with
// the key id as the login count in the logins' space, and any number of
// wrong secrets from many addresses leave the key working.
func TestLockoutKeyIDNotLocked(t *testing.T) {
	e := newLockEnv(t, authgate.ThrottleConfig{Address: 20})
	for i := range 30 {
		w := e.signIn(e.keyID, "x"+strconv.Itoa(i), lockStranger(0))
		if w.Code != http.StatusUnauthorized && w.Code != http.StatusTooManyRequests {
			t.Fatalf("a sign-in with the key id answered %d", w.Code)
		}
	}
	e.want(e.api(e.keyID, e.secret, ownerAddr), http.StatusOK, "the key after sign-ins with its id")
	for i := range 200 {
		w := e.api(e.keyID, "wrong"+strconv.Itoa(i), lockStranger(1+i/10))
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong secret %d answered %d, want 401", i, w.Code)
		}
	}
	e.want(e.api(e.keyID, e.secret, ownerAddr), http.StatusOK, "the key after 200 wrong secrets from 20 addresses")
	// The address is what is limited: 20 failures and it waits.
	for range 20 {
		e.api(e.keyID, "wrong", lockStranger(100))
	}
	lockRetryAfter(t, e.api(e.keyID, e.secret, lockStranger(100)))
}

// TestLockoutExactLogins: logins are matched exactly, in the throttle as in
// the stores. "OWNER" is another login: its failures do not count against
// "owner", and the owner's password does not sign it in.
func TestLockoutExactLogins(t *testing.T) {
	e := newLockEnv(t, authgate.ThrottleConfig{})
	for i := range 30 {
		e.signIn("OWNER", "x"+strconv.Itoa(i), lockStranger(0))
	}
	e.want(e.signIn(lockOwner, lockOwnerPW, lockStranger(0)), http.StatusSeeOther, "owner after 30 failures of OWNER from the same address")
	e.want(e.signIn("Owner", lockOwnerPW, lockStranger(1)), http.StatusUnauthorized, "Owner with the owner's password")
}

// TestLockoutPerAccountAndAddress: Account failures for a login from one
// address lock that login out from that address only; the address may
// still sign in to others, and the owner from the owner's own address is
// not affected.
func TestLockoutPerAccountAndAddress(t *testing.T) {
	e := newLockEnv(t, authgate.ThrottleConfig{Account: 3, Window: 10 * time.Minute})
	e.want(e.signIn(lockOwner, lockOwnerPW, ownerAddr), http.StatusSeeOther, "the owner's first sign-in")
	for range 3 {
		e.want(e.signIn(lockOwner, "wrong", lockStranger(0)), http.StatusUnauthorized, "a stranger's guess")
	}
	if ra := lockRetryAfter(t, e.signIn(lockOwner, lockOwnerPW, lockStranger(0))); ra != 600 {
		t.Errorf("the locked pair's Retry-After is %d, want the window's 600", ra)
	}
	e.want(e.signIn("carol", "x", lockStranger(0)), http.StatusUnauthorized, "another login from the locked address")
	e.want(e.signIn(lockOwner, lockOwnerPW, ownerAddr), http.StatusSeeOther, "the owner from the owner's address")
	e.clock.Add(10 * time.Minute)
	e.want(e.signIn(lockOwner, lockOwnerPW, lockStranger(0)), http.StatusSeeOther, "the locked pair after the window")
}

// TestLockoutDelayGrows: once a login has failed Account times from all
// addresses, strangers' attempts are spaced by a delay that doubles with
// each failure up to MaxDelay. It is a delay, not a lockout: whoever waits
// Retry-After is served.
func TestLockoutDelayGrows(t *testing.T) {
	e := newLockEnv(t, authgate.ThrottleConfig{Account: 3, MaxDelay: 8 * time.Second})
	n := 0
	guess := func() *httptest.ResponseRecorder { n++; return e.signIn(lockOwner, "wrong", lockStranger(n)) }
	for range 3 {
		e.want(guess(), http.StatusUnauthorized, "a guess under the limit")
	}
	e.want(guess(), http.StatusUnauthorized, "the first guess past the limit")
	for _, want := range []int{1, 2, 4, 8, 8} {
		ra := lockRetryAfter(t, guess())
		if ra != want {
			t.Errorf("Retry-After = %d, want %d", ra, want)
		}
		e.clock.Add(time.Duration(ra-1) * time.Second)
		lockRetryAfter(t, guess())
		e.clock.Add(time.Second)
		e.want(guess(), http.StatusUnauthorized, "a guess after waiting Retry-After")
	}
	// A stranger's address with the right password is only delayed too.
	w := e.signIn(lockOwner, lockOwnerPW, "198.51.100.1")
	e.clock.Add(time.Duration(lockRetryAfter(t, w)) * time.Second)
	e.want(e.signIn(lockOwner, lockOwnerPW, "198.51.100.1"), http.StatusSeeOther, "the owner from a new address after the delay")
}

// TestLockoutStrangersCannotShutOwnerOut: a thousand guesses from a hundred
// addresses, at any pace, leave the owner signing in at once from the
// owner's own address (one the login signed in from before), and after at
// most MaxDelay from any other.
func TestLockoutStrangersCannotShutOwnerOut(t *testing.T) {
	e := newLockEnv(t, authgate.ThrottleConfig{})
	e.want(e.signIn(lockOwner, lockOwnerPW, ownerAddr), http.StatusSeeOther, "the owner's first sign-in")
	verified := 0
	for round := range 10 {
		for a := range 100 {
			w := e.signIn(lockOwner, "guess-"+strconv.Itoa(round*100+a), lockStranger(a))
			switch w.Code {
			case http.StatusUnauthorized:
				verified++
			case http.StatusTooManyRequests:
			default:
				t.Fatalf("a guess answered %d", w.Code)
			}
		}
		e.want(e.signIn(lockOwner, lockOwnerPW, ownerAddr), http.StatusSeeOther, "the owner during the attack")
		e.clock.Add(3 * time.Second)
	}
	t.Logf("%d of 1000 guesses were checked", verified)
	if verified > 30 {
		t.Errorf("%d of 1000 guesses in 30 s were checked: the delay does not slow them", verified)
	}
	w := e.signIn(lockOwner, lockOwnerPW, "198.51.100.1")
	if w.Code != http.StatusSeeOther {
		ra := lockRetryAfter(t, w)
		if ra > 60 {
			t.Fatalf("a new address of the owner must wait %d s, over MaxDelay", ra)
		}
		e.clock.Add(time.Duration(ra) * time.Second)
		e.want(e.signIn(lockOwner, lockOwnerPW, "198.51.100.1"), http.StatusSeeOther, "the owner from a new address after the delay")
	}
}
