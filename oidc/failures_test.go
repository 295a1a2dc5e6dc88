package oidc

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/oidctest"
)

// withQuery returns u with the query parameter k set to v.
func withQuery(t *testing.T, u, k, v string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String()
}

// TestBrokenFlows: every way a callback can be wrong ends on the gate's
// own page with 400 (or 403, 503) and a link to start again, never in a
// redirect and never in a session.
func TestBrokenFlows(t *testing.T) {
	idp := oidctest.Start(t, oidctest.Options{})
	tests := []struct {
		name   string
		run    func(e *env, b *browser) response
		status int
		text   string
		signed bool // b signed in before the broken step
	}{
		{"wrong state", func(e *env, b *browser) response {
			return b.get(withQuery(e.t, e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob), "state", "forged"))
		}, 400, textState, false},
		{"no state", func(e *env, b *browser) response {
			return b.get(withQuery(e.t, e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob), "state", ""))
		}, 400, textState, false},
		{"no flow cookie", func(e *env, b *browser) response {
			back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
			return newBrowser(e.t).get(back)
		}, 400, textNoFlow, false},
		{"forged flow cookie", func(e *env, b *browser) response {
			back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
			u, _ := url.Parse(e.srv.URL + "/.authgate/oidc/sso/")
			c := b.jar.Cookies(u)[0]
			c.Value = strings.Replace(c.Value, c.Value[:4], "eyJz", 1)
			b.jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value + "x", Path: "/.authgate/oidc/sso/"}})
			return b.get(back)
		}, 400, textNoFlow, false},
		{"flow timed out", func(e *env, b *browser) response {
			back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
			e.clock.Add(10*time.Minute + time.Second)
			return b.get(back)
		}, 400, textExpired, false},
		{"replayed code, cookie gone", func(e *env, b *browser) response {
			back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
			if r := b.get(back); r.StatusCode != http.StatusSeeOther {
				e.t.Fatalf("first callback: %s\n%s", r.Status, r.body)
			}
			return b.get(back)
		}, 400, textNoFlow, true},
		{"replayed code, cookie kept", func(e *env, b *browser) response {
			back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
			stolen := e.stealFlow(b)
			if r := b.get(back); r.StatusCode != http.StatusSeeOther {
				e.t.Fatalf("first callback: %s\n%s", r.Status, r.body)
			}
			// An attacker who copied the cookies and the callback URL.
			return stolen().get(back)
		}, 400, textCode, true},
		{"a code for another client", func(e *env, b *browser) response {
			// The gate's own flow gives the state and cookie; the code
			// comes from a sign-in at the provider for the other client,
			// sent to the gate's callback.
			start := b.get(e.srv.URL + "/.authgate/oidc/sso/start")
			loc, _ := url.Parse(start.Header.Get("Location"))
			q := loc.Query()
			q.Set("client_id", e.idp.Other.ID)
			loc.RawQuery = q.Encode()
			back := e.atProvider(newBrowser(e.t), loc.String(), oidctest.Bob)
			if !strings.HasPrefix(back, e.srv.URL+"/.authgate/oidc/sso/callback?") {
				e.t.Fatalf("the other client's sign-in came back to %s", back)
			}
			return b.get(back)
		}, 400, textCode, false},
		{"an ID token with another nonce", func(e *env, b *browser) response {
			// The provider signs a token for another nonce than the
			// flow cookie holds, as for a token injected from another
			// sign-in.
			start := b.get(e.srv.URL + "/.authgate/oidc/sso/start")
			loc, _ := url.Parse(start.Header.Get("Location"))
			q := loc.Query()
			q.Set("nonce", "another-nonce")
			loc.RawQuery = q.Encode()
			return b.get(e.atProvider(b, loc.String(), oidctest.Bob))
		}, 400, textToken, false},
		{"the provider says no", func(e *env, b *browser) response {
			start := b.get(e.srv.URL + "/.authgate/oidc/sso/start")
			loc, _ := url.Parse(start.Header.Get("Location"))
			return b.get(e.srv.URL + "/.authgate/oidc/sso/callback?error=access_denied&state=" + url.QueryEscape(loc.Query().Get("state")))
		}, 403, "(access_denied)", false},
		{"an answer from another issuer", func(e *env, b *browser) response {
			back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
			return b.get(withQuery(e.t, back, "iss", "https://evil.example"))
		}, 400, textIssuer, false},
		{"the ID token expired", func(e *env, b *browser) response {
			back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
			e.clock.Add(3 * time.Minute) // the provider's ID tokens last two
			return b.get(back)
		}, 400, textTokenTL, false},
		{"too many callbacks at once", func(e *env, b *browser) response {
			back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
			n := 0
			for e.prov[0].acquire() {
				n++
			}
			defer func() {
				for range n {
					e.prov[0].release()
				}
			}()
			return b.get(back)
		}, 503, textBusy, false},
		{"the provider went down after the redirect", func(e *env, b *browser) response {
			back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
			e.idp.Stop()
			return b.get(back)
		}, 503, "cannot be reached", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.status == 503 {
				idp = oidctest.Start(t, oidctest.Options{})
			}
			e := newEnv(t, idp, 1, func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true })
			b := newBrowser(t)
			r := tc.run(e, b)
			wantPage(t, r, tc.status, tc.text)
			if tc.status != 403 && !strings.Contains(r.body, `href="/.authgate/oidc/sso/start`) {
				t.Errorf("the page has no link that starts again:\n%s", r.body)
			}
			if who := e.whoAmI(b); who != "" && !tc.signed {
				t.Errorf("after a broken flow %q is signed in", who)
			}
		})
	}
}

// TestProviderDown: a provider that is down when the gate starts stops
// nothing: the login page works, a sign-in attempt gets 503 at the gate's
// origin, no redirect; once the provider is back (and RetryAfter has
// passed) sign-in works.
func TestProviderDown(t *testing.T) {
	idp := oidctest.Start(t, oidctest.Options{})
	idp.Stop()
	e := newEnv(t, idp, 1, func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true; c.RetryAfter = time.Minute })
	b := newBrowser(t)
	login := b.get(e.srv.URL + "/login?return_to=%2Fnotes")
	if login.StatusCode != http.StatusOK || !strings.Contains(login.body, `href="/.authgate/oidc/sso/start?return_to=%2Fnotes"`) {
		t.Fatalf("login page while the provider is down: %s\n%s", login.Status, login.body)
	}
	for i := range 3 {
		r := b.get(e.srv.URL + "/.authgate/oidc/sso/start?return_to=%2Fnotes")
		wantPage(t, r, http.StatusServiceUnavailable, "cannot be reached")
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("attempt %d: no Retry-After", i)
		}
	}
	if n := strings.Count(e.logs.String(), "oidc discovery failed"); n != 1 {
		t.Errorf("three attempts within RetryAfter made %d discoveries, want 1", n)
	}
	idp.Restart()
	r := b.get(e.srv.URL + "/.authgate/oidc/sso/start")
	wantPage(t, r, http.StatusServiceUnavailable, "cannot be reached") // RetryAfter has not passed
	e.clock.Add(time.Minute)
	if r := e.signIn(b, oidctest.Bob); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in once the provider is back: %s\n%s", r.Status, r.body)
	}
	if e.whoAmI(b) == "" {
		t.Error("nobody is signed in")
	}
}

// TestTwoInstances: a sign-in that starts on one gate finishes on another
// that shares the store and the key, as behind a load balancer.
func TestTwoInstances(t *testing.T) {
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 2, func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true })
	b := newBrowser(t)
	// The server sends requests to the gates in turn: start goes to the
	// first; the callback is the server's second request, to the second.
	r := e.signIn(b, oidctest.Bob)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback on the second instance: %s\n%s", r.Status, r.body)
	}
	if e.whoAmI(b) == "" || e.whoAmI(b) == "" {
		t.Error("the session is not valid on both instances")
	}

	// An instance with another key refuses the other's flow.
	other := newEnv(t, e.idp, 1, func(c *Config) {
		c.CreateUsers, c.AllowAnyAccount = true, true
		c.Key = []byte(strings.Repeat("k", 32))
	})
	b = newBrowser(t)
	back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
	u, _ := url.Parse(e.srv.URL + "/.authgate/oidc/sso/")
	moved := newBrowser(t)
	ou, _ := url.Parse(other.srv.URL + "/.authgate/oidc/sso/")
	for _, c := range b.jar.Cookies(u) {
		moved.jar.SetCookies(ou, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/.authgate/oidc/sso/"}})
	}
	wantPage(t, moved.get(strings.Replace(back, e.srv.URL, other.srv.URL, 1)), 400, textNoFlow)
}

// TestVerifyAudience: go-oidc, as the gate configures it, refuses an ID
// token the provider issued to another client, and takes one issued to
// the gate's own. With several audiences (the provider's "audience:"
// scope), the gate takes a token whose azp is its client and refuses one
// the other client asked for, though the gate's client is in its audience.
func TestVerifyAudience(t *testing.T) {
	idp := oidctest.Start(t, oidctest.Options{})
	e := newEnv(t, idp, 1, nil)
	p := e.prov[0]
	d, err := p.discover(context.Background(), e.clock.Now(), e.logs.Logger())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		client oidctest.Client
		scope  string // another scope
		err    string // "" when the gate takes the token
	}{
		{idp.Client, "", ""},
		{idp.Other, "", "audience"},
		{idp.Client, "audience:" + idp.Other.ID, ""},
		{idp.Other, "audience:" + idp.Client.ID, "azp"},
	} {
		oc := &oauth2.Config{ClientID: tc.client.ID, ClientSecret: tc.client.Secret, Endpoint: d.endpoint,
			RedirectURL: "http://127.0.0.1:9/back", Scopes: []string{"openid", "email"}}
		if tc.scope != "" {
			oc.Scopes = append(oc.Scopes, tc.scope)
		}
		b := newBrowser(t)
		back := e.atProvider(b, oc.AuthCodeURL("s", gooidc.Nonce("n")), oidctest.Bob)
		bu, _ := url.Parse(back)
		tok, err := oc.Exchange(context.Background(), bu.Query().Get("code"))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		c, err := p.verify(context.Background(), d, e.clock.Now, raw)
		switch {
		case tc.err == "" && (err != nil || c.Subject != oidctest.Bob.Subject || c.Nonce != "n"):
			t.Errorf("a token %s asked for with %q: %v, %+v", tc.client.ID, tc.scope, err, c)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("a token %s asked for with %q: %v, want an error naming %s", tc.client.ID, tc.scope, err, tc.err)
		}
	}
}

// TestStrayCallback: a callback with another state, which any site can
// make a browser open, does not end the sign-in in progress: the real
// answer that follows still signs in.
func TestStrayCallback(t *testing.T) {
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 1, func(c *Config) { c.CreateUsers, c.AllowAnyAccount = true, true })
	b := newBrowser(t)
	back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
	for _, stray := range []string{"/.authgate/oidc/sso/callback?state=x&code=y", "/.authgate/oidc/sso/callback?error=access_denied"} {
		wantPage(t, b.get(e.srv.URL+stray), http.StatusBadRequest, textState)
	}
	if r := b.get(back); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the real callback after a stray one: %s, want 303\n%s", r.Status, r.body)
	}
	if id := e.whoAmI(b); id == "" {
		t.Error("not signed in after the real callback")
	}
}

// countPosts counts the POSTs (token calls) a client makes.
type countPosts struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *countPosts) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost {
		c.n.Add(1)
	}
	return c.next.RoundTrip(r)
}

// TestRefusedCodeOneCall: a copied flow cookie can be replayed until it
// expires, but each try costs one token call, not two: the gate takes
// the client's authentication method from discovery rather than trying
// one and then the other.
func TestRefusedCodeOneCall(t *testing.T) {
	calls := &countPosts{next: http.DefaultTransport}
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 1, func(c *Config) {
		c.CreateUsers, c.AllowAnyAccount = true, true
		c.HTTPClient = &http.Client{Transport: calls, Timeout: 10 * time.Second}
	})
	b := newBrowser(t)
	back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
	stolen := e.stealFlow(b)
	if r := b.get(back); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback: %s\n%s", r.Status, r.body)
	}
	for i := range 3 {
		wantPage(t, stolen().get(back), http.StatusBadRequest, textCode)
		if got, want := calls.n.Load(), int64(i+2); got != want {
			t.Fatalf("after %d replays the gate made %d token calls, want %d", i+1, got, want)
		}
	}
}

// TestProviderDownLater: a provider that goes down after the gate has
// discovered it is found out at the first token call that gets no answer;
// from then on, starts get 503 at the gate, not a redirect to it, until
// RetryAfter has passed and it answers again.
func TestProviderDownLater(t *testing.T) {
	idp := oidctest.Start(t, oidctest.Options{})
	e := newEnv(t, idp, 1, func(c *Config) {
		c.CreateUsers, c.AllowAnyAccount = true, true
		c.RetryAfter = time.Minute
	})
	if r := e.signIn(newBrowser(t), oidctest.Bob); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first sign-in: %s\n%s", r.Status, r.body)
	}
	b := newBrowser(t)
	back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
	idp.Stop()
	wantPage(t, b.get(back), http.StatusServiceUnavailable, "cannot be reached")
	for i := range 2 {
		r := b.get(e.srv.URL + "/.authgate/oidc/sso/start?return_to=%2Fnotes")
		wantPage(t, r, http.StatusServiceUnavailable, "cannot be reached")
		if i == 0 && r.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	}
	idp.Restart()
	e.clock.Add(time.Minute)
	if r := e.signIn(b, oidctest.Bob); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in once the provider is back: %s\n%s", r.Status, r.body)
	}
}

// TestReplaysThrottled: refused codes count against the client's address
// in the gate's throttle; at its limit the callback answers 429 without
// calling the provider.
func TestReplaysThrottled(t *testing.T) {
	calls := &countPosts{next: http.DefaultTransport}
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 1, func(c *Config) {
		c.CreateUsers, c.AllowAnyAccount = true, true
		c.HTTPClient = &http.Client{Transport: calls, Timeout: 10 * time.Second}
	}, func(g *authgate.Config) { g.Throttle.Address = 2 })
	b := newBrowser(t)
	back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
	stolen := e.stealFlow(b)
	if r := b.get(back); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("first callback: %s\n%s", r.Status, r.body)
	}
	replay := func() response {
		return stolen().get(back)
	}
	for range 2 {
		wantPage(t, replay(), http.StatusBadRequest, textCode)
	}
	before := calls.n.Load()
	r := replay()
	wantPage(t, r, http.StatusTooManyRequests, textThrottled)
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if n := calls.n.Load() - before; n != 0 {
		t.Errorf("a throttled callback made %d token calls", n)
	}
}

// TestCrossSiteStart: a start that another site's page sent (as the
// browser says in Sec-Fetch-Site) gets 403 and a link to the login page,
// with no flow and no redirect; the app's own pages and a typed address
// start as usual.
func TestCrossSiteStart(t *testing.T) {
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 1, nil)
	for _, site := range []string{"cross-site", "same-origin", "same-site", "none", ""} {
		b := newBrowser(t)
		req, _ := http.NewRequest("GET", e.srv.URL+"/.authgate/oidc/sso/start?return_to=%2Fnotes", nil)
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		r := b.do(req)
		if site != "cross-site" {
			if r.StatusCode != http.StatusFound {
				t.Errorf("Sec-Fetch-Site %q: %s, want 302", site, r.Status)
			}
			continue
		}
		wantPage(t, r, http.StatusForbidden, textCrossSite)
		if len(r.Cookies()) != 0 {
			t.Errorf("a cross-site start set %v", r.Cookies())
		}
		if !strings.Contains(r.body, `href="/login?return_to=%2Fnotes"`) {
			t.Errorf("the page has no link to the login page:\n%s", r.body)
		}
	}
}

// holdToken holds every token call until its request is cancelled, and
// says when one arrives.
type holdToken struct {
	posted chan struct{}
	next   http.RoundTripper
}

func (h *holdToken) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost {
		return h.next.RoundTrip(r)
	}
	h.posted <- struct{}{}
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// TestClientLeavesMidCallback: a client that goes away while the gate
// waits for the token endpoint does not make the gate think the provider
// is down; the next start still leaves for the provider.
func TestClientLeavesMidCallback(t *testing.T) {
	hold := &holdToken{posted: make(chan struct{}, 1), next: http.DefaultTransport}
	e := newEnv(t, oidctest.Start(t, oidctest.Options{}), 1, func(c *Config) {
		c.CreateUsers, c.AllowAnyAccount = true, true
		c.HTTPClient = &http.Client{Transport: hold, Timeout: time.Minute}
	})
	b := newBrowser(t)
	back := e.toCallback(b, "/.authgate/oidc/sso/start", oidctest.Bob)
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", back, nil)
	done := make(chan error, 1)
	go func() {
		resp, err := b.c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-hold.posted
	cancel()
	<-done
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(e.logs.String(), "oidc token endpoint unreachable") {
		if time.Now().After(deadline) {
			t.Fatal("the callback never finished")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if r := b.get(e.srv.URL + "/.authgate/oidc/sso/start"); r.StatusCode != http.StatusFound {
		t.Fatalf("start after a client left mid-callback: %s, want 302\n%s", r.Status, r.body)
	}
}
