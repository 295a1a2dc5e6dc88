package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPageLoadAfterExpiry: a page load after the session expired goes to the
// login page, which says why; signing in returns to the same page and query.
func TestPageLoadAfterExpiry(t *testing.T) {
	for _, page := range []string{
		"/app/fetch?client=none&tab=2&q=notes",
		"/app/fetch?client=none&q=caf%C3%A9%20au%20lait&sort=-date", // a search box's query, as a browser encodes it
	} {
		t.Run(page, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, appOptions{})
			if got := tb.open(a.url(page)); got != page {
				t.Fatalf("after the first sign-in the tab is on %s; want %s", got, page)
			}
			a.expire()
			tb.do("reloading", chromedp.Reload())
			tb.checkLoginPage(tb.waitLogin(), page, "expired after 30 minutes without activity")
			tb.signInBackTo(page)
		})
	}
}
