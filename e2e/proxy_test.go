package e2e

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/proxy"
)

// pyOpen is tab.open for the Python app's pages, whose libraries load at
// the end of the body: it waits until the page's last script ran.
func pyOpen(tb *tab, rawURL string) string {
	tb.t.Helper()
	got := tb.open(rawURL)
	tb.poll("waiting for the page's scripts", `window.agReady === true`)
	return got
}

// TestProxyPageLoad: through authgate proxy, a page load when signed out
// goes to the login page and, after sign-in, back to the same page and
// query; the Python app knew who was signed in and the page has the client
// script, which the app never wrote.
func TestProxyPageLoad(t *testing.T) {
	up := startPython(t)
	tb := newTab(t)
	p := newProxied(t, up, proxyOptions{})
	page := "/page/fetch?tab=2&q=caf%C3%A9%20au%20lait"
	tb.do("opening the page", chromedp.Navigate(p.url(page)))
	login := tb.waitLogin()
	if got := login.Query().Get("return_to"); got != page {
		t.Errorf("return_to = %q; want %q", got, page)
	}
	tb.signIn()
	if got := tb.waitApp(); got != page {
		t.Errorf("after signing in the tab is on %s; want %s", got, page)
	}
	if who := eval[string](tb, `document.getElementById("who").textContent`); who != "Signed in as "+testLogin {
		t.Errorf("the Python app says %q", who)
	}
	if !eval[bool](tb, `"authgate" in window && document.querySelector("script[data-user]").dataset.user === "ada"`) {
		t.Error("the page has no client script with the user in it")
	}
}

// TestProxyDialog: a save after expiry or revocation, with fetch, XHR,
// jQuery 3 and 4, axios and htmx 2 and 4: the sign-in dialog opens on the
// Python app's page (docs/proxy.png, with AUTHGATE_SCREENSHOTS=1), and
// after sign-in the call is sent again and the Python app stores the note
// exactly once, as the user.
func TestProxyDialog(t *testing.T) {
	type tc struct{ lib, end string }
	var cases []tc
	for _, lib := range []string{"fetch", "xhr", "jquery3", "jquery4", "axios", "htmx2", "htmx4"} {
		cases = append(cases, tc{lib, "expired"})
	}
	cases = append(cases, tc{"fetch", "revoked"}, tc{"jquery3", "revoked"}, tc{"htmx4", "revoked"})
	for _, c := range cases {
		t.Run(c.end+"/"+c.lib, func(t *testing.T) {
			t.Parallel()
			up := startPython(t)
			tb := newTab(t)
			p := newProxied(t, up, proxyOptions{})
			page := "/page/" + c.lib
			if got := pyOpen(tb, p.url(page)); got != page {
				t.Fatalf("after the first sign-in the tab is on %s; want %s", got, page)
			}
			stamp := eval[string](tb, `agStamp`)
			text := "Typed before the session " + c.end + ", with " + c.lib + "."
			tb.do("typing the note", chromedp.SendKeys(chromedp.ID("note"), text))
			if c.end == "expired" {
				p.expire()
			} else {
				p.revoke()
			}
			before := len(tb.Notes())
			tb.do("saving", chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()
			if c.lib == "fetch" && c.end == "expired" {
				shot(t, tb, "proxy.png") // the README's picture of a Python app behind the proxy
			}
			tb.signInAgainSaves(t, up, text, stamp, before)
		})
	}
}

// TestProxyRedirectMode: in mode redirect a call after expiry sends the
// page to the login page and back; the Python app stored nothing.
func TestProxyRedirectMode(t *testing.T) {
	for _, lib := range []string{"fetch", "jquery3", "axios", "htmx2"} {
		t.Run(lib, func(t *testing.T) {
			t.Parallel()
			up := startPython(t)
			tb := newTab(t)
			p := newProxied(t, up, proxyOptions{mode: authgate.ClientRedirect})
			page := "/page/" + lib + "?mode=redirect"
			pyOpen(tb, p.url(page))
			p.expire()
			tb.do("saving", chromedp.SendKeys(chromedp.ID("note"), "lost"), chromedp.Click(chromedp.ID("save")))
			if got := tb.waitLogin().Query().Get("return_to"); got != page {
				t.Errorf("return_to = %q; want %q", got, page)
			}
			tb.signIn()
			if got := tb.waitApp(); got != page {
				t.Errorf("after signing in the tab is on %s; want %s", got, page)
			}
			if n := len(readPyLog(t, up).Notes); n != 0 {
				t.Errorf("the Python app stored %d notes; the call got the signal", n)
			}
		})
	}
}

// TestProxySeedSnippets: the seeds' own snippets, verbatim in the Python
// app's pages, with the proxy's script insertion off: 418 with
// $.ajaxSetup reloads into the login page; the MASONITE_LOGIN_REQUIRED body
// with ajaxComplete goes to it.
func TestProxySeedSnippets(t *testing.T) {
	tests := []struct {
		name   string
		signal authgate.Signal
		page   string
	}{
		{"seed 003 jQuery 3", authgate.Signal418, "/page/jquery3?seed=003"},
		{"seed 003 jQuery 4", authgate.Signal418, "/page/jquery4?seed=003"},
		{"seed 000 jQuery 3", authgate.SignalBody("MASONITE_LOGIN_REQUIRED"), "/page/jquery3?seed=000"},
		{"seed 000 jQuery 4", authgate.SignalBody("MASONITE_LOGIN_REQUIRED"), "/page/jquery4?seed=000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			up := startPython(t)
			tb := newTab(t)
			p := newProxied(t, up, proxyOptions{signal: tc.signal, noScript: true})
			pyOpen(tb, p.url(tc.page))
			if eval[bool](tb, `"authgate" in window`) {
				t.Fatal("the page has the client script; this test is about pages without it")
			}
			p.expire()
			tb.run(`$.ajax({url: "/api/data"})`)
			tb.waitLogin()
			tb.signIn()
			tb.waitApp()
			tb.poll("waiting for the page's scripts", `window.agReady === true`)
		})
	}
}

// TestProxyAPIKeyAndSpoofing: curl with an API key reaches the Python app,
// which sees X-Authgate-User; a spoofed X-Authgate-User, its underscore
// twin, the key's secret and the session cookie never reach it.
func TestProxyAPIKeyAndSpoofing(t *testing.T) {
	up := startPython(t)
	p := newProxied(t, up, proxyOptions{})
	k, secret, err := authgate.NewAPIKey(testUserID, "curl", time.Now(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.store.CreateKey(t.Context(), k); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, p.url("/api/data"), nil)
	req.SetBasicAuth(k.ID, secret)
	req.Header["X-Authgate-User"] = []string{"root"}
	req.Header["X-Authgate_User"] = []string{"root"}
	req.Header["X-Authgate-Method"] = []string{"session"}
	req.Header.Set("Cookie", "__Host-authgate=stolen; authgate=stolen; theme=dark")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok": true`) {
		t.Fatalf("%d %q; want the Python app's answer", resp.StatusCode, body)
	}
	reqs := readPyLog(t, up).Requests
	if len(reqs) != 1 {
		t.Fatalf("the Python app got %d requests; want 1", len(reqs))
	}
	var users []string
	for _, h := range reqs[0].Headers {
		name := strings.ReplaceAll(strings.ToLower(h[0]), "_", "-")
		switch {
		case name == "x-authgate-user":
			users = append(users, h[1])
		case name == "x-authgate-method" && h[1] != proxy.MethodKey:
			t.Errorf("the app got %s: %q", h[0], h[1])
		case name == "authorization":
			t.Errorf("the app got the API key's secret in %s", h[0])
		case name == "cookie" && h[1] != "theme=dark":
			t.Errorf("the app got Cookie: %q", h[1])
		}
	}
	if !slices.Equal(users, []string{testLogin}) {
		t.Errorf("the app got X-Authgate-User %q; want only [%q]", users, testLogin)
	}
}

// TestProxyStreams: server-sent events from the Python app arrive through
// the proxy one by one, and a WebSocket to a Go upstream echoes.
func TestProxyStreams(t *testing.T) {
	t.Run("server-sent events", func(t *testing.T) {
		t.Parallel()
		up := startPython(t)
		tb := newTab(t)
		p := newProxied(t, up, proxyOptions{})
		pyOpen(tb, p.url("/page/fetch"))
		tb.run(`var es = new EventSource("/events"); es.onmessage = function (e) { note("sse:" + e.data); };`)
		tb.waitNote("sse:one")
		resp, err := http.Post(up+"/_test/release", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		tb.waitNote("sse:two")
		tb.run(`es.close()`)
	})
	t.Run("WebSocket", func(t *testing.T) {
		t.Parallel()
		tb := newTab(t)
		p := newProxied(t, wsEcho(t), proxyOptions{})
		pyOpen(tb, p.url("/ws-page"))
		tb.run(`var ws = new WebSocket("ws://" + location.host + "/ws");
ws.onopen = function () { ws.send("hello through the gate"); };
ws.onmessage = function (e) { note("ws:" + e.data); };
ws.onerror = function () { note("ws:error"); };`)
		tb.waitNote("ws:hello through the gate")
	})
}

// TestProxyUpstreamDown: with the app down, a page load gets the proxy's
// 502 page and a fetch gets 502 problem+json; no login page, no dialog.
func TestProxyUpstreamDown(t *testing.T) {
	tb := newTab(t)
	dead := httptestClosedURL(t)
	p := newProxied(t, dead, proxyOptions{})
	tb.do("opening the login page", chromedp.Navigate(p.url("/login")))
	tb.signIn()
	tb.poll("waiting for the 502 page", `document.title === "The app is not answering"`)
	got := eval[string](tb, `fetch("/api/data").then(function (r) { return r.status + " " + r.headers.get("Content-Type"); })`)
	if got != "502 application/problem+json" {
		t.Errorf("fetch got %q; want 502 problem+json", got)
	}
	if eval[bool](tb, `!!document.querySelector("authgate-ui")`) {
		t.Error("the client script opened its dialog for a 502")
	}
}

// httptestClosedURL returns the URL of a server that is no longer there.
func httptestClosedURL(t *testing.T) string {
	t.Helper()
	srv := httptestServer(t)
	u := srv.URL
	srv.Close()
	return u
}
