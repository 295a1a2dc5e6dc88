package authgate_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/memstore"
)

// caller is one kind of client in the matrix, with the headers it sends.
type caller struct {
	name string
	kind authgate.Kind
	htmx bool
	hdr  []string
	// returnTo is the return_to the login URL must carry, by method.
	returnTo map[string]string
}

// The requests in the matrix go to /data?page=2 from a page at
// /notes?draft=1 (navigation form post), /notes?tab=2 (fetch) or
// /board?x=1 (htmx).
var callers = []caller{
	{
		name: "navigation", kind: authgate.KindNavigation,
		hdr: []string{
			"Sec-Fetch-Mode", "navigate", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Dest", "document",
			"Accept", "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent", browserUA,
			"Referer", origin + "/notes?draft=1",
		},
		returnTo: map[string]string{
			http.MethodGet:  "/login?return_to=%2Fdata%3Fpage%3D2",
			http.MethodPost: "/login?return_to=%2Fnotes%3Fdraft%3D1",
		},
	},
	{
		name: "fetch", kind: authgate.KindScript,
		hdr: []string{
			"Sec-Fetch-Mode", "cors", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Dest", "empty",
			"Accept", "*/*", "User-Agent", browserUA, "Referer", origin + "/notes?tab=2",
		},
		returnTo: map[string]string{
			http.MethodGet:  "/login?return_to=%2Fnotes%3Ftab%3D2",
			http.MethodPost: "/login?return_to=%2Fnotes%3Ftab%3D2",
		},
	},
	{
		name: "htmx", kind: authgate.KindScript, htmx: true,
		hdr: []string{
			"HX-Request", "true", "HX-Current-URL", origin + "/board?x=1", "Sec-Fetch-Mode", "cors",
			"Sec-Fetch-Site", "same-origin", "Accept", "*/*", "User-Agent", browserUA, "Referer", origin + "/notes?tab=2",
		},
		returnTo: map[string]string{
			http.MethodGet:  "/login?return_to=%2Fboard%3Fx%3D1",
			http.MethodPost: "/login?return_to=%2Fboard%3Fx%3D1",
		},
	},
	{
		name: "machine", kind: authgate.KindMachine,
		hdr: []string{"User-Agent", "curl/8.14.1", "Accept", "*/*"},
		returnTo: map[string]string{
			http.MethodGet:  "/login",
			http.MethodPost: "/login",
		},
	},
}

// credential sets up one reason in an env and returns a function that adds
// the credentials to a request.
type credential struct {
	reason authgate.Reason
	name   string
	setup  func(e *env) func(*http.Request)
}

var credentials = []credential{
	{authgate.ReasonNone, "none", func(e *env) func(*http.Request) {
		return func(*http.Request) {}
	}},
	{authgate.ReasonExpired, "expired-idle", func(e *env) func(*http.Request) {
		tok := e.signIn()
		e.clock.Add(30*time.Minute + time.Second)
		return func(r *http.Request) { withSession(r, tok) }
	}},
	{authgate.ReasonExpired, "expired-lifetime", func(e *env) func(*http.Request) {
		tok := e.signIn()
		e.clock.Add(12*time.Hour + time.Second)
		now := e.clock.Now()
		// Active until a minute ago: only the lifetime has passed.
		e.updateSession(tok, func(s *authgate.Session) { s.LastSeen = now.Add(-time.Minute) })
		return func(r *http.Request) { withSession(r, tok) }
	}},
	{authgate.ReasonRevoked, "revoked", func(e *env) func(*http.Request) {
		tok := e.signIn()
		if err := e.store.RevokeSession(context.Background(), tokenID(e.t, tok)); err != nil {
			e.t.Fatal(err)
		}
		return func(r *http.Request) { withSession(r, tok) }
	}},
	{authgate.ReasonInvalid, "invalid-key", func(e *env) func(*http.Request) {
		id, _ := e.newKey(time.Time{})
		return func(r *http.Request) { r.Header.Set("Authorization", basicAuth(id, strings.Repeat("x", 43))) }
	}},
}

var signals = []struct {
	name string
	sig  authgate.Signal
}{
	{"401", authgate.Signal401},
	{"418", authgate.Signal418},
	{"body", authgate.SignalBody("MASONITE_LOGIN_REQUIRED")},
}

// TestDenyMatrix checks every cell of kind × reason × method × signal mode
// against docs/PROTOCOL.md section 3.
func TestDenyMatrix(t *testing.T) {
	for _, sg := range signals {
		for _, c := range callers {
			for _, cr := range credentials {
				for _, method := range []string{http.MethodGet, http.MethodPost} {
					name := sg.name + "/" + c.name + "/" + cr.name + "/" + method
					t.Run(name, func(t *testing.T) {
						e := newEnv(t, func(cfg *authgate.Config) { cfg.Signal = sg.sig })
						add := cr.setup(e)
						r := newReq(method, "/data?page=2", c.hdr...)
						add(r)
						rec := e.do(r)
						checkDenied(t, rec, c, cr.reason, method, sg.sig)
						if n := e.ran.Load(); n != 0 {
							t.Errorf("the protected handler ran %d times", n)
						}
					})
				}
			}
		}
	}
}

// checkDenied asserts one cell of the matrix.
func checkDenied(t *testing.T, rec *httptest.ResponseRecorder, c caller, reason authgate.Reason, method string, sig authgate.Signal) {
	t.Helper()
	h := rec.Header()
	login := c.returnTo[method]
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if c.kind != authgate.KindMachine && h.Values("Www-Authenticate") != nil {
		t.Errorf("WWW-Authenticate = %q on a %v answer", h.Values("Www-Authenticate"), c.kind)
	}
	if got := h.Get("Hx-Redirect"); c.htmx && got != login || !c.htmx && got != "" {
		t.Errorf("HX-Redirect = %q (htmx %v), want %q only for htmx", got, c.htmx, login)
	}
	switch c.kind {
	case authgate.KindNavigation:
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("status = %d, want 303", rec.Code)
		}
		if got := h.Get("Location"); got != login {
			t.Errorf("Location = %q, want %q", got, login)
		}
		if got := h.Get("Authgate-Login"); got != "" {
			t.Errorf("Authgate-Login = %q on a navigation", got)
		}
		if rec.Body.Len() != 0 {
			t.Errorf("body = %q, want none", rec.Body.String())
		}
	case authgate.KindScript:
		if want := sig.Status(); rec.Code != want {
			t.Fatalf("status = %d, want %d", rec.Code, want)
		}
		if got := h.Get("Authgate-Login"); got != string(reason) {
			t.Errorf("Authgate-Login = %q, want %q", got, reason)
		}
		if got := h.Get("Location"); got != login {
			t.Errorf("Location = %q, want %q", got, login)
		}
		if text, ok := strings.CutPrefix(string(sig), "body:"); ok {
			if ct := h.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type = %q, want text/plain", ct)
			}
			if got := rec.Body.String(); got != text {
				t.Errorf("body = %q, want exactly %q", got, text)
			}
			return
		}
		p := parseProblem(t, rec)
		want := problem{Type: authgate.ProblemLoginRequired, Title: "Login required", Status: rec.Code, Reason: string(reason), LoginURL: login}
		if p != want {
			t.Errorf("body = %+v, want %+v", p, want)
		}
	case authgate.KindMachine:
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401", rec.Code)
		}
		if got := h.Values("Www-Authenticate"); len(got) != 1 || got[0] != `Basic realm="authgate", charset="UTF-8"` {
			t.Errorf("WWW-Authenticate = %q", got)
		}
		for _, name := range []string{"Authgate-Login", "Location"} {
			if got := h.Get(name); got != "" {
				t.Errorf("%s = %q on a machine answer", name, got)
			}
		}
		p := parseProblem(t, rec)
		want := problem{Type: authgate.ProblemLoginRequired, Title: "Login required", Status: 401, Reason: string(reason), LoginURL: "/login"}
		if p != want {
			t.Errorf("body = %+v, want %+v", p, want)
		}
	}
}

// TestDenyReturnTo checks where the login URL sends the user back to.
func TestDenyReturnTo(t *testing.T) {
	tests := []struct {
		name   string
		method string
		target string
		hdr    []string
		want   string // Location
	}{
		{"nav GET keeps path and query", "GET", "/a/b?c=d&e=f", []string{"Sec-Fetch-Mode", "navigate"}, "/login?return_to=%2Fa%2Fb%3Fc%3Dd%26e%3Df"},
		{"nav HEAD keeps path", "HEAD", "/a", []string{"Sec-Fetch-Mode", "navigate"}, "/login?return_to=%2Fa"},
		{"nav GET drops a scheme-relative path", "GET", "//evil.example/x", []string{"Sec-Fetch-Mode", "navigate"}, "/login"},
		{"nav POST uses same-origin Referer", "POST", "/save", []string{"Sec-Fetch-Mode", "navigate", "Referer", origin + "/edit?id=3#top"}, "/login?return_to=%2Fedit%3Fid%3D3"},
		{"nav POST cross-origin Referer", "POST", "/save", []string{"Sec-Fetch-Mode", "navigate", "Referer", "https://evil.example/edit"}, "/login"},
		{"nav POST Referer with user info", "POST", "/save", []string{"Sec-Fetch-Mode", "navigate", "Referer", "https://x@app.example/edit"}, "/login"},
		{"nav POST Referer javascript", "POST", "/save", []string{"Sec-Fetch-Mode", "navigate", "Referer", "javascript://app.example/%0aalert(1)"}, "/login"},
		{"nav POST without Referer", "POST", "/save", []string{"Sec-Fetch-Mode", "navigate"}, "/login"},
		{"nav PUT uses Referer", "PUT", "/save", []string{"Accept", "text/html", "Referer", origin + "/p"}, "/login?return_to=%2Fp"},
		{"script GET ignores its own path", "GET", "/api/x", []string{"Sec-Fetch-Mode", "cors"}, "/login"},
		{"script uses same-origin Referer", "GET", "/api/x", []string{"Sec-Fetch-Mode", "cors", "Referer", origin + "/page?q=1"}, "/login?return_to=%2Fpage%3Fq%3D1"},
		{"script cross-origin Referer", "GET", "/api/x", []string{"Sec-Fetch-Mode", "cors", "Referer", "https://evil.example/page"}, "/login"},
		{"script Referer on another port", "GET", "/api/x", []string{"Sec-Fetch-Mode", "cors", "Referer", "https://app.example:8443/page"}, "/login"},
		{"htmx prefers HX-Current-URL", "POST", "/api/x", []string{"HX-Request", "true", "HX-Current-URL", origin + "/cur", "Referer", origin + "/ref"}, "/login?return_to=%2Fcur"},
		{"htmx cross-origin HX-Current-URL falls back to Referer", "POST", "/api/x", []string{"HX-Request", "true", "HX-Current-URL", "https://evil.example/cur", "Referer", origin + "/ref"}, "/login?return_to=%2Fref"},
		{"htmx with neither", "POST", "/api/x", []string{"HX-Request", "true"}, "/login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			// Straight to the gate: a ServeMux would clean "//x" first.
			rec := httptest.NewRecorder()
			e.gate.Require(http.HandlerFunc(e.protected)).ServeHTTP(rec, newReq(tt.method, tt.target, tt.hdr...))
			if got := rec.Header().Get("Location"); got != tt.want {
				t.Errorf("Location = %q, want %q", got, tt.want)
			}
			if e.ran.Load() != 0 {
				t.Error("the protected handler ran")
			}
		})
	}
}

// TestDenyCustomLoginPathAndRealm: the login URL and the realm follow Config.
func TestDenyCustomLoginPathAndRealm(t *testing.T) {
	e := newEnv(t, func(c *authgate.Config) { c.LoginPath = "/account/sign-in"; c.Realm = "notes app" })
	rec := e.do(newReq("GET", "/x", "Sec-Fetch-Mode", "navigate"))
	if got := rec.Header().Get("Location"); got != "/account/sign-in?return_to=%2Fx" {
		t.Errorf("Location = %q", got)
	}
	rec = e.do(newReq("GET", "/x", "User-Agent", "curl/8"))
	if got := rec.Header().Get("Www-Authenticate"); got != `Basic realm="notes app", charset="UTF-8"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	if p := parseProblem(t, rec); p.LoginURL != "/account/sign-in" {
		t.Errorf("login_url = %q", p.LoginURL)
	}
}

// TestSignalParse checks ParseSignal and Signal.Status.
func TestSignalParse(t *testing.T) {
	tests := []struct {
		in     string
		ok     bool
		status int
	}{
		{"401", true, 401},
		{"418", true, 418},
		{"body:MASONITE_LOGIN_REQUIRED", true, 200},
		{"body:x", true, 200},
		{"body:" + strings.Repeat("a", 200), true, 200},
		{"body:" + strings.Repeat("a", 201), false, 0},
		{"body:", false, 0},
		{"body:line\nbreak", false, 0},
		{"body:caf\u00e9", false, 0},
		{"body:tab\there", false, 0},
		{"403", false, 0},
		{"200", false, 0},
		{"", true, 401}, // the zero value means 401
		{"BODY:x", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := authgate.ParseSignal(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseSignal(%q) error = %v, want ok %v", tt.in, err, tt.ok)
			}
			if err != nil {
				if s != "" {
					t.Errorf("ParseSignal(%q) = %q with an error", tt.in, s)
				}
				_, nerr := authgate.New(authgate.Config{Store: memstore.New(), Hasher: testkit.Hasher, Signal: authgate.Signal(tt.in)})
				if nerr == nil {
					t.Errorf("New accepted Signal %q", tt.in)
				}
				return
			}
			if got := s.Status(); got != tt.status {
				t.Errorf("Status() = %d, want %d", got, tt.status)
			}
		})
	}
}
