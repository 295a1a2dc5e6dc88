package e2e

import (
	"strings"
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
			login := tb.waitLogin()
			if got := login.Query().Get("return_to"); got != page {
				t.Errorf("return_to = %q; want %q", got, page)
			}
			if note := tb.loginNote(); !strings.Contains(note, "expired after 30 minutes without activity") {
				t.Errorf("the login page says %q; want the reason (expired after 30 minutes without activity)", note)
			}
			tb.signIn()
			if got := tb.waitApp(); got != page {
				t.Errorf("after signing in again the tab is on %s; want %s", got, page)
			}
		})
	}
}
