package authgate_test

// Open redirect: every known form of an off-site return_to, sent through
// every door by which a return_to reaches the gate, must land on this
// origin. The doors are the login form's hidden field (the 303 after
// sign-in), the JSON sign-in's return_to, the login page's ?return_to (the
// hidden field it renders), a page load's own URL and a form post's Referer
// (the login URL of the 303 to the login page), and a script call's
// HX-Current-URL and Referer (the signal's Location and login_url).

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/authgate/authgate"
)

// redirectCase is one return_to to try, with the class it belongs to.
type redirectCase struct {
	class string
	in    string
}

// redirectCases returns the open-redirect forms: a hand-written table
// of the known classes, and every combination of the classic prefixes with
// several ways to write the attacker's host.
func redirectCases() []redirectCase {
	table := map[string][]string{
		"scheme-relative": {
			"//evil.example", "//evil.example/", "//evil.example/path?x=1", "///evil.example", "////evil.example",
			"//evil.example:443", "//evil.example:80/", "//EVIL.EXAMPLE", "// evil.example", "//evil.example%2F..",
			"//evil.example\\@app.example", "//\tevil.example", "//%65vil.example", "//app.example.evil.example/",
		},
		"backslashes": {
			"\\evil.example", "\\\\evil.example", "/\\evil.example", "\\/evil.example", "/\\/evil.example",
			"\\\\/evil.example", "/\\\\evil.example", "\\/\\/evil.example", "/.\\evil.example", "/..\\evil.example",
		},
		"tabs and newlines": {
			"java\tscript:alert(1)", "jav\nascript:alert(1)", "java\rscript:alert(1)", "/\t/evil.example",
			"/\n/evil.example", "/\r\n/evil.example", "\t//evil.example", " //evil.example", "ht\ttp://evil.example",
			"http\n://evil.example", "/\x00/evil.example", "\x01//evil.example", "/\x0b/evil.example", "/\f/evil.example",
		},
		"percent encoding": {
			"/%2F/evil.example", "/%2f%2fevil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/%5cevil.example",
			"/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example", "%2f%2fevil.example", "/%2F%2Fevil.example",
			"%5C%5Cevil.example", "/%00/evil.example", "%68ttp://evil.example", "/%E3%80%82/evil.example", "/%",
		},
		"double encoding": {
			"/%252F%252Fevil.example", "/%255Cevil.example", "%252F%252Fevil.example", "/%252f/evil.example",
			"/%25252F%25252Fevil.example", "/%255C%255Cevil.example", "/%2509/evil.example", "%25%32%46%25%32%46evil.example",
		},
		"userinfo": {
			"http://app.example@evil.example", "https://app.example@evil.example/", "//app.example@evil.example",
			"/@evil.example", "https://evil.example\\@app.example", "http://evil.example#@app.example",
			"http://evil.example?@app.example", "//evil.example@app.example", "http://app.example:80@evil.example",
			"http://user:pass@evil.example", "@evil.example", "http:/\\/app.example@evil.example",
		},
		"fullwidth and ideographic dots": {
			"//evil。example", "//evil．example", "//evil｡example", "／／evil.example", "/／evil.example",
			"＼＼evil.example", "//evil%E3%80%82example", "/%EF%BC%8F/evil.example", "//ｅｖｉｌ.example", "/\u2215/evil.example",
		},
		"javascript and data": {
			"javascript:alert(1)", "JavaScript:alert(1)", "javascript://%0aalert(1)", "java%0ascript:alert(1)",
			"data:text/html,<script>alert(1)</script>", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
			"vbscript:msgbox(1)", "%6A%61vascript:alert(1)", " javascript:alert(1)", "\x00javascript:alert(1)",
			"jav&#x09;ascript:alert(1)", "javascript:/\\/evil.example", "JAVASCRIPT:alert(1)", "data:,evil",
		},
		"IPv4 numeric forms": {
			"//2130706433", "//0x7f000001", "//017700000001", "//127.1", "//0177.0.0.1", "http://3232235521/",
			"//[::ffff:7f00:1]", "http://0/", "//0.0.0.0", "http://127.0.0.1:80@evil.example", "//0x7f.1",
			"http://[::1]/", "//1.1.1.1", "http://1.1.1.1&@2.2.2.2#@3.3.3.3/",
		},
		"fragments and ?@": {
			"/#//evil.example", "#@evil.example", "?//evil.example", "//evil.example#@app.example",
			"//evil.example?@app.example", "/?@evil.example", "/?next=//evil.example", "/.//evil.example",
			"/#\\evil.example", "#//evil.example", "?@evil.example", "/x#@evil.example",
		},
		"other schemes and relative forms": {
			"http://evil.example", "https://evil.example", "HTTP://evil.example", "ftp://evil.example",
			"http:evil.example", "http:/evil.example", "https:\\\\evil.example", "file:///etc/passwd",
			"mailto:x@evil.example", "blob:http://evil.example/x", "intent://evil.example#Intent;end", "ws://evil.example",
			"evil.example", "./evil.example", "../evil.example", ".", "..", "", " ", "/", "/../..//evil.example",
		},
		"very long input": {
			"/" + strings.Repeat("a", 2047), "/" + strings.Repeat("a", 2048), "//" + strings.Repeat("a", 5000) + ".example",
			"/" + strings.Repeat("%2F", 600), "http://" + strings.Repeat("a.", 3000) + "evil.example",
			"/" + strings.Repeat("a", 1000) + "//evil.example", "/" + strings.Repeat("\\", 1000),
		},
	}
	var out []redirectCase
	for class, ins := range table {
		for _, in := range ins {
			out = append(out, redirectCase{class, in})
		}
	}
	prefixes := []string{"//", "\\\\", "/\\", "\\/", "/%2F", "/%5C", "%2F%2F", "/%252F", "/\t/", "///", "https://", "https:"}
	hosts := []string{"evil.example", "evil.example/", "evil.example:8080/x", "app.example.evil.example",
		"evil.example%00.app.example", "2130706433", "evil。example", "app.example@evil.example"}
	for _, p := range prefixes {
		for _, h := range hosts {
			out = append(out, redirectCase{"prefix x host", p + h})
		}
	}
	return out
}

// hiddenReturnTo reads the return_to hidden field of a login page.
var hiddenReturnTo = regexp.MustCompile(`<input type="hidden" name="return_to" value="([^"]*)">`)

// TestOpenRedirect sends every open-redirect form through every door and
// checks that the browser would land on this origin each time.
func TestOpenRedirect(t *testing.T) {
	cases := redirectCases()
	if len(cases) < 150 {
		t.Fatalf("only %d open-redirect cases, want at least 150", len(cases))
	}
	e := newEnv(t)
	lands := func(t *testing.T, c redirectCase, door, loc string) {
		t.Helper()
		if why := landsOnOrigin(loc); why != "" {
			t.Errorf("%s %.80q via %s: %.120q %s", c.class, c.in, door, loc, why)
		}
	}
	// loginReturn reads the return_to of a login URL the gate sent; a
	// login URL without one is fine (the sign-in then lands on "/").
	loginReturn := func(t *testing.T, c redirectCase, door, login string) {
		t.Helper()
		u, err := url.Parse(login)
		if err != nil || u.Path != "/login" || u.Host != "" || u.Scheme != "" {
			t.Errorf("%s %.80q via %s: login URL %.120q is not this origin's /login", c.class, c.in, door, login)
			return
		}
		if rt := u.Query().Get("return_to"); rt != "" {
			lands(t, c, door, rt)
		}
	}
	accepted := 0
	for _, c := range cases {
		// The login form: 303 to return_to, or to "/".
		w := e.loginForm("alice", testPassword, c.in)
		if w.Code != http.StatusSeeOther {
			t.Fatalf("%.80q: form sign-in answered %d", c.in, w.Code)
		}
		loc := w.Header().Get("Location")
		lands(t, c, "the form's 303", loc)
		if want := authgate.SafeReturnTo(c.in); (want == "" && loc != "/") || (want != "" && loc != want) {
			t.Errorf("%.80q: the form's 303 went to %q, want SafeReturnTo's %q or /", c.in, loc, want)
		}
		if loc != "/" {
			accepted++
		}

		// The JSON sign-in.
		w = e.loginJSON("alice", testPassword, c.in)
		var resp struct {
			ReturnTo string `json:"return_to"`
		}
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &resp) != nil {
			t.Fatalf("%.80q: JSON sign-in answered %d %q", c.in, w.Code, w.Body)
		}
		lands(t, c, "the JSON sign-in", resp.ReturnTo)

		// The login page's hidden field.
		r := kindReq(http.MethodGet, "/login?return_to="+url.QueryEscape(c.in), authgate.KindNavigation, nil)
		w = e.do(r)
		m := hiddenReturnTo.FindStringSubmatch(w.Body.String())
		if w.Code != http.StatusOK || m == nil {
			t.Fatalf("%.80q: login page answered %d without the hidden field", c.in, w.Code)
		}
		if v := html.UnescapeString(m[1]); v != "" {
			lands(t, c, "the login page's hidden field", v)
		}

		// A page load whose own URL is the attack, and a form post whose
		// Referer is.
		if u, err := url.ParseRequestURI(c.in); err == nil {
			r = kindReq(http.MethodGet, "/", authgate.KindNavigation, nil)
			r.URL, r.RequestURI = u, c.in
			w = e.do(r)
			if w.Code == http.StatusSeeOther {
				loginReturn(t, c, "a page load's 303", w.Header().Get("Location"))
			}
		}
		for _, ref := range []string{c.in, "https://" + host + c.in, "https://" + host + "/" + c.in} {
			r = kindReq(http.MethodPost, "/app/x", authgate.KindNavigation, nil)
			r.Header.Set("Referer", ref)
			w = e.do(r)
			loginReturn(t, c, "a form post's Referer", w.Header().Get("Location"))

			// A script call's HX-Current-URL and Referer.
			r = kindReq(http.MethodGet, "/app/x", authgate.KindScript, nil)
			r.Header.Set("Referer", ref)
			r.Header.Set("HX-Request", "true")
			r.Header.Set("HX-Current-URL", ref)
			w = e.do(r)
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("%.80q: script call answered %d", c.in, w.Code)
			}
			loginReturn(t, c, "a script call's Location", w.Header().Get("Location"))
			loginReturn(t, c, "a script call's HX-Redirect", w.Header().Get("Hx-Redirect"))
			var p struct {
				LoginURL string `json:"login_url"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			loginReturn(t, c, "a script call's login_url", p.LoginURL)
		}
	}
	t.Logf("%d open-redirect forms, %d kept as same-origin paths, the rest sent to /", len(cases), accepted)
}

// TestOpenRedirectKeepsGoodPaths makes sure the redirect check is not
// simply refusing everything: ordinary same-origin paths survive exactly.
func TestOpenRedirectKeepsGoodPaths(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{
		"/", "/notes", "/notes?id=7&sort=desc", "/a/b/c/", "/search?q=%2F%2Fnot-a-host", "/x;y=z",
		"/@user", "/path/with:colon", "/~me/", "/a%20b", "/" + strings.Repeat("a", 2047),
	} {
		w := e.loginForm("alice", testPassword, p)
		if got := w.Header().Get("Location"); w.Code != http.StatusSeeOther || got != p {
			t.Errorf("return_to %q: %d to %q, want 303 to it unchanged", p, w.Code, got)
		}
	}
}

// landsOnOrigin reports why loc, a Location header or return_to value,
// would take a browser that is on origin off it, or "" if it stays. It
// requires a single leading '/', and resolves loc with Go's RFC 3986
// parser and again after a WHATWG URL parser's first steps (see
// browserClean).
func landsOnOrigin(loc string) string {
	if loc == "" || loc[0] != '/' || (len(loc) > 1 && (loc[1] == '/' || loc[1] == '\\')) {
		return "does not start with a single '/'"
	}
	base, _ := url.Parse(origin + "/login")
	for _, form := range []string{loc, browserClean(loc)} {
		if strings.HasPrefix(form, "//") {
			return "is scheme-relative once a browser cleans it"
		}
		u, err := url.Parse(form)
		if err != nil {
			return "does not parse: " + err.Error()
		}
		res := base.ResolveReference(u)
		if res.Scheme != base.Scheme || res.Host != host || res.User != nil {
			return "resolves to " + res.Redacted()
		}
	}
	return ""
}

// browserClean applies the WHATWG URL parser's first steps to s: strip C0
// controls and spaces at the ends, drop tabs and newlines anywhere, read
// backslashes as slashes.
func browserClean(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= 0x20 })
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, s)
}
