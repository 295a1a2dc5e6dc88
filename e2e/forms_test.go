package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFormPostAfterExpiry: a form post after expiry goes to the login page
// (the handler does not run) and, after sign-in, lands back on the form's
// page.
func TestFormPostAfterExpiry(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	const page = "/app/form?draft=7"
	if got := tb.open(a.url(page)); got != page {
		t.Fatalf("after the first sign-in the tab is on %s; want %s", got, page)
	}
	a.expire()
	runs := a.handlerRuns.Load()
	tb.do("posting the form",
		chromedp.SetValue(chromedp.ID("text"), "typed before expiry"),
		chromedp.Click(chromedp.ID("save")),
	)
	login := tb.waitLogin()
	if n := a.handlerRuns.Load() - runs; n != 0 {
		t.Errorf("%d protected handlers ran for a post after expiry", n)
	}
	tb.checkLoginPage(login, page, "expired")
	tb.signInBackTo(page)
}

// TestCrossSiteFormPost: a form on another origin that posts to a protected
// route never reaches the handler. With a live session, a post from the same
// site on another port (cookies sent) is refused by the cross-origin check
// with 403, and a post from another site gets no cookie (SameSite=Lax) and so
// the login page. With an expired session the same post gets the login flow,
// not a cross-origin error: authentication comes first.
func TestCrossSiteFormPost(t *testing.T) {
	tests := []struct {
		name    string
		site    func(a *testApp) string
		expired bool
		refused bool // 403 cross-origin; else the login page
		note    string
	}{
		{"same site, other origin, live session", func(a *testApp) string { return a.otherOrigin }, false, true, ""},
		{"other site, live session", func(a *testApp) string { return a.otherSite }, false, false, ""},
		{"same site, other origin, expired session", func(a *testApp) string { return a.otherOrigin }, true, false, "expired"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, appOptions{})
			tb.open(a.url("/app/form"))
			if tc.expired {
				a.expire()
			}
			runs := a.handlerRuns.Load()
			tb.do("opening the other origin's page", chromedp.Navigate(tc.site(a)+"/attack"))
			tb.do("posting its form", chromedp.Click(chromedp.ID("send")))
			if tc.refused {
				tb.poll("waiting for the refusal", `location.pathname === "/notes" && document.body.textContent.includes("urn:authgate:cross-origin")`)
				if u := tb.url(); u.Host != strings.TrimPrefix(a.base, "http://") {
					t.Errorf("the refusal came from %s; want the app", u)
				}
			} else {
				tb.waitLogin()
				note := tb.loginNote()
				if tc.note != "" && !strings.Contains(note, tc.note) {
					t.Errorf("the login page says %q; want %q", note, tc.note)
				}
				if body := eval[string](tb, `document.body.textContent`); strings.Contains(body, "cross-origin") {
					t.Errorf("the login page speaks of a cross-origin error: %q", body)
				}
			}
			if n := a.handlerRuns.Load() - runs; n != 0 {
				t.Errorf("the protected handler ran %d times for a cross-origin post", n)
			}
			if tc.expired {
				tb.signIn()
				if got := tb.waitApp(); got != "/" {
					t.Errorf("after signing in the tab is on %s; want the home page (no same-origin page to return to)", got)
				}
			}
		})
	}
}
