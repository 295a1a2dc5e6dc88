package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/oidctest"
)

// TestSignIn signs each of the provider's users in under the
// configurations that decide who may: linking by verified e-mail,
// creating users, the domain and group allow-lists.
func TestSignIn(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Config)
		local  []string // local users, by login
		user   oidctest.User
		status int    // the callback's answer
		as     string // who is then signed in: a local login, "new", or ""
		text   string // what a refusal says
	}{
		{"linked by verified e-mail", func(c *Config) { c.LinkByEmail = true }, []string{"alice@example.com"}, oidctest.Alice, 303, "alice@example.com", ""},
		{"linking off", nil, []string{"alice@example.com"}, oidctest.Alice, 403, "", textNoUser},
		{"e-mail not verified: no link", func(c *Config) { c.LinkByEmail = true }, []string{"dave@example.com"}, oidctest.Dave, 403, "", textNoUser},
		{"e-mail not verified: a new user, not the local one", func(c *Config) { c.LinkByEmail, c.CreateUsers, c.AllowAnyAccount = true, true, true }, []string{"dave@example.com"}, oidctest.Dave, 303, "new", ""},
		{"created on first sign-in", func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true }, nil, oidctest.Bob, 303, "new", ""},
		{"created, but the login is taken", func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true }, []string{"bob@example.com"}, oidctest.Bob, 403, "", textTaken},
		{"inside the allowed domain", func(c *Config) { c.CreateUsers, c.AllowedDomains = true, []string{"Example.COM"} }, nil, oidctest.Bob, 303, "new", ""},
		{"outside the allowed domain", func(c *Config) { c.CreateUsers, c.AllowedDomains = true, []string{"example.com"} }, nil, oidctest.Carol, 403, "", textDomain},
		{"allowed domain, e-mail not verified", func(c *Config) { c.CreateUsers, c.AllowedDomains = true, []string{"example.com"} }, nil, oidctest.Dave, 403, "", textDomain},
		{"in an allowed group", func(c *Config) { c.CreateUsers, c.AllowedGroups = true, []string{"admins"} }, nil, oidctest.Alice, 303, "new", ""},
		{"in no allowed group", func(c *Config) { c.CreateUsers, c.AllowedGroups = true, []string{"admins"} }, nil, oidctest.Bob, 403, "", textDomain},
	}
	idp := oidctest.Start(t, oidctest.Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, idp, 1, tc.mod)
			for _, l := range tc.local {
				e.addUser(l)
			}
			b := newBrowser(t)
			r := e.signIn(b, tc.user)
			if tc.status != http.StatusSeeOther {
				wantPage(t, r, tc.status, tc.text)
				if who := e.whoAmI(b); who != "" {
					t.Errorf("after a refusal %q is signed in", who)
				}
				if id := e.linked(tc.user); id != "" {
					t.Errorf("after a refusal the account is linked to %q", id)
				}
				return
			}
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/notes?id=7" {
				t.Fatalf("callback: %s to %q, want 303 to /notes?id=7\n%s", r.Status, r.Header.Get("Location"), r.body)
			}
			who := e.whoAmI(b)
			u, err := e.store.User(context.Background(), who)
			if err != nil {
				t.Fatalf("the app sees user %q, whom the store does not know: %v", who, err)
			}
			switch {
			case tc.as == "new" && strings.HasPrefix(u.ID, "local-"):
				t.Errorf("signed in as the local user %s, want a new one", u.Login)
			case tc.as == "new" && u.PasswordHash != "":
				t.Errorf("the new user %s has a password", u.Login)
			case tc.as != "new" && u.Login != tc.as:
				t.Errorf("signed in as %s, want %s", u.Login, tc.as)
			}
			if e.linked(tc.user) != u.ID {
				t.Errorf("the account is linked to %q, want %q", e.linked(tc.user), u.ID)
			}
			if tc.as == "new" && tc.user.EmailVerified && u.Login != tc.user.Email {
				t.Errorf("a new user's login is %q, want the verified e-mail %q", u.Login, tc.user.Email)
			}
			if tc.as == "new" && !tc.user.EmailVerified && u.Login != "sso:"+tc.user.Subject {
				t.Errorf("a new user's login is %q, want sso:%s for an unverified e-mail", u.Login, tc.user.Subject)
			}

			// A second sign-in, in a new browser, finds the same user by
			// the link, whatever the e-mail says.
			b2 := newBrowser(t)
			if r := e.signIn(b2, tc.user); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("second sign-in: %s\n%s", r.Status, r.body)
			}
			if again := e.whoAmI(b2); again != u.ID {
				t.Errorf("second sign-in as %q, want %q", again, u.ID)
			}
		})
	}
}

// TestSessionIsTheGates: the session lasts the gate's idle timeout, not
// the ID token's two minutes.
func TestSessionIsTheGates(t *testing.T) {
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 1, func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true })
	b := newBrowser(t)
	if r := e.signIn(b, oidctest.Bob); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %s\n%s", r.Status, r.body)
	}
	who := e.whoAmI(b)
	for range 5 {
		e.clock.Add(20 * 60 * 1e9) // 20 minutes, inside the 30-minute idle timeout
		if got := e.whoAmI(b); got != who {
			t.Fatalf("after %v the app sees %q, want %q", e.clock.Now(), got, who)
		}
	}
	e.clock.Add(31 * 60 * 1e9)
	if got := e.whoAmI(b); got != "" {
		t.Errorf("after the idle timeout the app still sees %q", got)
	}
}

var (
	dataU  = regexp.MustCompile(`id="authgate-done" role="status" data-u="([^"]*)"`)
	script = regexp.MustCompile(`<script>([^<]*)</script>`)
)

// TestPopup: a sign-in started with popup=1 ends on a page that posts the
// user's id to the other tabs and closes itself, under a CSP that allows
// exactly its own script.
func TestPopup(t *testing.T) {
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 1, func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true })
	b := newBrowser(t)
	r := b.get(e.toCallback(b, "/.authgate/oidc/sso/start?return_to=%2Fnotes&popup=1", oidctest.Bob))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("callback: %s\n%s", r.Status, r.body)
	}
	who := e.whoAmI(b)
	if m := dataU.FindStringSubmatch(r.body); m == nil || m[1] != who {
		t.Errorf("the page names user %v, want %q:\n%s", m, who, r.body)
	}
	if !strings.Contains(r.body, "Signed in, you can close this window.") {
		t.Errorf("the page does not say it may be closed:\n%s", r.body)
	}
	m := script.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no inline script:\n%s", r.body)
	}
	for _, want := range []string{`new BroadcastChannel("authgate")`, `postMessage({t:"in",u:u})`, `window.close()`} {
		if !strings.Contains(m[1], want) {
			t.Errorf("the script lacks %s: %s", want, m[1])
		}
	}
	sum := sha256.Sum256([]byte(m[1]))
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("the CSP %q does not allow exactly the page's script", csp)
	}
}

// TestReturnToIsSafe: a return_to that would leave the origin is dropped
// when the flow starts, so the sign-in lands on HomePath.
func TestReturnToIsSafe(t *testing.T) {
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 1, func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true })
	for _, rt := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`, "/%2F%2Fevil.example", "javascript:alert(1)"} {
		b := newBrowser(t)
		r := b.get(e.toCallback(b, "/.authgate/oidc/sso/start?return_to="+url.QueryEscape(rt), oidctest.Bob))
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
			t.Errorf("return_to %q: %s to %q, want 303 to /", rt, r.Status, r.Header.Get("Location"))
		}
	}
}

// TestLongReturnTo: the flow cookie stays within what the callback reads
// (and a browser keeps) whatever return_to holds: & < > are not escaped,
// and a return_to that would still make it too long is dropped, so the
// sign-in lands on HomePath instead of failing.
func TestLongReturnTo(t *testing.T) {
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 1, func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true })
	long := func(c string) string { return "/a?q=" + strings.Repeat(c, 2040) }
	tests := []struct{ returnTo, want string }{
		{long("&"), long("&")},
		{long("<"), long("<")},
		{long(`"`), "/"}, // JSON doubles each: too long for the cookie
	}
	for _, tc := range tests {
		b := newBrowser(t)
		start := b.get(e.srv.URL + "/.authgate/oidc/sso/start?return_to=" + url.QueryEscape(tc.returnTo))
		if start.StatusCode != http.StatusFound {
			t.Fatalf("start: %s\n%s", start.Status, start.body)
		}
		for _, c := range start.Cookies() {
			if n := len(c.Name) + len(c.Value); n > maxFlowCookie {
				t.Errorf("return_to %.12q...: the cookie %s holds %d bytes, more than %d", tc.returnTo, c.Name, n, maxFlowCookie)
			}
		}
		r := b.get(e.atProvider(b, start.Header.Get("Location"), oidctest.Bob))
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != tc.want {
			t.Errorf("return_to %.12q...: %s to %.20q..., want 303 to %.20q...\n%s", tc.returnTo, r.Status, r.Header.Get("Location"), tc.want, r.body)
		}
	}
}
