package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestUntouchedCalls: the client script leaves alone every call that is not
// a login signal: the app's own 401s, a store outage (503), cross-origin
// responses even when they carry the signal's header, streams (it reads no
// body, so the first chunk arrives while the server still holds the rest),
// and aborted calls. The page stays where it is and its code gets what it
// would have got without the script.
func TestUntouchedCalls(t *testing.T) {
	tests := []struct {
		name  string
		lib   string
		setup func(a *testApp)
		call  string // JavaScript; {OTHER} is the other site's origin
		abort string // run once the server holds the call, to abort it
		want  string // the note the page's code must report
		// challenges is the number of HTTP auth challenges the browser
		// must meet: 1 for the control that makes sure they are counted.
		challenges int32
	}{
		{name: "own 401 by fetch", lib: "fetch",
			call: `fetch("/open/other401").then(function (r) { note("page:" + r.status); })`, want: "page:401"},
		{name: "own 401 by XHR", lib: "xhr",
			call: `var x = new XMLHttpRequest(); x.open("GET", "/open/other401"); x.onload = function () { note("page:" + x.status); }; x.send();`, want: "page:401"},
		{name: "own 401 by jQuery", lib: "jquery3",
			call: `$.ajax({url: "/open/other401"}).fail(function (x) { note("page:" + x.status); })`, want: "page:401"},
		{name: "store outage by fetch", lib: "fetch", setup: func(a *testApp) { a.store.down.Store(true) },
			call: `fetch("/api/data").then(function (r) { return r.json().then(function (p) { note("page:" + r.status + " " + p.type); }); })`,
			want: "page:503 urn:authgate:unavailable"},
		{name: "store outage by XHR", lib: "xhr", setup: func(a *testApp) { a.store.down.Store(true) },
			call: `var x = new XMLHttpRequest(); x.open("GET", "/api/data"); x.onload = function () { note("page:" + x.status + " " + JSON.parse(x.responseText).type); }; x.send();`,
			want: "page:503 urn:authgate:unavailable"},
		{name: "cross-origin signal header by fetch", lib: "fetch",
			call: `fetch("{OTHER}/cors-signal").then(function (r) { note("page:" + r.status + " " + r.headers.get("Authgate-Login")); })`,
			want: "page:401 expired"},
		{name: "cross-origin signal header by XHR", lib: "xhr",
			call: `var x = new XMLHttpRequest(); x.open("GET", "{OTHER}/cors-signal"); x.onload = function () { note("page:" + x.status + " " + x.getResponseHeader("Authgate-Login")); }; x.send();`,
			want: "page:401 expired"},
		{name: "stream by fetch", lib: "fetch",
			call: `fetch("/open/stream").then(function (r) { return r.body.getReader().read(); }).then(function (c) { note("page:chunk " + new TextDecoder().decode(c.value).trim()); })`,
			want: "page:chunk first"},
		{name: "aborted fetch", lib: "fetch",
			call:  `window.agCtl = new AbortController(); fetch("/open/hang", {signal: agCtl.signal}).then(function () { note("page:resolved"); }, function (e) { note("page:" + e.name); })`,
			abort: `agCtl.abort()`, want: "page:AbortError"},
		{name: "aborted XHR", lib: "xhr",
			call:  `window.agX = new XMLHttpRequest(); agX.open("GET", "/open/hang"); agX.onabort = function () { note("page:abort " + agX.status); }; agX.send();`,
			abort: `agX.abort()`, want: "page:abort 0"},
		{name: "aborted jQuery call", lib: "jquery4",
			call:  `window.agJ = $.ajax({url: "/open/hang"}).fail(function (x, status) { note("page:" + status); })`,
			abort: `agJ.abort()`, want: "page:abort"},
		{name: "control: a Basic challenge is counted", lib: "fetch",
			call: `fetch("/open/basic").then(function (r) { note("page:" + r.status); })`, want: "page:401", challenges: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			tb.allowed = tc.challenges
			a := newApp(t, appOptions{})
			page := "/app/" + tc.lib + "?case=untouched"
			if got := tb.open(a.url(page)); got != page {
				t.Fatalf("after sign-in the tab is on %s; want %s", got, page)
			}
			if tc.setup != nil {
				tc.setup(a)
			}
			before := len(tb.Notes())
			tb.run(strings.ReplaceAll(tc.call, "{OTHER}", a.otherSite))
			if tc.abort != "" {
				select {
				case <-a.held:
				case <-time.After(waitTimeout):
					t.Fatal("the call never reached the server")
				}
				tb.run(tc.abort)
			}
			tb.waitNote(tc.want)
			// A signal would have been handled before the page's code ran.
			notes := tb.Notes()[before:]
			if n := countPrefix(notes, "signal:") + countPrefix(notes, "navigate:"); n != 0 {
				t.Errorf("the client script acted on a call it must leave alone: %q", notes)
			}
			if got := tb.url().RequestURI(); got != page {
				t.Errorf("the tab left the page for %s", got)
			}
		})
	}
}

// TestRedirectOnce: several calls that get the signal at once leave the page
// once.
func TestRedirectOnce(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	const page = "/app/jquery3?case=once"
	tb.open(a.url(page))
	a.expire()
	before := len(tb.Notes())
	gets := a.loginGets.Load()
	tb.run(`
		fetch("/api/data"); fetch("/api/data", {method: "POST"});
		var x = new XMLHttpRequest(); x.open("GET", "/api/data"); x.send();
		$.ajax({url: "/api/data"}); $.getJSON("/api/data");
	`)
	login := tb.waitLogin()
	notes := tb.Notes()[before:]
	if n := countPrefix(notes, "navigate:"); n != 1 {
		t.Errorf("the page started %d navigations; want 1: %q", n, notes)
	}
	if n := countPrefix(notes, "signal:"); n < 1 {
		t.Errorf("no signal seen: %q", notes)
	}
	if n := a.loginGets.Load() - gets; n != 1 {
		t.Errorf("the login page was requested %d times; want 1", n)
	}
	if got := login.Query().Get("return_to"); got != page {
		t.Errorf("return_to = %q; want %q", got, page)
	}
}

// TestMachineClientGetsBasic: a client without credentials and without
// browser headers gets a 401 with a Basic challenge, while the same URL
// called by the browser's script gets the login signal and no challenge (the
// browser meets none: newTab counts them).
func TestMachineClientGetsBasic(t *testing.T) {
	a := newApp(t, appOptions{})
	res := a.machineGet("/api/data")
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("a machine client got %d; want 401", res.StatusCode)
	}
	if got := res.Header.Get("Www-Authenticate"); !hasPrefixFold(got, `Basic realm="authgate"`) {
		t.Errorf("a machine client got WWW-Authenticate %q; want a Basic challenge", got)
	}
	if got := res.Header.Get("Authgate-Login"); got != "" {
		t.Errorf("a machine client got Authgate-Login %q; the signal is for scripts", got)
	}

	tb := newTab(t)
	tb.open(a.url("/app/fetch?client=none"))
	a.expire()
	tb.run(`fetch("/api/data").then(function (r) { note("page:" + r.status + " " + r.headers.get("Authgate-Login") + " " + r.headers.get("WWW-Authenticate")); })`)
	tb.waitNote("page:401 expired null")
}
