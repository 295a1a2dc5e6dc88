package oidc

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/oidctest"
)

// TestBindCookie: a callback whose flow cookie this browser did not get
// from the gate (planted by a sibling subdomain, which can set the
// __Secure- flow cookie but not the __Host- bind cookie) is refused, with
// one log line that holds neither cookie; nobody is signed in and nothing
// is linked. The browser's own flow still finishes afterwards.
func TestBindCookie(t *testing.T) {
	idp := oidctest.Start(t, oidctest.Options{})
	flowPath := "/.authgate/oidc/sso/"
	tests := []struct {
		name string
		// tamper changes the victim's cookies before it opens back, the
		// callback URL; it returns the URL to open instead, if any.
		tamper func(e *env, victim *browser, back string) string
	}{
		{"another bind cookie", func(e *env, victim *browser, back string) string {
			e.setCookie(victim, "/", bindCookie(true), random(32))
			return ""
		}},
		{"no bind cookie", func(e *env, victim *browser, back string) string {
			e.setCookie(victim, "/", bindCookie(true), "")
			return ""
		}},
		{"a bind cookie of another shape", func(e *env, victim *browser, back string) string {
			e.setCookie(victim, "/", bindCookie(true), "x")
			return ""
		}},
		{"a flow planted from a sibling subdomain", func(e *env, victim *browser, back string) string {
			// The attacker starts a sign-in of their own, signs in at the
			// provider as Carol, and puts their flow cookie in the
			// victim's browser, then sends it to their callback URL.
			attacker := newBrowser(e.t)
			theirs := e.toCallback(attacker, flowPath+"start", oidctest.Carol)
			e.setCookie(victim, flowPath, flowCookie(true), e.cookie(attacker, flowPath, flowCookie(true)))
			return theirs
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, idp, 1, func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true })
			victim := newBrowser(t)
			back := e.toCallback(victim, flowPath+"start", oidctest.Bob)
			own := e.cookie(victim, "/", bindCookie(true))
			open := back
			if u := tc.tamper(e, victim, back); u != "" {
				open = u
			}
			wantPage(t, victim.get(open), http.StatusBadRequest, textBind)
			if who := e.whoAmI(victim); who != "" {
				t.Errorf("after a flow of another browser %q is signed in", who)
			}
			for _, u := range []oidctest.User{oidctest.Bob, oidctest.Carol} {
				if id := e.linked(u); id != "" {
					t.Errorf("%s is linked to %q", u.Email, id)
				}
			}
			if n := strings.Count(e.logs.String(), "not bound to this browser"); n != 1 {
				t.Errorf("%d log lines about the refusal, want 1:\n%s", n, e.logs)
			}
			e.logs.AssertNoSecrets(t, own, e.cookie(victim, flowPath, flowCookie(true)))
			if tc.name == "a flow planted from a sibling subdomain" {
				return
			}
			// The browser's own cookie back, its own flow finishes.
			e.setCookie(victim, "/", bindCookie(true), own)
			if r := victim.get(back); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("the browser's own callback: %s\n%s", r.Status, r.body)
			}
		})
	}
}

// TestBindCookieAttributes: the start sets the bind cookie with the
// __Host- prefix, Path=/, Secure, HttpOnly and SameSite=Lax; on plain http
// with InsecureCookies, like the gate's other cookies, without prefix nor
// Secure. A second start keeps the browser's bind value, so that a
// sign-in in progress in another tab (or with another provider) stays
// valid.
func TestBindCookieAttributes(t *testing.T) {
	idp := oidctest.Start(t, oidctest.Options{})
	for _, insecure := range []bool{false, true} {
		e := newEnv(t, idp, 1, nil, func(c *authgate.Config) { c.InsecureCookies = insecure })
		b := newBrowser(t)
		var first string
		for i := range 2 {
			r := b.get(e.srv.URL + "/.authgate/oidc/sso/start")
			if r.StatusCode != http.StatusFound {
				t.Fatalf("start: %s\n%s", r.Status, r.body)
			}
			var bind *http.Cookie
			for _, c := range r.Cookies() {
				if c.Name == bindCookie(!insecure) {
					bind = c
				}
			}
			switch {
			case bind == nil:
				t.Fatalf("InsecureCookies %v: no cookie %s in %v", insecure, bindCookie(!insecure), r.Header["Set-Cookie"])
			case bind.Path != "/" || bind.Secure == insecure || !bind.HttpOnly || bind.SameSite != http.SameSiteLaxMode || bind.Domain != "" || len(bind.Value) != bindLen:
				t.Errorf("InsecureCookies %v: %s", insecure, bind)
			case i == 0:
				first = bind.Value
			case bind.Value != first:
				t.Errorf("a second start made a new bind value")
			}
		}
	}
}

// setCookie sets (or, with value "", removes) the cookie name at path in
// b's jar for the gate's address.
func (e *env) setCookie(b *browser, path, name, value string) {
	u, _ := url.Parse(e.srv.URL + path)
	c := &http.Cookie{Name: name, Value: value, Path: path}
	if value == "" {
		c.MaxAge = -1
	}
	b.jar.SetCookies(u, []*http.Cookie{c})
}

// cookie returns the value of the cookie name that b sends to path.
func (e *env) cookie(b *browser, path, name string) string {
	u, _ := url.Parse(e.srv.URL + path)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	e.t.Fatalf("the browser has no cookie %s for %s", name, path)
	return ""
}

// stealFlow copies b's flow and bind cookies, as an attacker who read them
// would; the function it returns makes a new browser that holds them.
func (e *env) stealFlow(b *browser) func() *browser {
	const path = "/.authgate/oidc/sso/"
	flow, bind := e.cookie(b, path, flowCookie(true)), e.cookie(b, "/", bindCookie(true))
	return func() *browser {
		thief := newBrowser(e.t)
		e.setCookie(thief, path, flowCookie(true), flow)
		e.setCookie(thief, "/", bindCookie(true), bind)
		return thief
	}
}
