package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestForwardAuthBrowser: in Chromium, through nginx and Caddy with the
// printed configs and the Python app. Its pages carry no data-user-id:
// nginx inserts the client script's tag, and behind Caddy the page writes
// a static one; the script asks the gate who is signed in. A page load
// goes to the login page and back; a save after the session expired opens
// the dialog and, after a sign-in as the same user, is sent again once, as
// that user; after a sign-in as another user it is not sent and the page
// reloads; an htmx page without the script (behind Caddy: nginx inserts
// it into every page) follows HX-Redirect to the login page.
func TestForwardAuthBrowser(t *testing.T) {
	pages := map[string]string{"nginx": "/page/fetch?q=1", "caddy": "/page/fetch?tag=1"}
	for _, name := range []string{"nginx", "caddy"} {
		t.Run(name+"/dialog", func(t *testing.T) {
			up := startPython(t)
			f := newForwarded(t, name, up)
			tb := newTab(t)
			page := pages[name]
			if got := pyOpen(tb, f.base+page); got != page {
				t.Fatalf("after sign-in the tab is on %s; want %s", got, page)
			}
			if who := eval[string](tb, `document.getElementById("who").textContent`); who != "Signed in as "+testLogin {
				t.Errorf("the Python app says %q", who)
			}
			if n := eval[int](tb, `document.querySelectorAll('script[src="/.authgate/client.js"]:not([data-user-id])').length`); n != 1 {
				t.Errorf("the page has %d client script tags without data-user-id; want 1", n)
			}
			waitSessionAsked(tb)
			stamp := eval[string](tb, `agStamp`)
			text := "Typed before the session expired, behind " + name + "."
			tb.do("typing the note", chromedp.SendKeys(chromedp.ID("note"), text))
			f.expire()
			before := len(tb.Notes())
			tb.do("saving", chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()
			tb.signInAgainSaves(t, up, text, stamp, before)
		})
		t.Run(name+"/dialog, another user", func(t *testing.T) {
			up := startPython(t)
			f := newForwarded(t, name, up)
			tb := newTab(t)
			page := pages[name]
			pyOpen(tb, f.base+page)
			waitSessionAsked(tb)
			tb.do("typing the note", chromedp.SendKeys(chromedp.ID("note"), "ada's draft"))
			f.expire()
			tb.do("saving", chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()
			tb.do("signing in as bob",
				chromedp.SetValue(inUI("input[name=username]"), bobLogin),
				chromedp.SetValue(inUI("input[name=password]"), bobPassword),
				chromedp.Click(inUI("button:not([type])")),
			)
			tb.poll("waiting for bob's page", `document.getElementById("who") && document.getElementById("who").textContent === "Signed in as bob"`)
			if n := len(readPyLog(t, up).Notes); n != 0 {
				t.Errorf("the Python app stored %d notes; a sign-in as another user must send nothing again", n)
			}
		})
		if name == "nginx" {
			continue // nginx puts the script into every page
		}
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

// waitSessionAsked waits until the page's client script has its answer
// from GET /.authgate/session.
func waitSessionAsked(tb *tab) {
	tb.t.Helper()
	tb.poll("waiting for the script to ask who is signed in",
		`performance.getEntriesByName(location.origin + "/.authgate/session").some(function (e) { return e.responseEnd > 0 })`)
}
