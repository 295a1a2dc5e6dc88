package oidc

import (
	"context"
	"crypto/rand"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/oidctest"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

func TestMain(m *testing.M) { oidctest.Main(m) }

// testKey is the flow cookies' key in the tests: random, shared by the
// gates of one test binary like the instances of one app.
var testKey = []byte(rand.Text() + rand.Text())

// env is a gate (or several sharing a store and a key, behind one
// address that sends each request to the next in turn) with the provider
// of internal/oidctest, and an app behind it that says who is signed in.
type env struct {
	t     *testing.T
	idp   *oidctest.Provider
	clock *testkit.Clock
	store *memstore.Store
	logs  *testkit.Logs
	gates []*authgate.Gate
	prov  []*Provider
	srv   *httptest.Server
}

// newEnv starts n gates whose oidc.Config names idp's issuer and client,
// changed by mod. Tests share a provider where they can: it keeps no state
// across browsers but their sessions there.
func newEnv(t *testing.T, idp *oidctest.Provider, n int, mod func(*Config), gateMods ...func(*authgate.Config)) *env {
	t.Helper()
	e := &env{t: t, idp: idp, clock: testkit.NewClockAt(time.Now().Truncate(time.Second)), logs: testkit.NewLogs()}
	e.store = memstore.New(memstore.WithClock(e.clock.Now))
	var handlers []http.Handler
	for range n {
		cfg := Config{
			Name: "sso", Label: "Test SSO",
			Issuer: e.idp.Issuer, ClientID: e.idp.Client.ID, ClientSecret: e.idp.Client.Secret,
			Key: testKey,
		}
		if mod != nil {
			mod(&cfg)
		}
		p, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		gcfg := authgate.Config{
			Store: e.store, Providers: []authgate.Provider{p}, Now: e.clock.Now,
			Hasher: testkit.Hasher, Logger: e.logs.Logger(),
		}
		for _, m := range gateMods {
			m(&gcfg)
		}
		g, err := authgate.New(gcfg)
		if err != nil {
			t.Fatal(err)
		}
		e.prov = append(e.prov, p)
		e.gates = append(e.gates, g)
		handlers = append(handlers, g.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, _ := authgate.FromContext(r.Context())
			io.WriteString(w, "app for "+id.UserID+" at "+r.URL.RequestURI())
		})))
	}
	var next atomic.Uint64
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers[int(next.Add(1)-1)%len(handlers)].ServeHTTP(w, r)
	}))
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() { e.logs.AssertNoSecrets(t, e.idp.Client.Secret, e.idp.Other.Secret, string(testKey)) })
	return e
}

// browser is a cookie jar client that follows no redirect, so that a
// test sees each step.
type browser struct {
	t   *testing.T
	c   *http.Client
	jar *cookiejar.Jar
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, jar: jar, c: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is an answer with its body read.
type response struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Accept", "text/html")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp, string(body)}
}

func (b *browser) get(u string) response {
	b.t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// toCallback starts a sign-in at the gate (start: the start URL's path
// and query) and signs u in at the provider, and returns the URL the
// provider sends the browser back to, without visiting it.
func (e *env) toCallback(b *browser, start string, u oidctest.User) string {
	e.t.Helper()
	r := b.get(e.srv.URL + start)
	if r.StatusCode != http.StatusFound {
		e.t.Fatalf("GET %s: %s, want 302 to the provider\n%s", start, r.Status, r.body)
	}
	return e.atProvider(b, r.Header.Get("Location"), u)
}

// atProvider follows loc through the provider, signing u in at its form.
func (e *env) atProvider(b *browser, loc string, u oidctest.User) string {
	e.t.Helper()
	return e.idp.Browse(e.t, b.c, loc, u)
}

// signIn runs a whole sign-in as u and returns the gate's answer to the
// callback.
func (e *env) signIn(b *browser, u oidctest.User) response {
	e.t.Helper()
	return b.get(e.toCallback(b, "/.authgate/oidc/sso/start?return_to=%2Fnotes%3Fid%3D7", u))
}

// whoAmI reports who the app says is signed in, or "" when the gate
// sends the browser to the login page.
func (e *env) whoAmI(b *browser) string {
	e.t.Helper()
	r := b.get(e.srv.URL + "/whoami")
	if r.StatusCode == http.StatusSeeOther {
		return ""
	}
	id, ok := strings.CutPrefix(r.body, "app for ")
	if r.StatusCode != http.StatusOK || !ok {
		e.t.Fatalf("GET /whoami: %s %s", r.Status, r.body)
	}
	id, _, _ = strings.Cut(id, " at ")
	return id
}

// addUser stores a local user with a password.
func (e *env) addUser(login string) authgate.User {
	return testkit.AddUser(e.t, e.store, authgate.User{ID: "local-" + login, Login: login, Name: login, CreatedAt: e.clock.Now()}, "local password")
}

// linked returns the user id the store links u's account to, or "".
func (e *env) linked(u oidctest.User) string {
	id, err := e.store.IdentityUser(context.Background(), e.idp.Issuer, u.Subject)
	if err != nil {
		return ""
	}
	return id
}

// wantPage checks a page of the gate's own that ends a sign-in that
// cannot go on: the status, the text, no redirect, no session.
func wantPage(t *testing.T, r response, status int, text string) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %s, want %d\n%s", r.Status, status, r.body)
	}
	if loc := r.Header.Get("Location"); loc != "" {
		t.Errorf("the answer redirects to %s: a broken sign-in must not loop", loc)
	}
	if !strings.Contains(r.body, html.EscapeString(text)) {
		t.Errorf("the page does not say %q:\n%s", text, r.body)
	}
	for _, c := range r.Cookies() {
		if strings.Contains(c.Name, "authgate") && !strings.Contains(c.Name, "oidc") && c.MaxAge >= 0 && c.Value != "" {
			t.Errorf("a failed sign-in set the cookie %s", c.Name)
		}
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}
