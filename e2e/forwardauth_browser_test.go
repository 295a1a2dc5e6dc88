package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestForwardAuthBrowser: in Chromium, through nginx and Caddy with the
// printed configs and the Python app, whose pages include the client
// script by its static tag: a page load goes to the login page and back; a
// save after the session was revoked opens the dialog and, after sign-in,
// is sent again once, as the user; an htmx page without the script follows
// HX-Redirect to the login page.
func TestForwardAuthBrowser(t *testing.T) {
	for _, name := range []string{"nginx", "caddy"} {
		t.Run(name+"/dialog", func(t *testing.T) {
			up := startPython(t)
			f := newForwarded(t, name, up)
			tb := newTab(t)
			page := "/page/fetch?tag=1"
			if got := pyOpen(tb, f.base+page); got != page {
				t.Fatalf("after sign-in the tab is on %s; want %s", got, page)
			}
			if who := eval[string](tb, `document.getElementById("who").textContent`); who != "Signed in as "+testLogin {
				t.Errorf("the Python app says %q", who)
			}
			stamp := eval[string](tb, `agStamp`)
			text := "Typed before the session was revoked, behind " + name + "."
			tb.do("typing the note", chromedp.SendKeys(chromedp.ID("note"), text))
			f.revokeAll(t)
			before := len(tb.Notes())
			tb.do("saving", chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()
			tb.signInAgainSaves(t, up, text, stamp, before)
		})
		t.Run(name+"/htmx without the script", func(t *testing.T) {
			up := startPython(t)
			f := newForwarded(t, name, up)
			tb := newTab(t)
			pyOpen(tb, f.base+"/page/htmx2")
			f.revokeAll(t)
			tb.do("saving", chromedp.SendKeys(chromedp.ID("note"), "lost"), chromedp.Click(chromedp.ID("save")))
			tb.waitLogin()
			if n := len(readPyLog(t, up).Notes); n != 0 {
				t.Errorf("the Python app stored %d notes; the call got the signal", n)
			}
		})
	}
}
