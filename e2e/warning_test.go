package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/authgate/authgate"
)

// warnAhead is how far ahead of the real time the tests put a session's
// deadline: inside the client's default warning window (120 seconds), far
// enough that it does not pass while a test runs.
const warnAhead = 90 * time.Second

// sibling opens another tab in tb's browser context: it shares tb's cookies
// and BroadcastChannel, as two tabs of one browser window do.
func (tb *tab) sibling() *tab {
	t := tb.t
	t.Helper()
	ctx, cancel := chromedp.NewContext(tb.ctx)
	s := &tab{t: t, ctx: ctx, changed: make(chan struct{}, 1)}
	if err := chromedp.Listen(ctx, s.listen); err != nil {
		cancel()
		t.Fatalf("opening a second tab: %v", err)
	}
	t.Cleanup(cancel)
	if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: "agNote"}); err != nil {
		t.Fatalf("adding the agNote binding: %v", err)
	}
	return s
}

// nearDeadline sets the gate's clock so that a session signed in now has
// its idle deadline warnAhead from the real time, which is the page's clock:
// the warning is due at once.
func (a *testApp) nearDeadline() { a.offset.Store(int64(-(idleTimeout - warnAhead))) }

// realClock puts the gate's clock back on the real time.
func (a *testApp) realClock() { a.offset.Store(0) }

// lastSeen returns the LastSeen of the user's newest live session.
func (a *testApp) lastSeen(t *testing.T) time.Time {
	t.Helper()
	ss, err := a.store.UserSessions(t.Context(), testUserID)
	if err != nil {
		t.Fatal(err)
	}
	var newest authgate.Session
	for _, s := range ss {
		if !s.Revoked && s.CreatedAt.After(newest.CreatedAt) {
			newest = s
		}
	}
	if newest.ID == (authgate.Hash{}) {
		t.Fatal("the user has no live session")
	}
	return newest.LastSeen
}

// waitWarning waits for the warning with the given button.
func (tb *tab) waitWarning(button string) {
	tb.t.Helper()
	tb.waitDialog("waiting for the warning", button)
}

// TestWarning: before the idle deadline the warning opens in every tab of
// the site: an alertdialog with the focus on Stay signed in, a polite
// countdown, and Escape does not dismiss it. Stay signed in in one tab
// really moves the store's deadline and closes the warning in the other tab.
func TestWarning(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	a.nearDeadline()
	const page = "/dlg/fetch"
	tb.open(a.url(page))
	tb.waitWarning("#k")
	other := tb.sibling()
	other.do("opening the page in a second tab", chromedp.Navigate(a.url(page)))
	other.waitWarning("#k")

	for _, x := range []*tab{tb, other} {
		if got := uiEval[string](x, `R.querySelector("dialog").getAttribute("role")`); got != "alertdialog" {
			t.Errorf("the warning's role is %q; want alertdialog", got)
		}
		if got := uiEval[string](x, `R.activeElement ? R.activeElement.textContent : ""`); got != "Stay signed in" {
			t.Errorf("the focus is on %q; want the Stay signed in button", got)
		}
		live := uiEval[string](x, `(R.querySelector("[aria-live=polite]") || {}).textContent`)
		if !strings.Contains(live, "signed out in") || !strings.Contains(live, "minutes") {
			t.Errorf("the countdown says %q; want the time left, in coarse steps", live)
		}
	}
	tb.do("pressing Escape", chromedp.KeyEvent(kb.Escape))
	tb.do("pressing Escape again", chromedp.KeyEvent(kb.Escape))
	// A browser may close a modal on a second Escape whatever the page
	// says; the warning must then come back.
	tb.poll("the warning stays after Escape", `(function () { `+jsUI+` return R.querySelector("dialog").open && !!R.querySelector("#k"); })()`)
	if !uiEval[bool](tb, `R.activeElement && R.activeElement.id === "k"`) {
		tb.do("focusing the first button", chromedp.Focus(inUI("#k")))
	}
	tb.do("pressing Tab", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
	if !uiEval[bool](tb, `document.activeElement === h && R.activeElement.id === "k"`) {
		t.Error("Tab moved the focus out of the warning; want it back on the first button after the last")
	}
	tb.do("pressing Shift+Tab", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	if !uiEval[bool](tb, `document.activeElement === h && R.activeElement.id === "o"`) {
		t.Error("Shift+Tab on the first button left the warning; want the focus on the last button")
	}

	seen := a.lastSeen(t)
	a.realClock()
	tb.do("staying signed in", chromedp.Click(inUI("#k")))
	tb.waitDialogClosed("waiting for the warning to close")
	other.waitDialogClosed("waiting for the warning to close in the other tab")
	if got := a.lastSeen(t); !got.After(seen.Add(time.Minute)) {
		t.Errorf("the store's LastSeen is %v; want it moved on from %v", got, seen)
	}
	for _, x := range []*tab{tb, other} {
		if got := x.url().Path; got != page {
			t.Errorf("a tab left the page for %s", got)
		}
	}
}

// TestSignOutEveryTab: Sign out in the warning of one tab signs out; the
// other tab comes to the signed-out state by itself, from the tabs' channel
// or the cookie, with no call of its own: the sign-in dialog in mode dialog,
// the login page in mode redirect. (How soon is not asserted: a wall clock
// on a busy machine says nothing; the script's one-second cookie check and
// the channel are what make it prompt.)
func TestSignOutEveryTab(t *testing.T) {
	for _, mode := range []string{"dialog", "redirect"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, appOptions{})
			a.nearDeadline()
			tb.open(a.url("/dlg/fetch"))
			tb.waitWarning("#o")
			other := tb.sibling()
			otherPage := "/dlg/jquery3?client=" + mode
			other.do("opening a page in a second tab", chromedp.Navigate(a.url(otherPage)))
			other.waitNote("load:" + otherPage)
			other.waitWarning("#o")
			before := len(other.Notes())
			if mode == "dialog" {
			}
			tb.do("signing out", chromedp.Click(inUI("#o")))
			login := tb.waitLogin()
			if got := login.Query().Get("signed_out"); got != "1" {
				t.Errorf("after signing out the tab is on %s; want the login page saying so", login)
			}
			if note := tb.loginNote(); !strings.Contains(note, "signed out") {
				t.Errorf("the login page says %q; want that the user signed out", note)
			}
			switch mode {
			case "dialog":
				other.waitSignInDialog()
				if got := uiEval[string](other, `R.querySelector("#m").textContent`); !strings.Contains(got, "signed out") {
					t.Errorf("the other tab's dialog says %q; want that the user was signed out", got)
				}
				if got := other.url().RequestURI(); got != otherPage {
					t.Errorf("the other tab left the page for %s", got)
				}
			case "redirect":
				l := other.waitLogin()
				if got := l.Query().Get("return_to"); got != otherPage {
					t.Errorf("the other tab's login page has return_to %q; want %q", got, otherPage)
				}
				notes := other.Notes()[before:]
				if len(notes) == 0 || !strings.HasPrefix(notes[0], "signal:") {
					t.Errorf("the other tab did not see the sign-out first: %q", notes)
				}
			}
		})
	}
}

// TestWarningLifetime: near the absolute lifetime the warning says that the
// session cannot be extended and offers Sign in again, which signs in in the
// dialog and closes it with a fresh session.
func TestWarningLifetime(t *testing.T) {
	const lifetime = idleTimeout + time.Minute
	tb := newTab(t)
	a := newApp(t, appOptions{lifetime: lifetime})
	a.offset.Store(int64(-(lifetime - warnAhead)))
	tb.open(a.url("/dlg/fetch"))
	a.realClock()
	tb.do("reloading", chromedp.Reload()) // the session is touched: the lifetime is now the nearer deadline
	tb.waitWarning("#i")
	if got := uiEval[string](tb, `R.querySelector("dialog").textContent`); !strings.Contains(got, "cannot be extended") {
		t.Errorf("the warning says %q; want that the session cannot be extended", got)
	}
	if uiEval[bool](tb, `!!R.querySelector("#k")`) {
		t.Error("the warning offers Stay signed in, which cannot work")
	}
	tb.do("choosing to sign in again", chromedp.Click(inUI("#i")))
	tb.waitSignInDialog()
	tb.typeKeys("typing the password", testPassword+"\r")
	tb.waitDialogClosed("waiting for the dialog to close")
	if got := tb.url().Path; got != "/dlg/fetch" {
		t.Errorf("the tab left the page for %s", got)
	}
}

// TestSignInEveryTab: the session expired and both tabs hold a call behind
// their sign-in dialog; signing in in one tab closes the dialog in the other
// and sends its held call again too.
func TestSignInEveryTab(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	tb.open(a.url("/dlg/fetch"))
	other := tb.sibling()
	other.do("opening a page in a second tab", chromedp.Navigate(a.url("/dlg/axios")))
	other.waitNote("load:/dlg/axios")
	a.expire()
	tb.run(`save("fetch", "from the first tab", "t1")`)
	tb.waitSignInDialog()
	other.run(`save("axios", "from the second tab", "t2")`)
	other.waitSignInDialog()
	if n := len(a.notes.all()); n != 0 {
		t.Fatalf("%d notes stored before sign-in", n)
	}
	tb.typeKeys("typing the password", testPassword+"\r")
	tb.waitNote("t1:200:from the first tab")
	other.waitNote("t2:200:from the second tab")
	other.waitDialogClosed("waiting for the dialog to close in the other tab")
	got := storedTexts(a, testUserID)
	if len(got) != 2 {
		t.Errorf("the server stored %q; want both tabs' notes once", got)
	}
}

// TestExtendOnActivity: with data-extend-on-activity, typing in the page
// calls keepalive, which moves the store's deadline.
func TestExtendOnActivity(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	tb.open(a.url("/dlg/fetch?activity=1"))
	seen := a.lastSeen(t)
	a.offset.Store(int64(5 * time.Minute))
	tb.do("typing", chromedp.SendKeys(chromedp.ID("note"), "a"))
	deadline := time.Now().Add(waitTimeout)
	for !a.lastSeen(t).After(seen.Add(4 * time.Minute)) {
		if time.Now().After(deadline) {
			t.Fatalf("the store's LastSeen stayed at %v after typing; want it moved by keepalive", a.lastSeen(t))
		}
		select {
		case <-tb.changed:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestClockAhead: a browser whose clock is ahead of the server's by more
// than the idle timeout sees a deadline that is already past on a fresh
// session; the client must not take that for an expiry, or every page load
// would go round through the login page.
func TestClockAhead(t *testing.T) {
	for _, mode := range []string{"dialog", "redirect"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, appOptions{})
			a.offset.Store(int64(-(idleTimeout + 10*time.Minute)))
			page := "/dlg/fetch?client=" + mode
			if got := tb.open(a.url(page)); got != page {
				t.Fatalf("after sign-in the tab is on %s; want %s", got, page)
			}
			before := len(tb.Notes())
			// The client checks the cookie once a second: let three checks pass.
			tb.poll("letting the client check the cookie", `performance.now() > 3500`)
			notes := tb.Notes()[before:]
			if n := countPrefix(notes, "signal:") + countPrefix(notes, "navigate:"); n != 0 {
				t.Errorf("the client took a skewed clock for an expiry: %q", notes)
			}
			if eval[bool](tb, `!!document.querySelector("authgate-ui")`) {
				t.Error("the client showed its user interface for a skewed clock")
			}
			tb.run(`save("fetch", "still signed in", "s")`)
			tb.waitNote("s:200:still signed in")
		})
	}
}
