package proxy_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/proxy"
)

// brokenSessions is a memstore whose session reads fail, as a store that
// is down.
type brokenSessions struct{ *memstore.Store }

func (brokenSessions) Session(context.Context, authgate.Hash) (authgate.Session, error) {
	return authgate.Session{}, errors.New("store down")
}

// fwdFixture is a forward-auth service over the proxy tests' user, with a
// session and an API key.
type fwdFixture struct {
	*fixture
	fwd *httptest.Server
}

func newFwdFixture(t *testing.T, edit func(*proxy.ForwardAuthOptions), store authgate.Store) *fwdFixture {
	t.Helper()
	f := &fwdFixture{fixture: newFixture(t, ok, nil)}
	g := f.gate
	if store != nil {
		var err error
		g, err = authgate.New(authgate.Config{Store: store, Hasher: authgate.Argon2id{Memory: 64, Time: 1}, Throttle: authgate.ThrottleConfig{Address: 2}})
		if err != nil {
			t.Fatal(err)
		}
	}
	opts := proxy.ForwardAuthOptions{Gate: g, Users: f.store}
	if edit != nil {
		edit(&opts)
	}
	fa, err := proxy.NewForwardAuth(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.fwd = httptest.NewServer(fa)
	t.Cleanup(f.fwd.Close)
	return f
}

// check is a request to the forward-auth service: path, and the headers a
// proxy sends (the client's, and what the proxy adds).
type check struct {
	method string
	path   string
	header map[string]string
}

func (f *fwdFixture) do(t *testing.T, c check) *http.Response {
	t.Helper()
	if c.method == "" {
		c.method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(t.Context(), c.method, f.fwd.URL+c.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "app.example"
	for k, v := range c.header {
		switch {
		case k == "Host":
			req.Host = v
		case v == "<session>":
			req.Header.Set(k, f.cookie)
		case v == "<session only>": // without the companion cookie
			var kept []string
			for _, c := range strings.Split(f.cookie, "; ") {
				if !strings.HasPrefix(c, authgate.CompanionCookie+"=") {
					kept = append(kept, c)
				}
			}
			req.Header.Set(k, strings.Join(kept, "; "))
		case v == "<key>":
			req.SetBasicAuth(f.keyID, f.secret)
		default:
			req.Header.Set(k, v)
		}
	}
	return do(t, req)
}

// Browser headers of the original request.
var (
	navHeaders    = map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "none", "Accept": "text/html"}
	scriptHeaders = map[string]string{"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin", "Accept": "*/*"}
)

// with returns base and extra merged.
func with(base map[string]string, extra ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// want is what the forward-auth service answers.
type want struct {
	status int
	header map[string]string // "" means absent
	body   string            // a part of the body
}

func TestForwardAuthCheck(t *testing.T) {
	f := newFwdFixture(t, nil, nil)
	traefik := func(method, uri string) []string {
		return []string{"X-Forwarded-Method", method, "X-Forwarded-Uri", uri, "X-Forwarded-Host", "app.example", "X-Forwarded-Proto", "https"}
	}
	nginx := func(method, uri string) []string {
		return []string{"X-Original-Method", method, "X-Original-Uri", uri, "X-Forwarded-Proto", "http"}
	}
	signedIn := want{status: 200, header: map[string]string{"X-Authgate-User": testLogin, "X-Authgate-User-Id": testUserID, "X-Authgate-Method": "session"}}
	tests := []struct {
		name string
		c    check
		want want
	}{
		{"navigation, signed in", check{path: proxy.CheckPath, header: with(navHeaders, append(traefik("GET", "/notes?x=1"), "Cookie", "<session>")...)}, signedIn},
		{"navigation, signed out: 303 back to the original URI", check{path: proxy.CheckPath, header: with(navHeaders, traefik("GET", "/notes?x=1")...)},
			want{status: 303, header: map[string]string{"Location": "/login?return_to=%2Fnotes%3Fx%3D1", "X-Authgate-User": ""}}},
		{"script call, signed out: the signal", check{path: proxy.CheckPath, header: with(scriptHeaders, traefik("POST", "/api/notes")...)},
			want{status: 401, header: map[string]string{"Authgate-Login": "none", "Www-Authenticate": ""}, body: authgate.ProblemLoginRequired}},
		{"htmx, signed out: HX-Redirect", check{path: proxy.CheckPath, header: with(scriptHeaders, append(traefik("POST", "/api/notes"), "Hx-Request", "true")...)},
			want{status: 401, header: map[string]string{"Hx-Redirect": "/login"}}},
		{"machine with a key, spoofed identity ignored", check{path: proxy.CheckPath, header: map[string]string{"X-Forwarded-Method": "GET", "X-Forwarded-Uri": "/api/data", "Authorization": "<key>", "X-Authgate-User": "root", "X-Authgate_User": "root"}},
			want{status: 200, header: map[string]string{"X-Authgate-User": testLogin, "X-Authgate-Method": "key"}}},
		{"machine without a key: 401 and Basic", check{path: proxy.CheckPath, header: map[string]string{"X-Forwarded-Method": "GET", "X-Forwarded-Uri": "/api/data"}},
			want{status: 401, header: map[string]string{"Www-Authenticate": `Basic realm="authgate", charset="UTF-8"`}}},
		{"cross-site POST, signed in: 403 on the original method", check{path: proxy.CheckPath, header: with(scriptHeaders, append(traefik("POST", "/api/notes"), "Cookie", "<session>", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")...)},
			want{status: 403, body: authgate.ProblemCrossOrigin}},
		{"same-site GET with that Origin passes", check{path: proxy.CheckPath, header: with(scriptHeaders, append(traefik("GET", "/api/notes"), "Cookie", "<session>", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")...)}, signedIn},
		{"nginx, signed in", check{path: proxy.NginxCheckPath, header: with(navHeaders, append(nginx("GET", "/"), "Cookie", "<session>")...)}, signedIn},
		{"nginx, signed out: a bare 401", check{path: proxy.NginxCheckPath, header: with(navHeaders, nginx("GET", "/notes")...)},
			want{status: 401, header: map[string]string{"Location": "", "Content-Type": ""}}},
		{"nginx, cross-site POST: a bare 401", check{path: proxy.NginxCheckPath, header: with(scriptHeaders, append(nginx("POST", "/api/notes"), "Cookie", "<session>", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")...)},
			want{status: 401, header: map[string]string{"Content-Type": ""}}},
		{"nginx deny: the gate's 303", check{method: "POST", path: proxy.DenyPath, header: with(navHeaders, nginx("GET", "/notes")...)},
			want{status: 303, header: map[string]string{"Location": "/login?return_to=%2Fnotes"}}},
		{"nginx deny: the gate's 403", check{path: proxy.DenyPath, header: with(scriptHeaders, append(nginx("POST", "/api/notes"), "Cookie", "<session>", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")...)},
			want{status: 403, body: authgate.ProblemCrossOrigin}},
		{"nginx deny when signed in since: 503", check{path: proxy.DenyPath, header: with(navHeaders, append(nginx("GET", "/notes"), "Cookie", "<session>")...)},
			want{status: 503, header: map[string]string{"Retry-After": "1"}}},
		{"envoy, signed in, original method and path", check{method: "POST", path: proxy.EnvoyPrefix + "/api/notes?x=1", header: with(scriptHeaders, "Cookie", "<session>")}, signedIn},
		{"envoy, signed out navigation", check{path: proxy.EnvoyPrefix + "/notes?x=1", header: navHeaders},
			want{status: 303, header: map[string]string{"Location": "/login?return_to=%2Fnotes%3Fx%3D1"}}},
		{"envoy, cross-site POST", check{method: "POST", path: proxy.EnvoyPrefix + "/api/notes", header: with(scriptHeaders, "Cookie", "<session>", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")},
			want{status: 403}},
		{"no original URI: 400", check{path: proxy.CheckPath, header: map[string]string{"X-Forwarded-Method": "GET"}}, want{status: 400}},
		{"two original URIs: 400", check{path: proxy.CheckPath, header: map[string]string{"X-Forwarded-Method": "GET", "X-Forwarded-Uri": "/a", "X-Original-Uri": "/b"}}, want{status: 400}},
		{"an absolute original URI: 400", check{path: proxy.CheckPath, header: map[string]string{"X-Forwarded-Method": "GET", "X-Forwarded-Uri": "//evil.example/"}}, want{status: 400}},
		{"a bad original method: 400", check{path: proxy.CheckPath, header: map[string]string{"X-Forwarded-Method": "G T", "X-Forwarded-Uri": "/"}}, want{status: 400}},
		{"the login page is the gate's", check{path: "/login", header: navHeaders}, want{status: 200, body: "<form"}},
		{"other paths: 404", check{path: "/notes", header: navHeaders}, want{status: 404}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := f.do(t, tt.c)
			checkWant(t, resp, tt.want)
		})
	}
}

func checkWant(t *testing.T, resp *http.Response, w want) {
	t.Helper()
	body := readAll(t, resp)
	if resp.StatusCode != w.status {
		t.Fatalf("status %d, want %d; body %q", resp.StatusCode, w.status, body)
	}
	for k, v := range w.header {
		got := resp.Header.Get(k)
		switch {
		case v == "" && got != "":
			t.Errorf("%s: %q, want none", k, got)
		case v != "" && !strings.HasPrefix(got, v):
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(body, w.body) {
		t.Errorf("body %q does not hold %q", body, w.body)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestForwardAuthStatuses: a store that is down gives 503 and a flood of
// bad keys 429, each with its real status through the full check and the
// deny endpoint, and a bare 401 through nginx's check.
func TestForwardAuthStatuses(t *testing.T) {
	down := newFwdFixture(t, nil, brokenSessions{memstore.New()})
	nav := with(navHeaders, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/notes", "Cookie", "<session>")
	checkWant(t, down.do(t, check{path: proxy.CheckPath, header: nav}), want{status: 503, header: map[string]string{"Retry-After": "5"}, body: authgate.ProblemUnavailable})
	checkWant(t, down.do(t, check{path: proxy.DenyPath, header: nav}), want{status: 503, body: authgate.ProblemUnavailable})
	checkWant(t, down.do(t, check{path: proxy.NginxCheckPath, header: nav}), want{status: 401})

	flood := newFwdFixture(t, nil, memstore.New())
	bad := map[string]string{"X-Forwarded-Method": "GET", "X-Forwarded-Uri": "/api/data", "Authorization": "Basic Ym9iOndyb25n"}
	var last *http.Response
	for range 5 {
		last = flood.do(t, check{path: proxy.CheckPath, header: bad})
		if last.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	checkWant(t, last, want{status: 429, body: authgate.ProblemTooMany})
	if last.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

// TestForwardAuthTrusted: only a trusted proxy may ask the check endpoints;
// the gate's own endpoints answer anyone.
func TestForwardAuthTrusted(t *testing.T) {
	f := newFwdFixture(t, func(o *proxy.ForwardAuthOptions) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	}, nil)
	hdr := with(navHeaders, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/", "Cookie", "<session>")
	for _, pth := range []string{proxy.CheckPath, proxy.NginxCheckPath, proxy.DenyPath, proxy.EnvoyPrefix + "/"} {
		checkWant(t, f.do(t, check{path: pth, header: hdr}), want{status: 403, header: map[string]string{"X-Authgate-User": ""}})
	}
	checkWant(t, f.do(t, check{path: "/login", header: navHeaders}), want{status: 200})
}

// TestForwardAuthCompanion: an allowed check of a browser that lacks the
// gate's companion cookie carries it, for the proxy to pass on.
func TestForwardAuthCompanion(t *testing.T) {
	f := newFwdFixture(t, nil, nil)
	resp := f.do(t, check{path: proxy.CheckPath, header: with(scriptHeaders, "X-Forwarded-Method", "GET", "X-Forwarded-Uri", "/api/data", "Cookie", "<session only>")})
	checkWant(t, resp, want{status: 200})
	for _, c := range resp.Cookies() {
		if c.Name == authgate.CompanionCookie {
			if _, _, ok := authgate.ParseCompanion(c.Value); !ok {
				t.Errorf("companion %q does not parse", c.Value)
			}
			return
		}
	}
	t.Errorf("no %s cookie in %q", authgate.CompanionCookie, resp.Header.Values("Set-Cookie"))
}
