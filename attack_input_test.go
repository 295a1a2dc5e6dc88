package authgate_test

// Attacks through hostile input, each written as a test that fails if the
// attack works: oversize input and cross-site writes. docs/SECURITY.md maps
// each promise to its test.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// TestAttackOversizeInput sends oversized headers, cookies, URLs, bodies
// and credentials: each gets a clear 4xx (or, within the server's limits,
// the ordinary answer), never a 5xx and never a panic.
func TestAttackOversizeInput(t *testing.T) {
	e := newEnv(t)
	tok := e.signInAs(testLogin, testPassword)
	srv := httptest.NewServer(e.mux)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	send := func(t *testing.T, r *http.Request) (int, http.Header, string) {
		t.Helper()
		res, err := client.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, string(b)
	}
	newReq := func(method, path string, body io.Reader) *http.Request {
		r, err := http.NewRequest(method, srv.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	t.Run("header over the server's limit", func(t *testing.T) {
		r := newReq(http.MethodGet, "/app/x", nil)
		r.Header.Set("X-Big", strings.Repeat("a", 2<<20))
		if code, _, _ := send(t, r); code != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("a 2 MiB header answered %d, want 431", code)
		}
	})
	t.Run("cookie over the server's limit", func(t *testing.T) {
		r := newReq(http.MethodGet, "/app/x", nil)
		r.Header.Set("Cookie", strings.Repeat("c=d; ", 300<<10)+secureCookie+"="+tok)
		if code, _, _ := send(t, r); code != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("a 1.5 MiB cookie answered %d, want 431", code)
		}
	})
	// A browser that carries many other cookies for the site (analytics,
	// other apps on the host) still signs in. If the gate gave up on a
	// Cookie header over a bound of its own, smaller than the server's, the
	// user would sign in, be sent back, not be recognised, and be sent to
	// the login page again, in a loop.
	t.Run("many cookies within the limit", func(t *testing.T) {
		other := strings.Repeat("c=d; ", 4000) // 20 KB
		for _, line := range []string{other + secureCookie + "=" + tok, secureCookie + "=" + tok + "; " + other + "e=f"} {
			r := newReq(http.MethodGet, "/app/x", nil)
			r.Header.Set("Sec-Fetch-Mode", "navigate")
			r.Header.Set("Cookie", line)
			if code, h, body := send(t, r); code != http.StatusOK || body != "hello "+testUserID+" by session" {
				t.Fatalf("a 20 KB cookie header, session at %d, answered %d %q (Location %q)", strings.Index(line, secureCookie), code, body, h.Get("Location"))
			}
		}
	})
	t.Run("oversized and malformed session cookies", func(t *testing.T) {
		before := e.ran.Load()
		for _, v := range []string{strings.Repeat("A", 100<<10), strings.Repeat("A", 4000), tok + tok, tok[:42], "\"" + tok, "%00" + tok[3:], strings.Repeat("\"", 43)} {
			r := newReq(http.MethodGet, "/app/x", nil)
			r.Header.Set("Sec-Fetch-Mode", "cors")
			r.Header.Set("Cookie", secureCookie+"="+v)
			code, h, _ := send(t, r)
			if code != http.StatusUnauthorized || h.Get("Authgate-Login") != string(authgate.ReasonNone) {
				t.Fatalf("session cookie of %d bytes answered %d %q, want the login signal", len(v), code, h.Get("Authgate-Login"))
			}
		}
		if e.ran.Load() != before {
			t.Fatal("the app ran for a malformed session cookie")
		}
	})
	t.Run("long URL", func(t *testing.T) {
		r := newReq(http.MethodGet, "/app/"+strings.Repeat("a", 100<<10)+"?q="+strings.Repeat("b", 10<<10), nil)
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		code, h, _ := send(t, r)
		if code != http.StatusSeeOther || h.Get("Location") != "/login" {
			t.Fatalf("a 110 KB URL answered %d Location %.80q, want 303 to /login without return_to", code, h.Get("Location"))
		}
	})
	t.Run("oversized Authorization", func(t *testing.T) {
		before := e.ran.Load()
		for _, authz := range []string{basicAuth("agk_x", strings.Repeat("s", 64<<10)), "Basic " + strings.Repeat("QUFB", 200)} {
			r := newReq(http.MethodGet, "/app/x", nil)
			r.Header.Set("Authorization", authz)
			code, h, _ := send(t, r)
			if code != http.StatusUnauthorized || !strings.HasPrefix(h.Get("Www-Authenticate"), "Basic") {
				t.Fatalf("a %d-byte Basic header answered %d", len(authz), code)
			}
		}
		if e.ran.Load() != before {
			t.Fatal("the app ran for an oversized Authorization")
		}
	})
	for _, c := range []struct {
		name, ct string
		body     func() io.Reader
		length   bool
		want     int
	}{
		{"1 MiB form", "application/x-www-form-urlencoded", func() io.Reader {
			return strings.NewReader("username=alice&password=" + strings.Repeat("p", 1<<20))
		}, true, http.StatusRequestEntityTooLarge},
		{"1 MiB JSON", "application/json", func() io.Reader {
			return strings.NewReader(`{"username":"alice","password":"` + strings.Repeat("p", 1<<20) + `"}`)
		}, true, http.StatusRequestEntityTooLarge},
		{"1 MiB chunked form", "application/x-www-form-urlencoded", func() io.Reader {
			return io.MultiReader(strings.NewReader("username=alice&password="), strings.NewReader(strings.Repeat("p", 1<<20)))
		}, false, http.StatusRequestEntityTooLarge},
		{"deeply nested JSON", "application/json", func() io.Reader {
			return strings.NewReader(`{"username":` + strings.Repeat("[", 7000))
		}, true, http.StatusBadRequest},
		{"300-byte user name", "application/json", func() io.Reader {
			return jsonBody(strings.Repeat("u", 300), "x", "")
		}, true, http.StatusBadRequest},
		{"5000-byte password", "application/json", func() io.Reader {
			return jsonBody("alice", strings.Repeat("p", 5000), "")
		}, true, http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newReq(http.MethodPost, "/login", c.body())
			if !c.length {
				r.ContentLength = -1
			}
			r.Header.Set("Content-Type", c.ct)
			if code, _, body := send(t, r); code != c.want {
				t.Fatalf("answered %d %.100q, want %d", code, body, c.want)
			}
		})
	}
	t.Run("4000-byte return_to", func(t *testing.T) {
		r := newReq(http.MethodPost, "/login", formBody("alice", testPassword, "/"+strings.Repeat("r", 4000)))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		if code, h, _ := send(t, r); code != http.StatusSeeOther || h.Get("Location") != "/" {
			t.Fatalf("answered %d Location %.60q, want 303 to /", code, h.Get("Location"))
		}
	})
	t.Run("ten thousand Accept lines", func(t *testing.T) {
		r := kindReq(http.MethodGet, "/app/x", authgate.KindMachine, nil)
		for range 10000 {
			r.Header.Add("Accept", "application/json;q=0.1;a=b;c=d")
		}
		assertDenied(t, e.do(r), authgate.KindMachine, authgate.ReasonNone)
	})
}

// TestAttackCrossSitePost checks that a signed-in browser tricked into a
// cross-site write gets 403 and the app does not run, for the app's routes
// and the gate's own (login, logout, keepalive), while a cross-site read,
// and a cross-site write with an ended session, get their usual answers.
func TestAttackCrossSitePost(t *testing.T) {
	e := newEnv(t)
	tok := e.signInAs(testLogin, testPassword)
	crossSite := func(method, path string, site, origin string) *http.Request {
		r := withCookie(kindReq(method, path, authgate.KindNavigation, strings.NewReader("a=b")), secureCookie, tok)
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Del("Sec-Fetch-Site")
		if site != "" {
			r.Header.Set("Sec-Fetch-Site", site)
		}
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		return r
	}
	forged := []struct{ name, site, origin string }{
		{"Sec-Fetch-Site cross-site", "cross-site", "https://evil.example"},
		{"Sec-Fetch-Site same-site", "same-site", "https://sub.app.example"},
		{"Origin only", "", "https://evil.example"},
		{"Origin null", "", "null"},
	}
	for _, f := range forged {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
			t.Run(f.name+" "+m, func(t *testing.T) {
				before := e.ran.Load()
				w := e.do(crossSite(m, "/app/x", f.site, f.origin))
				if w.Code != http.StatusForbidden {
					t.Fatalf("answered %d %q, want 403 cross-origin", w.Code, w.Body)
				}
				if p := parseProblem(t, w); p.Type != authgate.ProblemCrossOrigin || p.Status != http.StatusForbidden {
					t.Fatalf("403 with problem %+v", p)
				}
				if w.Header().Get("Authgate-Login") != "" {
					t.Fatal("a cross-site write got a login signal")
				}
				if e.ran.Load() != before {
					t.Fatal("the app ran for a cross-site write")
				}
			})
		}
		t.Run(f.name+" logout", func(t *testing.T) {
			if w := e.do(crossSite(http.MethodPost, "/logout", f.site, f.origin)); w.Code != http.StatusForbidden {
				t.Fatalf("cross-site logout answered %d, want 403", w.Code)
			}
			assertServed(t, e.get(tok, authgate.KindScript), testUserID)
		})
		t.Run(f.name+" login", func(t *testing.T) {
			r := crossSite(http.MethodPost, "/login", f.site, f.origin)
			r.Body = io.NopCloser(formBody("bob", bobPassword, ""))
			w := e.do(r)
			if w.Code != http.StatusForbidden || cookieNamed(w, secureCookie) != nil {
				t.Fatalf("cross-site login answered %d and set %v; want 403 and no cookie", w.Code, cookieNamed(w, secureCookie))
			}
		})
		t.Run(f.name+" keepalive", func(t *testing.T) {
			if w := e.do(crossSite(http.MethodPost, "/.authgate/keepalive", f.site, f.origin)); w.Code != http.StatusForbidden {
				t.Fatalf("cross-site keepalive answered %d, want 403", w.Code)
			}
		})
	}
	t.Run("cross-site GET is a read", func(t *testing.T) {
		assertServed(t, e.do(crossSite(http.MethodGet, "/app/x", "cross-site", "")), testUserID)
	})
	t.Run("same-origin writes are served", func(t *testing.T) {
		for _, k := range []authgate.Kind{authgate.KindNavigation, authgate.KindScript} {
			assertServed(t, e.do(withCookie(kindReq(http.MethodPost, "/app/x", k, nil), secureCookie, tok)), testUserID)
		}
	})
	t.Run("cross-site POST with an expired session gets the login signal", func(t *testing.T) {
		e := newEnv(t)
		tok := e.signIn()
		e.clock.Add(time.Hour)
		r := withCookie(kindReq(http.MethodPost, "/app/x", authgate.KindScript, nil), secureCookie, tok)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		assertDenied(t, e.do(r), authgate.KindScript, authgate.ReasonExpired)
	})
	t.Run("cross-site POST with an ended session gets the login signal", func(t *testing.T) {
		old := e.signInAs(testLogin, testPassword)
		if _, err := e.mem.RevokeUserSessions(context.Background(), testUserID); err != nil {
			t.Fatal(err)
		}
		r := crossSite(http.MethodPost, "/app/x", "cross-site", "https://evil.example")
		r.Header.Set("Cookie", secureCookie+"="+old)
		r.Header.Set("Sec-Fetch-Mode", "cors")
		assertDenied(t, e.do(r), authgate.KindScript, authgate.ReasonRevoked)
	})
}
