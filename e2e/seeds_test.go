package e2e

import (
	"strings"
	"testing"

	"github.com/authgate/authgate"
)

// TestSeedSnippetsWithoutClient: pages that already have their own code for
// the login signal work unchanged, with no authgate.js on the page:
//
//   - seed 003's jQuery snippet, verbatim, with the gate in 418 mode,
//     reloads into the login page;
//   - seed 000's ajaxComplete snippet, with the gate in sentinel mode,
//     reaches the login page;
//   - an htmx page reaches the login page through HX-Redirect.
func TestSeedSnippetsWithoutClient(t *testing.T) {
	tests := []struct {
		name   string
		signal authgate.Signal
		page   string
		call   string
		// returnTo is the return_to the login page must carry: the page,
		// or "" where the seed's own code sends the user to the bare
		// login route.
		returnTo bool
		nav      string // the navigation the page's own code starts
	}{
		{"seed 003 jQuery 3", authgate.Signal418, "/app/jquery3?client=none&seed=003", `$.ajax({url: "/api/data"})`, true, "navigate:reload"},
		{"seed 003 jQuery 4", authgate.Signal418, "/app/jquery4?client=none&seed=003", `$.ajax({url: "/api/data"})`, true, "navigate:reload"},
		{"seed 000 jQuery 3", authgate.SignalBody("MASONITE_LOGIN_REQUIRED"), "/app/jquery3?client=none&seed=000", `$.ajax({url: "/api/data"})`, false, "navigate:push"},
		{"seed 000 jQuery 4", authgate.SignalBody("MASONITE_LOGIN_REQUIRED"), "/app/jquery4?client=none&seed=000", `$.get("/api/data")`, false, "navigate:push"},
		{"htmx 2 HX-Redirect", authgate.Signal401, "/app/htmx2?client=none", `document.getElementById("hx").click()`, true, "navigate:push"},
		{"htmx 4 HX-Redirect", authgate.Signal401, "/app/htmx4?client=none", `document.getElementById("hx").click()`, true, "navigate:push"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, appOptions{signal: tc.signal})
			if got := tb.open(a.url(tc.page)); got != tc.page {
				t.Fatalf("after the first sign-in the tab is on %s; want %s", got, tc.page)
			}
			if eval[bool](tb, `"authgate" in window`) {
				t.Fatal("the page loaded authgate.js; this test is about pages without it")
			}
			a.expire()
			before := len(tb.Notes())
			tb.run(tc.call)
			login := tb.waitLogin()
			notes := tb.Notes()[before:]
			if len(notes) == 0 || !strings.HasPrefix(notes[0], tc.nav) {
				t.Errorf("the page's own code did not start the navigation (%s): %q", tc.nav, notes)
			}
			want := ""
			if tc.returnTo {
				want = tc.page
			}
			tb.checkLoginPage(login, want, "expired")
			tb.signIn()
			back := tb.waitApp()
			if tc.returnTo && back != tc.page {
				t.Errorf("after signing in the tab is on %s; want %s", back, tc.page)
			}
			if !tc.returnTo && back != "/" {
				t.Errorf("after signing in from the bare login route the tab is on %s; want the home page", back)
			}
		})
	}
}
