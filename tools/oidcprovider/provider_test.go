package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

const testRedirect = "http://127.0.0.1:9/callback"

var testSecrets = map[string]string{"authgate": "secret-of-authgate", "other": "secret-of-other"}

// start runs the program with args (and -redirect 'http://127.0.0.1:*/**')
// until the test ends and returns the issuer it printed.
func start(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	getenv := func(name string) string {
		switch name {
		case "OIDCPROVIDER_SECRET_AUTHGATE":
			return testSecrets["authgate"]
		case "OIDCPROVIDER_SECRET_OTHER":
			return testSecrets["other"]
		}
		return ""
	}
	args = append([]string{"-redirect", "http://127.0.0.1:*/**"}, args...)
	go func() { done <- run(ctx, args, getenv, strings.NewReader(""), w, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(s)
		io.Copy(io.Discard, out)
	}()
	select {
	case issuer := <-line:
		if !strings.HasPrefix(issuer, "http://127.0.0.1:") {
			t.Fatalf("first line %q is not an issuer URL", issuer)
		}
		return issuer
	case err := <-done:
		t.Fatalf("run ended before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no issuer line within 30s")
	}
	return ""
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so a test sees each step.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// relyingParty is a client of the provider, made with the library's RP
// package, that verifies ID tokens (signature, issuer, audience, expiry,
// nonce).
func relyingParty(t *testing.T, issuer, clientID, nonce string) rp.RelyingParty {
	t.Helper()
	r, err := rp.NewRelyingPartyOIDC(context.Background(), issuer, clientID, testSecrets[clientID], testRedirect,
		[]string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile},
		rp.WithVerifierOpts(rp.WithNonce(func(context.Context) string { return nonce })))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// flow is one authorization request's parameters.
type flow struct {
	state, nonce, verifier string
	prompt                 string
}

func newFlow() flow {
	return flow{state: randomID(), nonce: randomID(), verifier: oauth2.GenerateVerifier()}
}

// authorize sends the browser to the authorization endpoint and follows the
// provider's redirects until one leaves it (returned, with the code) or a
// page is shown (returned as a response, with no code).
func (f flow) authorize(t *testing.T, b *http.Client, r rp.RelyingParty) (*url.URL, *http.Response) {
	t.Helper()
	opts := []rp.AuthURLOpt{
		rp.WithCodeChallenge(oidc.NewSHACodeChallenge(f.verifier)),
		func() []oauth2.AuthCodeOption {
			return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("nonce", f.nonce)}
		},
	}
	if f.prompt != "" {
		opts = append(opts, rp.WithPrompt(f.prompt))
	}
	return follow(t, b, r.Issuer(), rp.AuthURL(f.state, r, opts...))
}

// follow GETs target and its redirects within the issuer.
func follow(t *testing.T, b *http.Client, issuer, target string) (*url.URL, *http.Response) {
	t.Helper()
	for range 10 {
		resp, err := b.Get(target)
		if err != nil {
			t.Fatal(err)
		}
		loc, page := redirectOf(t, resp)
		if page != nil {
			return nil, page
		}
		if !strings.HasPrefix(loc.String(), issuer+"/") {
			return loc, nil
		}
		target = loc.String()
	}
	t.Fatal("more than 10 redirects")
	return nil, nil
}

// signIn fills the sign-in form of page and returns where the provider
// sends the browser back to.
func signIn(t *testing.T, b *http.Client, issuer string, page *http.Response, email, password string) (*url.URL, *http.Response) {
	t.Helper()
	body, _ := io.ReadAll(page.Body)
	_, rest, ok := strings.Cut(string(body), `name="id" value="`)
	if !ok {
		t.Fatalf("no sign-in form (status %d):\n%s", page.StatusCode, body)
	}
	id, _, _ := strings.Cut(rest, `"`)
	resp, err := b.PostForm(issuer+loginPath, url.Values{"id": {id}, "username": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	loc, page := redirectOf(t, resp)
	if page != nil {
		return nil, page
	}
	return follow(t, b, issuer, loc.String())
}

// redirectOf returns where resp redirects to, its body closed, or, when it
// is no redirect, resp itself, its body closed when t ends.
func redirectOf(t *testing.T, resp *http.Response) (*url.URL, *http.Response) {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Cleanup(func() { resp.Body.Close() })
		return nil, resp
	}
	resp.Body.Close()
	loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc, nil
}

// codeOf checks that back is the redirect URI with the flow's state and
// returns its code.
func (f flow) codeOf(t *testing.T, back *url.URL) string {
	t.Helper()
	if back == nil {
		t.Fatal("the provider did not send the browser back")
	}
	q := back.Query()
	if got := back.Scheme + "://" + back.Host + back.Path; got != testRedirect || q.Get("state") != f.state || q.Get("code") == "" {
		t.Fatalf("sent back to %s, want %s with state and code", back, testRedirect)
	}
	return q.Get("code")
}

func (f flow) exchange(r rp.RelyingParty, code string) (*oidc.Tokens[*oidc.IDTokenClaims], error) {
	return rp.CodeExchange[*oidc.IDTokenClaims](context.Background(), code, r, rp.WithCodeVerifier(f.verifier))
}

func TestSignInClaims(t *testing.T) {
	issuer := start(t, "-id-token-lifetime", "90s")
	for _, u := range users {
		t.Run(u.email, func(t *testing.T) {
			f := newFlow()
			r := relyingParty(t, issuer, "authgate", f.nonce)
			b := browser(t)
			_, page := f.authorize(t, b, r)
			tokens, err := f.exchange(r, f.codeOf(t, mustBack(signIn(t, b, issuer, page, u.email, u.password))))
			if err != nil {
				t.Fatal(err)
			}
			c := tokens.IDTokenClaims
			if c.Subject != u.subject || c.Email != u.email || bool(c.EmailVerified) != u.emailVerified {
				t.Errorf("claims sub=%q email=%q verified=%v, want %q %q %v", c.Subject, c.Email, c.EmailVerified, u.subject, u.email, u.emailVerified)
			}
			if v, ok := c.Claims["email_verified"]; !ok || v != u.emailVerified {
				t.Errorf("the ID token's email_verified is %v (present: %v), want %v", v, ok, u.emailVerified)
			}
			groups, _ := c.Claims["groups"].([]any)
			if len(groups) != len(u.groups) || groups[0] != u.groups[0] {
				t.Errorf("groups claim %v, want %v", c.Claims["groups"], u.groups)
			}
			if got := c.GetExpiration().Sub(c.GetIssuedAt()); got != 90*time.Second {
				t.Errorf("ID token lives %v, want the -id-token-lifetime 90s", got)
			}
		})
	}
}

func mustBack(back *url.URL, page *http.Response) *url.URL {
	if page != nil {
		body, _ := io.ReadAll(page.Body)
		panic("the provider showed a page (" + page.Status + "):\n" + string(body))
	}
	return back
}

// TestSessionKept checks that a second request from the same browser is
// answered without the form, that prompt=login asks again, that
// prompt=none without a session says login_required, and that /logout ends
// the session.
func TestSessionKept(t *testing.T) {
	issuer := start(t)
	b := browser(t)
	f := newFlow()
	r := relyingParty(t, issuer, "authgate", f.nonce)

	none := newFlow()
	none.prompt = oidc.PromptNone
	back, _ := none.authorize(t, b, relyingParty(t, issuer, "authgate", none.nonce))
	if back == nil || back.Query().Get("error") != "login_required" {
		t.Fatalf("prompt=none without a session sent the browser to %v, want error=login_required", back)
	}

	_, page := f.authorize(t, b, r)
	if _, err := f.exchange(r, f.codeOf(t, mustBack(signIn(t, b, issuer, page, "alice@example.com", "alice-password")))); err != nil {
		t.Fatal(err)
	}

	again := newFlow()
	r2 := relyingParty(t, issuer, "authgate", again.nonce)
	back, page = again.authorize(t, b, r2)
	if page != nil {
		t.Fatalf("a second request from the same browser showed a page (%s), want no typing", page.Status)
	}
	tokens, err := again.exchange(r2, again.codeOf(t, back))
	if err != nil {
		t.Fatal(err)
	}
	if tokens.IDTokenClaims.Subject != "sub-alice" {
		t.Errorf("signed in as %q, want sub-alice", tokens.IDTokenClaims.Subject)
	}

	login := newFlow()
	login.prompt = oidc.PromptLogin
	if _, page := login.authorize(t, b, relyingParty(t, issuer, "authgate", login.nonce)); page == nil || page.StatusCode != http.StatusOK {
		t.Errorf("prompt=login did not show the form")
	}

	resp, err := b.Get(issuer + logoutPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	after := newFlow()
	if _, page := after.authorize(t, b, relyingParty(t, issuer, "authgate", after.nonce)); page == nil {
		t.Errorf("after /logout the browser was signed in without the form")
	}
}

// TestCodeRefused checks the refusals a relying party relies on: a wrong
// password, a code used twice, a code of one client exchanged by another, a
// wrong code verifier.
func TestCodeRefused(t *testing.T) {
	issuer := start(t)
	b := browser(t)

	f := newFlow()
	r := relyingParty(t, issuer, "authgate", f.nonce)
	_, page := f.authorize(t, b, r)
	if back, resp := signIn(t, b, issuer, page, "alice@example.com", "wrong"); back != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a wrong password was not refused with 401")
	}
	_, page = f.authorize(t, b, r)
	code := f.codeOf(t, mustBack(signIn(t, b, issuer, page, "bob@example.com", "bob-password")))
	if _, err := f.exchange(r, code); err != nil {
		t.Fatal(err)
	}
	if _, err := f.exchange(r, code); !isInvalidGrant(err) {
		t.Errorf("a replayed code: %v, want invalid_grant", err)
	}

	o := newFlow()
	other := relyingParty(t, issuer, "other", o.nonce)
	back, _ := o.authorize(t, b, other)
	code = o.codeOf(t, back)
	if _, err := o.exchange(relyingParty(t, issuer, "authgate", o.nonce), code); !isInvalidGrant(err) {
		t.Errorf("the other client's code exchanged by authgate: %v, want invalid_grant", err)
	}

	v := newFlow()
	back, _ = v.authorize(t, b, r)
	code = v.codeOf(t, back)
	v.verifier = oauth2.GenerateVerifier()
	if _, err := v.exchange(r, code); !isInvalidGrant(err) {
		t.Errorf("a wrong code verifier: %v, want invalid_grant", err)
	}
}

func isInvalidGrant(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_grant"
}

func TestSecretFromFileOrEnv(t *testing.T) {
	file := t.TempDir() + "/secret"
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"env", map[string]string{"OIDCPROVIDER_SECRET_OTHER": "from-env"}, "from-env"},
		{"file", map[string]string{"OIDCPROVIDER_SECRET_OTHER_FILE": file}, "from-file"},
		{"both", map[string]string{"OIDCPROVIDER_SECRET_OTHER": "x", "OIDCPROVIDER_SECRET_OTHER_FILE": file}, ""},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := clientSecret("other", func(k string) string { return tt.env[k] })
			if got != tt.want || (err == nil) != (tt.want != "") {
				t.Errorf("clientSecret = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestAudienceScope checks that the scope "audience:other" adds the other
// client to the ID token's audience, azp staying the client that asked,
// and that a scope naming no client of the provider adds nothing.
func TestAudienceScope(t *testing.T) {
	issuer := start(t)
	tests := []struct {
		scope string
		aud   []string
	}{
		{audienceScope + "other", []string{"authgate", "other"}},
		{audienceScope + "stranger", []string{"authgate"}},
	}
	for _, tc := range tests {
		t.Run(tc.scope, func(t *testing.T) {
			f := newFlow()
			r, err := rp.NewRelyingPartyOIDC(context.Background(), issuer, "authgate", testSecrets["authgate"], testRedirect,
				[]string{oidc.ScopeOpenID, oidc.ScopeEmail, tc.scope},
				rp.WithVerifierOpts(rp.WithNonce(func(context.Context) string { return f.nonce })))
			if err != nil {
				t.Fatal(err)
			}
			b := browser(t)
			_, page := f.authorize(t, b, r)
			u := users["sub-bob"]
			tokens, err := f.exchange(r, f.codeOf(t, mustBack(signIn(t, b, issuer, page, u.email, u.password))))
			if err != nil {
				t.Fatal(err)
			}
			c := tokens.IDTokenClaims
			if !slices.Equal(c.Audience, tc.aud) || c.AuthorizedParty != "authgate" {
				t.Errorf("aud %v, azp %q; want aud %v, azp authgate", c.Audience, c.AuthorizedParty, tc.aud)
			}
		})
	}
}
