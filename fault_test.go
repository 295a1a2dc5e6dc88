package authgate_test

// Store faults: a store that fails on demand must give the 503 unavailable
// answer of docs/PROTOCOL.md section 3 to every kind of caller and at every
// gate endpoint, never a login signal and never a 500, and the same
// sessions and keys must work again when the store recovers.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
)

// TestFaultStoreDownEveryKind takes the whole store down and checks the
// answer to every kind of caller, with a session and with an API key, and
// at every gate endpoint, and that the store's error is logged; then
// brings it back and checks that the same session and key work, that no
// caller was signed out, and that the outage did not count as failed
// sign-ins.
func TestFaultStoreDownEveryKind(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) {
		c.Throttle = authgate.ThrottleConfig{Account: 3, Address: 1000, Window: time.Hour}
	})
	tok := e.signInAs(testLogin, testPassword)
	keyID, secret := e.newKey(time.Time{})
	keyReq := func(method string) *http.Request {
		r := kindReq(method, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth(keyID, secret)
		return r
	}
	type call struct {
		name string
		req  func() *http.Request
	}
	var calls []call
	for _, kind := range allKinds {
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			calls = append(calls, call{kind.String() + " " + m, func() *http.Request {
				return withCookie(kindReq(m, "/app/x", kind, nil), secureCookie, tok)
			}})
		}
	}
	calls = append(calls,
		call{"htmx", func() *http.Request {
			r := withCookie(kindReq(http.MethodGet, "/app/x", authgate.KindScript, nil), secureCookie, tok)
			r.Header.Set("HX-Request", "true")
			r.Header.Set("HX-Current-URL", origin+"/board")
			return r
		}},
		call{"API key GET", func() *http.Request { return keyReq(http.MethodGet) }},
		call{"API key POST", func() *http.Request { return keyReq(http.MethodPost) }},
		call{"keepalive", func() *http.Request {
			return withCookie(kindReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)
		}},
		call{"form login", func() *http.Request {
			r := kindReq(http.MethodPost, "/login", authgate.KindNavigation, formBody("alice", testPassword, "/app/x"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}},
		call{"JSON login", func() *http.Request {
			r := kindReq(http.MethodPost, "/login", authgate.KindScript, jsonBody("alice", testPassword, ""))
			r.Header.Set("Content-Type", "application/json")
			return r
		}},
		call{"wrong-password login", func() *http.Request {
			r := kindReq(http.MethodPost, "/login", authgate.KindScript, jsonBody("alice", "wrong", ""))
			r.Header.Set("Content-Type", "application/json")
			return r
		}},
	)
	e.store.Fail()
	for _, c := range calls {
		t.Run("down/"+c.name, func(t *testing.T) {
			before := e.ran.Load()
			assertUnavailable(t, e.do(c.req()))
			if e.ran.Load() != before {
				t.Fatal("the protected handler ran without an identity check")
			}
		})
	}
	for _, kind := range []authgate.Kind{authgate.KindNavigation, authgate.KindScript} {
		t.Run("down/logout "+kind.String(), func(t *testing.T) {
			r := withCookie(kindReq(http.MethodPost, "/logout", kind, nil), secureCookie, tok)
			assertUnavailable(t, e.do(r))
		})
	}
	t.Run("down/login page still renders, without a reason note", func(t *testing.T) {
		w := e.do(withCookie(kindReq(http.MethodGet, "/login?return_to=/app/x", authgate.KindNavigation, nil), secureCookie, tok))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="password"`) {
			t.Fatalf("the login page answered %d during an outage", w.Code)
		}
		if strings.Contains(w.Body.String(), `id="authgate-note"`) {
			t.Error("a note was shown without the store")
		}
	})
	t.Run("down/the store's error is logged", func(t *testing.T) {
		if !e.logs.Contains(testkit.ErrInjected.Error()) {
			t.Errorf("the store error is not logged:\n%s", e.logs)
		}
		e.logs.AssertNoSecrets(t, tok, secret, testPassword)
	})
	t.Run("down/Identify serves unidentified", func(t *testing.T) {
		w := e.do(withCookie(kindReq(http.MethodGet, "/open/x", authgate.KindScript, nil), secureCookie, tok))
		if w.Code != http.StatusOK || w.Body.String() != "anonymous" {
			t.Fatalf("Identify during an outage answered %d %q", w.Code, w.Body)
		}
	})
	e.store.Heal()
	t.Run("recovered", func(t *testing.T) {
		for _, kind := range allKinds {
			assertServed(t, e.get(tok, kind), testUserID)
		}
		assertServed(t, e.do(keyReq(http.MethodGet)), testUserID)
		r := withCookie(kindReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)
		if w := e.do(r); w.Code != http.StatusNoContent {
			t.Fatalf("keepalive after recovery answered %d", w.Code)
		}
		// Several wrong-password attempts failed on the store; none may
		// count towards the throttle (limit 3).
		if w := e.loginJSON("alice", testPassword, ""); w.Code != http.StatusOK {
			t.Fatalf("sign-in after recovery answered %d", w.Code)
		}
	})
}

// TestFaultSingleOperation fails one store operation at a time and checks
// that each failure is contained: a failed touch still serves, a failed
// read or write that the answer depends on gives 503, and nothing gives a
// login signal or a 500.
func TestFaultSingleOperation(t *testing.T) {
	opts := func(c *authgate.Config) {
		c.IdleTimeout = 30 * time.Minute
		c.TouchInterval = time.Minute
	}
	t.Run("TouchSession fails: requests are served, keepalive is 503", func(t *testing.T) {
		e := newEnv(t, opts)
		tok := e.signInAs(testLogin, testPassword)
		e.clock.Add(2 * time.Minute) // due for a touch
		e.store.Fail("TouchSession")
		for _, kind := range allKinds {
			assertServed(t, e.get(tok, kind), testUserID)
		}
		if !e.logs.Contains("touching a session failed") {
			t.Errorf("the failed touch is not logged:\n%s", e.logs)
		}
		e.logs.AssertNoSecrets(t, tok)
		r := withCookie(kindReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)
		assertUnavailable(t, e.do(r))
		e.store.Heal()
		if w := e.do(withCookie(kindReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)); w.Code != http.StatusNoContent {
			t.Fatalf("keepalive after recovery answered %d", w.Code)
		}
	})
	t.Run("TouchKey fails: the key is served", func(t *testing.T) {
		e := newEnv(t, opts)
		keyID, secret := e.newKey(time.Time{})
		e.store.Fail("TouchKey")
		r := kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth(keyID, secret)
		assertServed(t, e.do(r), testUserID)
	})
	t.Run("CreateSession fails: sign-in is 503 and sets no session", func(t *testing.T) {
		e := newEnv(t, opts)
		e.store.Fail("CreateSession")
		assertUnavailable(t, e.loginForm("alice", testPassword, "/app/x"))
		assertUnavailable(t, e.loginJSON("alice", testPassword, "/app/x"))
		e.store.Heal()
		e.signInAs(testLogin, testPassword)
	})
	t.Run("UserByLogin fails: sign-in is 503, not a wrong password", func(t *testing.T) {
		e := newEnv(t, opts)
		e.store.Fail("UserByLogin")
		assertUnavailable(t, e.loginForm("alice", testPassword, ""))
		assertUnavailable(t, e.loginJSON("mallory", "x", ""))
		if calls, _ := e.hasher.counts(); calls != 0 {
			t.Fatalf("the password was verified %d times without a user record", calls)
		}
	})
	t.Run("Key fails: API calls are 503", func(t *testing.T) {
		e := newEnv(t, opts)
		e.store.Fail("Key")
		r := kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth("agk_aaaaaaaaaaaaaaaa", "secret")
		assertUnavailable(t, e.do(r))
	})
	t.Run("RevokeSession fails: logout is 503 and the session stays usable and revocable", func(t *testing.T) {
		e := newEnv(t, opts)
		tok := e.signInAs(testLogin, testPassword)
		e.store.Fail("RevokeSession")
		r := withCookie(kindReq(http.MethodPost, "/logout", authgate.KindNavigation, nil), secureCookie, tok)
		assertUnavailable(t, e.do(r))
		e.store.Heal()
		r = withCookie(kindReq(http.MethodPost, "/logout", authgate.KindNavigation, nil), secureCookie, tok)
		if w := e.do(r); w.Code != http.StatusSeeOther {
			t.Fatalf("logout retried after recovery answered %d", w.Code)
		}
		e.assertRefusedEverywhere(t, tok, authgate.ReasonRevoked)
	})
	t.Run("one failed Session read: that request is 503, the next is served", func(t *testing.T) {
		e := newEnv(t, opts)
		tok := e.signInAs(testLogin, testPassword)
		for _, kind := range allKinds {
			e.store.FailNext(1, "Session")
			assertUnavailable(t, e.get(tok, kind))
			assertServed(t, e.get(tok, kind), testUserID)
		}
		if n := e.store.Failed("Session"); n != len(allKinds) {
			t.Fatalf("%d Session reads failed, want %d", n, len(allKinds))
		}
	})
	t.Run("store says not found, wrapped: the login signal, not 503", func(t *testing.T) {
		e := newEnv(t, opts, func(c *authgate.Config) { c.Store = wrappedNotFound{c.Store} })
		for _, kind := range allKinds {
			assertDenied(t, e.get(unknownToken(9), kind), kind, authgate.ReasonExpired)
		}
		r := kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		r.SetBasicAuth("agk_aaaaaaaaaaaaaaaa", "secret")
		assertDenied(t, e.do(r), authgate.KindMachine, authgate.ReasonInvalid)
	})
}

// wrappedNotFound wraps the store's not-found errors with detail, as a
// store is allowed to: the gate must still read them as not found.
type wrappedNotFound struct{ authgate.Store }

func (s wrappedNotFound) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	x, err := s.Store.Session(ctx, id)
	if err != nil {
		return x, fmt.Errorf("session %s: %w", id, err)
	}
	return x, nil
}

func (s wrappedNotFound) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	k, err := s.Store.Key(ctx, id)
	if err != nil {
		return k, fmt.Errorf("key %s: %w", id, err)
	}
	return k, nil
}

// TestFaultStoreFlapping switches the store on and off while the same
// session is used, and checks that every answer is either the app's for
// alice or the 503 answer, and never a login signal.
func TestFaultStoreFlapping(t *testing.T) {
	e := newEnv(t)
	tok := e.signInAs(testLogin, testPassword)
	served, unavailable := 0, 0
	for i := range 60 {
		if i%3 == 0 {
			e.store.Fail()
		} else {
			e.store.Heal()
		}
		kind := allKinds[i%len(allKinds)]
		w := e.get(tok, kind)
		switch w.Code {
		case http.StatusOK:
			assertServed(t, w, testUserID)
			served++
		case http.StatusServiceUnavailable:
			assertUnavailable(t, w)
			unavailable++
		default:
			t.Fatalf("request %d (%v) answered %d: %q", i, kind, w.Code, w.Body)
		}
	}
	if served != 40 || unavailable != 20 {
		t.Fatalf("served %d, unavailable %d; want 40 and 20", served, unavailable)
	}
}
