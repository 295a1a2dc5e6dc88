package authgate_test

// Attacks on sessions, each written as a test that fails if the attack
// works: session fixation, replay of an ended session, and cookie tossing.
// docs/SECURITY.md maps each promise to its test.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// TestAttackSessionFixation plants a token before sign-in in every way an
// attacker can and checks that the planted token never becomes signed in.
func TestAttackSessionFixation(t *testing.T) {
	t.Run("unknown token planted", func(t *testing.T) {
		e := newEnv(t)
		planted := unknownToken(7)
		tok := e.signInAs(testLogin, testPassword, secureCookie, planted)
		if tok == planted {
			t.Fatal("sign-in kept the planted token")
		}
		assertServed(t, e.get(tok, authgate.KindScript), testUserID)
		if _, ok := e.session(planted); ok {
			t.Error("the planted token is in the store")
		}
		e.assertRefusedEverywhere(t, planted, authgate.ReasonExpired)
	})
	t.Run("attacker's own live session planted", func(t *testing.T) {
		e := newEnv(t)
		planted := e.signInAs(bobLogin, bobPassword)
		tok := e.signInAs(testLogin, testPassword, secureCookie, planted)
		if tok == planted {
			t.Fatal("sign-in kept the planted token")
		}
		assertServed(t, e.get(tok, authgate.KindMachine), testUserID)
		// The planted session is revoked by the victim's sign-in; it never
		// turns into the victim's.
		if s, _ := e.session(planted); !s.Revoked || s.UserID != bobUserID {
			t.Errorf("planted session after the victim's sign-in: %+v", s)
		}
		e.assertRefusedEverywhere(t, planted, authgate.ReasonRevoked)
	})
	t.Run("planted under the JSON login", func(t *testing.T) {
		e := newEnv(t)
		planted := e.signInAs(bobLogin, bobPassword)
		r := kindReq(http.MethodPost, "/login", authgate.KindScript, jsonBody("alice", testPassword, ""))
		r.Header.Set("Content-Type", "application/json")
		w := e.do(withCookie(r, secureCookie, planted))
		c := cookieNamed(w, secureCookie)
		if w.Code != http.StatusOK || c == nil || c.Value == planted || c.Value == "" {
			t.Fatalf("JSON sign-in answered %d with cookie %v", w.Code, c)
		}
		e.assertRefusedEverywhere(t, planted, authgate.ReasonRevoked)
	})
	t.Run("planted before an app's own SignIn", func(t *testing.T) {
		e := newEnv(t)
		planted := e.signInAs(bobLogin, bobPassword)
		r := withCookie(kindReq(http.MethodPost, "/own-login", authgate.KindNavigation, nil), secureCookie, planted)
		w := httptest.NewRecorder()
		if _, err := e.gate.SignIn(r.Context(), w, r, authgate.User{ID: testUserID, Login: "alice"}); err != nil {
			t.Fatal(err)
		}
		c := cookieNamed(w, secureCookie)
		if c == nil || c.Value == "" || c.Value == planted {
			t.Fatal("SignIn kept the planted token")
		}
		assertServed(t, e.get(c.Value, authgate.KindScript), testUserID)
		e.assertRefusedEverywhere(t, planted, authgate.ReasonRevoked)
	})
	t.Run("every sign-in a new token, the carried one revoked", func(t *testing.T) {
		e := newEnv(t)
		seen := map[string]bool{}
		tok := ""
		for range 20 {
			prev := tok
			if prev != "" {
				tok = e.signInAs(testLogin, testPassword, secureCookie, prev)
				if s, _ := e.session(prev); !s.Revoked {
					t.Fatal("the token a sign-in carried is not revoked")
				}
			} else {
				tok = e.signInAs(testLogin, testPassword)
			}
			if seen[tok] {
				t.Fatal("a sign-in reissued an earlier token")
			}
			seen[tok] = true
		}
		assertServed(t, e.get(tok, authgate.KindScript), testUserID)
	})
}

// TestAttackReplay replays a token after the session ended in each way it
// can end: the old token gets the login signal from every kind of caller,
// from keepalive too, and keepalive cannot bring it back.
func TestAttackReplay(t *testing.T) {
	ctx := context.Background()
	// Logout revokes the session in the store and clears both cookies: a
	// form post is sent to the login page, a script call gets 204.
	for _, tt := range []struct {
		name     string
		kind     authgate.Kind
		status   int
		location string
	}{
		{"after logout", authgate.KindNavigation, http.StatusSeeOther, "/login?signed_out=1"},
		{"after logout by script", authgate.KindScript, http.StatusNoContent, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tok := e.signInAs(testLogin, testPassword)
			w := e.do(withCookie(kindReq(http.MethodPost, "/logout", tt.kind, nil), secureCookie, tok))
			if w.Code != tt.status || w.Header().Get("Location") != tt.location {
				t.Fatalf("logout answered %d Location %q, want %d %q", w.Code, w.Header().Get("Location"), tt.status, tt.location)
			}
			for _, name := range []string{secureCookie, authgate.CompanionCookie} {
				if c := cookieNamed(w, name); c == nil || c.Value != "" || c.MaxAge >= 0 {
					t.Errorf("logout did not clear the cookie %s: %+v", name, c)
				}
			}
			if s, _ := e.session(tok); !s.Revoked {
				t.Error("the session is not revoked in the store")
			}
			e.assertRefusedEverywhere(t, tok, authgate.ReasonRevoked)
		})
	}
	t.Run("after revoke-all", func(t *testing.T) {
		e := newEnv(t)
		t1 := e.signInAs(testLogin, testPassword)
		t2 := e.signInAs(testLogin, testPassword)
		tb := e.signInAs(bobLogin, bobPassword)
		if n, err := e.mem.RevokeUserSessions(ctx, testUserID); err != nil || n != 2 {
			t.Fatalf("RevokeUserSessions = %d, %v", n, err)
		}
		e.assertRefusedEverywhere(t, t1, authgate.ReasonRevoked)
		e.assertRefusedEverywhere(t, t2, authgate.ReasonRevoked)
		assertServed(t, e.get(tb, authgate.KindScript), bobUserID)
	})
	t.Run("after an admin revokes one session", func(t *testing.T) {
		e := newEnv(t)
		tok := e.signInAs(testLogin, testPassword)
		other := e.signInAs(testLogin, testPassword)
		assertServed(t, e.get(tok, authgate.KindMachine), testUserID)
		if err := e.mem.RevokeSession(ctx, e.seen.Load().SessionID); err != nil {
			t.Fatal(err)
		}
		e.assertRefusedEverywhere(t, tok, authgate.ReasonRevoked)
		assertServed(t, e.get(other, authgate.KindMachine), testUserID)
	})
	t.Run("after idle expiry", func(t *testing.T) {
		e := newEnv(t, func(c *authgate.Config) { c.IdleTimeout = 10 * time.Minute })
		tok := e.signInAs(testLogin, testPassword)
		e.clock.Add(10*time.Minute - time.Second)
		assertServed(t, e.get(tok, authgate.KindScript), testUserID)
		e.clock.Add(10 * time.Minute)
		e.assertRefusedEverywhere(t, tok, authgate.ReasonExpired)
		e.clock.Add(time.Hour)
		e.assertRefusedEverywhere(t, tok, authgate.ReasonExpired)
	})
	t.Run("after the lifetime, however active", func(t *testing.T) {
		e := newEnv(t, func(c *authgate.Config) {
			c.IdleTimeout = 10 * time.Minute
			c.Lifetime = time.Hour
		})
		tok := e.signInAs(testLogin, testPassword)
		for range 6 {
			e.clock.Add(9 * time.Minute)
			r := withCookie(kindReq(http.MethodPost, "/.authgate/keepalive", authgate.KindScript, nil), secureCookie, tok)
			if w := e.do(r); w.Code != http.StatusNoContent {
				t.Fatalf("keepalive answered %d within the lifetime", w.Code)
			}
		}
		e.clock.Add(6 * time.Minute) // 60 minutes after sign-in
		e.assertRefusedEverywhere(t, tok, authgate.ReasonExpired)
	})
	t.Run("API key after revoke and expiry", func(t *testing.T) {
		e := newEnv(t)
		keyID, secret := e.newKey(e.clock.Now().Add(time.Hour))
		call := func() *httptest.ResponseRecorder {
			r := kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
			r.SetBasicAuth(keyID, secret)
			return e.do(r)
		}
		assertServed(t, call(), testUserID)
		e.clock.Add(time.Hour)
		assertDenied(t, call(), authgate.KindMachine, authgate.ReasonExpired)
		keyID, secret = e.newKey(time.Time{})
		assertServed(t, call(), testUserID)
		if err := e.mem.RevokeKey(ctx, keyID); err != nil {
			t.Fatal(err)
		}
		assertDenied(t, call(), authgate.KindMachine, authgate.ReasonRevoked)
	})
}

// TestAttackCookieTossing plays a sibling subdomain or a plain-http
// man-in-the-middle that can set cookies for the app's host but cannot set
// a __Host- cookie: its cookies never sign anybody in, and never displace
// the victim's session. InsecureCookies is on, to show that it does not
// weaken https requests.
func TestAttackCookieTossing(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) { c.InsecureCookies = true })
	victim := e.signInAs(testLogin, testPassword)
	attacker := e.signInAs(bobLogin, bobPassword)

	t.Run("session cookie is __Host- and host-only", func(t *testing.T) {
		w := e.loginForm("alice", testPassword, "")
		c := cookieNamed(w, secureCookie)
		if c == nil || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" || c.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v; want __Host-, Secure, HttpOnly, Path=/, no Domain, SameSite=Lax", c)
		}
		if cookieNamed(w, plainCookie) != nil {
			t.Fatal("an https sign-in also set the unprefixed cookie")
		}
	})
	t.Run("tossed unprefixed cookie signs nobody in", func(t *testing.T) {
		for _, k := range allKinds {
			r := withCookie(kindReq(http.MethodGet, "/app/x", k, nil), plainCookie, attacker)
			assertDenied(t, e.do(r), k, authgate.ReasonNone)
		}
	})
	t.Run("tossed cookie before and after the victim's", func(t *testing.T) {
		for _, order := range [][2]string{{plainCookie, secureCookie}, {secureCookie, plainCookie}} {
			r := kindReq(http.MethodGet, "/app/x", authgate.KindScript, nil)
			for _, name := range order {
				v := victim
				if name == plainCookie {
					v = attacker
				}
				withCookie(r, name, v)
			}
			assertServed(t, e.do(r), testUserID)
		}
	})
	t.Run("tossed cookie in the same header line", func(t *testing.T) {
		r := kindReq(http.MethodGet, "/app/x", authgate.KindScript, nil)
		r.Header.Set("Cookie", plainCookie+"="+attacker+"; "+secureCookie+"="+victim+"; __host-authgate="+attacker)
		assertServed(t, e.do(r), testUserID)
	})
	t.Run("case-folded prefix is not the cookie", func(t *testing.T) {
		r := withCookie(kindReq(http.MethodGet, "/app/x", authgate.KindScript, nil), "__host-authgate", attacker)
		assertDenied(t, e.do(r), authgate.KindScript, authgate.ReasonNone)
	})
	t.Run("tossed companion cookie changes nothing", func(t *testing.T) {
		r := withCookie(kindReq(http.MethodGet, "/app/x", authgate.KindScript, nil), authgate.CompanionCookie, "99999999999.99999999999")
		withCookie(r, secureCookie, victim)
		w := e.do(r)
		assertServed(t, w, testUserID)
		c := cookieNamed(w, authgate.CompanionCookie)
		if c == nil || c.Value == "99999999999.99999999999" {
			t.Fatalf("companion cookie after a tossed one: %v", c)
		}
		idle, life, ok := authgate.ParseCompanion(c.Value)
		if !ok || !idle.After(e.clock.Now()) || life.Sub(e.clock.Now()) > 12*time.Hour {
			t.Fatalf("companion %q does not hold the server's deadlines", c.Value)
		}
	})
	t.Run("plain http with InsecureCookies reads only the unprefixed name", func(t *testing.T) {
		r := newReq("GET", "http://"+host+"/data", "Cookie", plainCookie+"="+victim)
		assertServed(t, e.do(r), testUserID)
		r = newReq("GET", "http://"+host+"/data", "Sec-Fetch-Mode", "cors", "Cookie", secureCookie+"="+attacker)
		assertDenied(t, e.do(r), authgate.KindScript, authgate.ReasonNone)
	})
	t.Run("secure mode ignores the unprefixed cookie", func(t *testing.T) {
		e := newEnv(t)
		tok := e.signIn()
		r := newReq("GET", "/data", "Sec-Fetch-Mode", "cors", "Cookie", plainCookie+"="+tok)
		assertDenied(t, e.do(r), authgate.KindScript, authgate.ReasonNone)
		r = newReq("GET", "/data", "Cookie", plainCookie+"="+unknownToken('B')+"; "+secureCookie+"="+tok)
		assertServed(t, e.do(r), testUserID)
	})
	t.Run("logout clears the __Host- cookie the way browsers accept", func(t *testing.T) {
		tok := e.signInAs(testLogin, testPassword)
		w := e.do(withCookie(kindReq(http.MethodPost, "/logout", authgate.KindNavigation, nil), secureCookie, tok))
		c := cookieNamed(w, secureCookie)
		if c == nil || c.MaxAge >= 0 || !c.Secure || c.Path != "/" || c.Domain != "" {
			t.Fatalf("logout's clearing cookie %+v cannot delete a __Host- cookie", c)
		}
	})
}
