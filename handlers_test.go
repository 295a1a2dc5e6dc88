package authgate_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
)

// TestLoginPageNotes: the login page says why the user is there, from the
// session cookie the browser still sends.
func TestLoginPageNotes(t *testing.T) {
	tests := []struct {
		name  string
		opts  func(*authgate.Config)
		setup func(e *env) string // returns a token to send, or ""
		query string
		want  string // "" means no note at all
	}{
		{"no cookie", nil, func(*env) string { return "" }, "", ""},
		{"expired idle default", nil, func(e *env) string {
			tok := e.signIn()
			e.clock.Add(31 * time.Minute)
			return tok
		}, "", "Your session expired after 30 minutes without activity."},
		{"expired idle 10 minutes", func(c *authgate.Config) { c.IdleTimeout = 10 * time.Minute }, func(e *env) string {
			tok := e.signIn()
			e.clock.Add(11 * time.Minute)
			return tok
		}, "", "Your session expired after 10 minutes without activity."},
		{"lifetime", nil, func(e *env) string {
			tok := e.signIn()
			e.clock.Add(12*time.Hour + time.Second)
			now := e.clock.Now()
			e.updateSession(tok, func(s *authgate.Session) { s.LastSeen = now.Add(-time.Minute) })
			return tok
		}, "", "Your session reached its limit of 12 hours."},
		{"revoked", nil, func(e *env) string {
			tok := e.signIn()
			_ = e.store.RevokeSession(context.Background(), tokenID(e.t, tok))
			return tok
		}, "", "You were signed out, from another window or device or by an administrator."},
		{"purged", nil, func(*env) string { return strings.Repeat("A", 43) }, "", "Your session has ended."},
		{"malformed token", nil, func(*env) string { return "not-a-token" }, "", ""},
		{"signed out", nil, func(*env) string { return "" }, "?signed_out=1", "You have signed out."},
		{"a query cannot fake a reason", nil, func(*env) string { return "" }, "?reason=expired&note=hacked", ""},
		{"still signed in", nil, func(e *env) string { return e.signIn() }, "", "You are signed in as Alice Example."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []func(*authgate.Config)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			e := newEnv(t, opts...)
			r := newReq("GET", "/login"+tt.query, "Sec-Fetch-Mode", "navigate")
			if tok := tt.setup(e); tok != "" {
				withSession(r, tok)
			}
			rec := e.do(r)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			body := rec.Body.String()
			if tt.want == "" {
				if strings.Contains(body, `id="authgate-note"`) {
					t.Errorf("unexpected note in:\n%s", body)
				}
				return
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("page lacks %q:\n%s", tt.want, body)
			}
		})
	}
}

// TestLoginPageHeaders checks the page's headers, return_to field and
// compact variant.
func TestLoginPageHeaders(t *testing.T) {
	e := newEnv(t)
	rec := e.do(newReq("GET", "/login?return_to="+url.QueryEscape("/notes?a=1")+"&compact=1"))
	h := rec.Header()
	for name, want := range map[string]string{
		"Content-Type":    "text/html; charset=utf-8",
		"Cache-Control":   "no-store",
		"X-Frame-Options": "SAMEORIGIN",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	body := rec.Body.String()
	if !strings.Contains(body, `name="return_to" value="/notes?a=1"`) {
		t.Errorf("return_to field missing:\n%s", body)
	}
	if !strings.Contains(body, `class="compact"`) {
		t.Error("compact=1 did not render the compact page")
	}
	rec = e.do(newReq("GET", "/login?return_to="+url.QueryEscape("//evil.example/")))
	if strings.Contains(rec.Body.String(), "evil.example") {
		t.Error("an unsafe return_to reached the page")
	}
	rec = e.do(newReq("HEAD", "/login"))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, body %d bytes", rec.Code, rec.Body.Len())
	}
}

// TestCompactLoginKeepsCompact: the compact login page (shown in the
// client's sign-in dialog) posts a form whose answer, after a wrong
// password, is the compact page again, not the full page inside the dialog.
func TestCompactLoginKeepsCompact(t *testing.T) {
	e := newEnv(t)
	rec := e.do(newReq("GET", "/login?compact=1&return_to=%2Fnotes", "Sec-Fetch-Mode", "navigate"))
	page := rec.Body.String()
	m := regexp.MustCompile(`<form method="post" action="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form in:\n%s", page)
	}
	action := html.UnescapeString(m[1])
	form := url.Values{"username": {testLogin}, "password": {"wrong"}}
	for _, h := range regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	r := withBody(newReq("POST", action, "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Site", "same-origin", "Accept", "text/html"),
		"application/x-www-form-urlencoded", form.Encode())
	rec = e.do(r)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), `class="compact"`) {
		t.Errorf("after a wrong password in the compact page (form action %q), the full page is shown", action)
	}
	if !strings.Contains(rec.Body.String(), `name="return_to" value="/notes"`) {
		t.Error("return_to lost")
	}
}

// TestFormLogin: a good form sign-in lands on a safe return_to, else on
// the home path.
func TestFormLogin(t *testing.T) {
	tests := []struct {
		returnTo string
		want     string
	}{
		{"/notes?x=1", "/notes?x=1"},
		{"/notes#top", "/notes"},
		{"", "/"},
		{"//evil.example/", "/"},
		{"https://evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/%2F%2Fevil.example", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.returnTo, func(t *testing.T) {
			e := newEnv(t)
			rec := e.do(formLogin(testLogin, testPassword, tt.returnTo))
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("status %d, want 303; body %q", rec.Code, rec.Body.String())
			}
			if got := rec.Header().Get("Location"); got != tt.want {
				t.Errorf("Location = %q, want %q", got, tt.want)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q", got)
			}
			c := cookieNamed(rec, secureCookie)
			if c == nil {
				t.Fatal("no session cookie")
			}
			s, ok := e.session(c.Value)
			if !ok || s.UserID != testUserID || s.UserName != testName || s.UserAgent != browserUA {
				t.Errorf("stored session = %+v, %v", s, ok)
			}
			if cookieNamed(rec, authgate.CompanionCookie) == nil {
				t.Error("no companion cookie")
			}
			e.logs.AssertNoSecrets(t, testPassword, c.Value)
		})
	}
}

// TestFormLoginHomePath: without return_to, a sign-in lands on HomePath.
func TestFormLoginHomePath(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) { c.HomePath = "/app/" })
	rec := e.do(formLogin(testLogin, testPassword, "//evil.example"))
	if got := rec.Header().Get("Location"); got != "/app/" {
		t.Errorf("Location = %q, want /app/", got)
	}
}

// TestJSONLogin: fetch signs in with JSON and gets JSON back.
func TestJSONLogin(t *testing.T) {
	e := newEnv(t)
	r := withBody(newReq("POST", "/login", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin"),
		"application/json", `{"username":"alice","password":"`+testPassword+`","return_to":"/board?id=7"}`)
	rec := e.do(r)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d; body %q", rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"user_id": testUserID, "user_name": testName, "return_to": "/board?id=7"}
	if len(got) != len(want) {
		t.Errorf("body = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if cookieNamed(rec, secureCookie) == nil {
		t.Error("no session cookie")
	}
}

// TestLoginRefused: a wrong password and an unknown user get the same
// answer and cost exactly one password verification each.
func TestLoginRefused(t *testing.T) {
	tests := []struct {
		name     string
		user, pw string
		verifies int64
	}{
		{"wrong password", testLogin, "wrong password", 1},
		{"unknown user", "mallory", "wrong password", 1},
		{"unknown user with the right password", "mallory", testPassword, 1},
		{"empty password", testLogin, "", 0},
		{"empty user", "", "x", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/form", func(t *testing.T) {
			e := newEnv(t)
			rec := e.do(formLogin(tt.user, tt.pw, "/notes"))
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", rec.Code)
			}
			body := rec.Body.String()
			if !strings.Contains(body, "Wrong user name or password.") {
				t.Errorf("no message:\n%s", body)
			}
			if tt.user != "" && !strings.Contains(body, `value="`+tt.user+`"`) {
				t.Error("the user name was not kept in the form")
			}
			if !strings.Contains(body, `name="return_to" value="/notes"`) {
				t.Error("return_to was not kept in the form")
			}
			if len(tt.pw) >= 8 && strings.Contains(body, tt.pw) {
				t.Error("the password is echoed in the page")
			}
			if cookieNamed(rec, secureCookie) != nil {
				t.Error("a refused sign-in set a session cookie")
			}
			if got := e.hasher.in.Load(); got != tt.verifies {
				t.Errorf("Verify ran %d times, want %d", got, tt.verifies)
			}
			e.logs.AssertNoSecrets(t, tt.pw)
		})
		t.Run(tt.name+"/json", func(t *testing.T) {
			e := newEnv(t)
			b, _ := json.Marshal(map[string]string{"username": tt.user, "password": tt.pw})
			rec := e.do(withBody(newReq("POST", "/login", "Sec-Fetch-Mode", "cors"), "application/json", string(b)))
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", rec.Code)
			}
			p := parseProblem(t, rec)
			if p.Type != authgate.ProblemInvalidCredentials || p.Status != 401 || p.Reason != "invalid" {
				t.Errorf("body = %+v", p)
			}
			if got := e.hasher.in.Load(); got != tt.verifies {
				t.Errorf("Verify ran %d times, want %d", got, tt.verifies)
			}
		})
	}
}

// TestLoginBadBodies: oversized and malformed bodies get a clear 4xx.
func TestLoginBadBodies(t *testing.T) {
	big := strings.Repeat("a", 9<<10)
	tests := []struct {
		name, ct, body string
		want           int
	}{
		{"oversized form", "application/x-www-form-urlencoded", "username=alice&password=" + big, http.StatusRequestEntityTooLarge},
		{"oversized json", "application/json", `{"username":"alice","password":"` + big + `"}`, http.StatusRequestEntityTooLarge},
		{"not json", "application/json", `{"username":`, http.StatusBadRequest},
		{"two json values", "application/json", `{"username":"a","password":"b"}{}`, http.StatusBadRequest},
		{"unknown json field", "application/json", `{"username":"a","password":"b","admin":true}`, http.StatusBadRequest},
		{"json array", "application/json", `["alice"]`, http.StatusBadRequest},
		{"bad form encoding", "application/x-www-form-urlencoded", "username=%zz", http.StatusBadRequest},
		{"control character in user name", "application/json", `{"username":"al\u0000ice","password":"b"}`, http.StatusBadRequest},
		{"overlong user name", "application/json", `{"username":"` + strings.Repeat("u", 257) + `","password":"b"}`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			rec := e.do(withBody(newReq("POST", "/login", "Sec-Fetch-Mode", "cors"), tt.ct, tt.body))
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d; body %q", rec.Code, tt.want, rec.Body.String())
			}
			if p := parseProblem(t, rec); p.Type != authgate.ProblemBadRequest || p.Status != tt.want {
				t.Errorf("body = %+v", p)
			}
			if e.hasher.in.Load() != 0 {
				t.Error("a bad body reached password verification")
			}
			e.logs.AssertNoSecrets(t, big)
		})
	}
}

// TestMethodNotAllowed: a method an endpoint does not take gets 405 with
// Allow and a problem+json body, like every other answer, and changes
// nothing (a GET of /logout signs nobody out); an unknown gate path is 404.
func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	tok := e.signIn()
	for _, tt := range []struct{ method, path, allow string }{
		{http.MethodPut, "/login", "GET, HEAD, POST"},
		{http.MethodGet, "/logout", "POST"},
		{http.MethodGet, "/.authgate/keepalive", "POST"},
		{http.MethodPost, "/.authgate/client.js", "GET, HEAD"},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := e.do(withSession(newReq(tt.method, tt.path, "Sec-Fetch-Mode", "navigate"), tok))
			if rec.Code != http.StatusMethodNotAllowed {
				t.Fatalf("status %d, want 405", rec.Code)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			want := problem{Type: "about:blank", Title: "Method Not Allowed", Status: http.StatusMethodNotAllowed}
			if p := parseProblem(t, rec); p != want {
				t.Errorf("body %+v, want %+v", p, want)
			}
		})
	}
	if s, _ := e.session(tok); s.Revoked {
		t.Error("GET /logout revoked the session")
	}
	if rec := e.do(newReq("GET", "/.authgate/nothing")); rec.Code != http.StatusNotFound {
		t.Errorf("unknown gate path: status %d, want 404", rec.Code)
	}
}

// TestKeepalive: keepalive writes the store, moves the deadline in the
// companion cookie and answers 204; an expired session gets the signal.
func TestKeepalive(t *testing.T) {
	e := newEnv(t)
	tok := e.signIn()
	created := e.clock.Now()
	e.clock.Add(10 * time.Second) // well inside the touch interval
	writes := e.store.Calls(testkit.WriteMethods...)
	r := withSession(newReq("POST", "/.authgate/keepalive", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin"), tok)
	rec := e.do(r)
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d, want 204; body %q", rec.Code, rec.Body.String())
	}
	now := e.clock.Now()
	s, _ := e.session(tok)
	if !s.LastSeen.Equal(now) {
		t.Errorf("stored LastSeen = %v, want %v", s.LastSeen, now)
	}
	if n := e.store.Calls(testkit.WriteMethods...) - writes; n != 1 {
		t.Errorf("keepalive wrote the store %d times, want 1", n)
	}
	c := cookieNamed(rec, authgate.CompanionCookie)
	if c == nil {
		t.Fatal("no companion cookie")
	}
	idle, life, ok := authgate.ParseCompanion(c.Value)
	if !ok || !idle.Equal(now.Add(30*time.Minute)) || !life.Equal(created.Add(12*time.Hour)) {
		t.Errorf("companion %q = %v, %v; want %v, %v", c.Value, idle, life, now.Add(30*time.Minute), created.Add(12*time.Hour))
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q", got)
	}

	e.clock.Add(31 * time.Minute)
	rec = e.do(withSession(newReq("POST", "/.authgate/keepalive", "Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin"), tok))
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("Authgate-Login") != "expired" {
		t.Fatalf("expired keepalive: status %d, Authgate-Login %q", rec.Code, rec.Header().Get("Authgate-Login"))
	}
	if p := parseProblem(t, rec); p.Type != authgate.ProblemLoginRequired || p.Reason != "expired" {
		t.Errorf("body = %+v", p)
	}
	if cookieNamed(rec, authgate.CompanionCookie) != nil {
		t.Error("an expired keepalive set a companion cookie")
	}

	rec = e.do(newReq("POST", "/.authgate/keepalive", "Sec-Fetch-Mode", "cors"))
	if rec.Code != http.StatusUnauthorized || rec.Header().Get("Authgate-Login") != "none" {
		t.Errorf("keepalive without a cookie: status %d, reason %q", rec.Code, rec.Header().Get("Authgate-Login"))
	}
}

// TestIdentity: the handler reads who is signed in, and how, from the
// context; Identify serves a request without a valid credential as
// anonymous. (TestAttackSpoofedIdentityHeaders sends identity headers.)
func TestIdentity(t *testing.T) {
	e := newEnv(t)
	tok := e.signIn()
	id, secret := e.newKey(time.Time{})
	tests := []struct {
		name   string
		path   string
		cred   func(*http.Request)
		status int
		body   string
	}{
		{"session", "/data", func(r *http.Request) { withSession(r, tok) }, 200, "hello u-alice by session"},
		{"api key", "/data", func(r *http.Request) { r.Header.Set("Authorization", basicAuth(id, secret)) }, 200, "hello u-alice by apikey"},
		{"identify session", "/open/x", func(r *http.Request) { withSession(r, tok) }, 200, "user u-alice"},
		{"identify no credential", "/open/x", func(*http.Request) {}, 200, "anonymous"},
		{"identify bad token", "/open/x", func(r *http.Request) { withSession(r, strings.Repeat("A", 43)) }, 200, "anonymous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReq("GET", tt.path, "Sec-Fetch-Mode", "cors")
			tt.cred(r)
			rec := e.do(r)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if tt.body != "" && rec.Body.String() != tt.body {
				t.Errorf("body %q, want %q", rec.Body.String(), tt.body)
			}
		})
	}
	t.Run("identity fields", func(t *testing.T) {
		var got *authgate.Identity
		h := e.gate.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, _ = authgate.FromContext(r.Context())
		}))
		h.ServeHTTP(httptest.NewRecorder(), withSession(newReq("GET", "/"), tok))
		want := authgate.Identity{UserID: testUserID, UserName: testName, Method: authgate.MethodSession, SessionID: tokenID(t, tok)}
		if got == nil || *got != want {
			t.Errorf("session identity = %+v, want %+v", got, want)
		}
		h.ServeHTTP(httptest.NewRecorder(), newReq("GET", "/", "Authorization", basicAuth(id, secret)))
		want = authgate.Identity{UserID: testUserID, Method: authgate.MethodAPIKey, KeyID: id}
		if got == nil || *got != want {
			t.Errorf("key identity = %+v, want %+v", got, want)
		}
	})
}

// TestFromContext: no identity in a bare context; NewContext round-trips.
func TestFromContext(t *testing.T) {
	if id, ok := authgate.FromContext(context.Background()); ok || id != nil {
		t.Errorf("FromContext(empty) = %v, %v", id, ok)
	}
	want := &authgate.Identity{UserID: "u", Method: authgate.MethodAPIKey, KeyID: "k"}
	got, ok := authgate.FromContext(authgate.NewContext(context.Background(), want))
	if !ok || got != want {
		t.Errorf("FromContext = %v, %v", got, ok)
	}
	for m, s := range map[authgate.Method]string{authgate.MethodSession: "session", authgate.MethodAPIKey: "apikey", 0: "unknown"} {
		if m.String() != s {
			t.Errorf("Method(%d).String() = %q, want %q", m, m.String(), s)
		}
	}
}
