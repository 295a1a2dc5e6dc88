package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/authgate/authgate"
)

// jsUI is JavaScript that sets R to the client script's shadow root, or to
// null when the script has made no user interface yet.
const jsUI = `var h = document.querySelector("authgate-ui"), R = h && h.shadowRoot;`

// inUI selects the first element of the client's user interface that
// matches a CSS selector, for chromedp actions: a real click or real keys.
func inUI(css string) chromedp.JSPath {
	return chromedp.JSPath(`document.querySelector("authgate-ui").shadowRoot.querySelector(` + jsString(css) + `)`)
}

// uiEval evaluates a JavaScript expression with R set (see jsUI).
func uiEval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return eval[T](tb, `(function () { `+jsUI+` return (`+expr+`); })()`)
}

// waitDialog waits until the client's dialog is open and holds an element
// that matches css.
func (tb *tab) waitDialog(what, css string) {
	tb.t.Helper()
	tb.poll(what, `(function () { `+jsUI+` var d = R && R.querySelector("dialog"); return !!(d && d.open && d.querySelector(`+jsString(css)+`)); })()`)
}

// waitSignInDialog waits for the sign-in dialog.
func (tb *tab) waitSignInDialog() {
	tb.t.Helper()
	tb.waitDialog("waiting for the sign-in dialog", "input[type=password]")
}

// waitDialogClosed waits until the client's dialog is closed.
func (tb *tab) waitDialogClosed(what string) {
	tb.t.Helper()
	tb.poll(what, `(function () { `+jsUI+` var d = R && R.querySelector("dialog"); return !d || !d.open; })()`)
}

// typeKeys types s with real key events into whatever has the focus.
func (tb *tab) typeKeys(what, s string) {
	tb.t.Helper()
	tb.do(what, chromedp.KeyEvent(s))
}

// waitCount waits until at least n of the notes reported after the first
// skip start with prefix.
func (tb *tab) waitCount(what, prefix string, skip, n int) {
	tb.t.Helper()
	timeout := time.NewTimer(waitTimeout)
	defer timeout.Stop()
	for countPrefix(tb.Notes()[skip:], prefix) < n {
		select {
		case <-tb.changed:
		case <-timeout.C:
			tb.t.Fatalf("%s: fewer than %d notes %q: %q", what, n, prefix, tb.Notes()[skip:])
		}
	}
}

// storedTexts returns the texts of the stored notes of user, in order.
func storedTexts(a *testApp, user string) []string {
	var out []string
	for _, n := range a.notes.all() {
		if n.User == user {
			out = append(out, n.Text)
		}
	}
	return out
}

// TestDialogKeepsWork: text typed into a textarea, the session expired, Save
// (by fetch, jQuery 3 and 4, axios, htmx 2 and htmx 4): the sign-in dialog
// opens on the page with the user name filled in and the focus on the
// password; after signing in, the note is stored with the typed text, the
// page's own code saw only the success, the textarea still holds the text,
// and a value the page's script set at load is still there: the page never
// reloaded.
func TestDialogKeepsWork(t *testing.T) {
	for _, lib := range []string{"fetch", "jquery3", "jquery4", "axios", "htmx2", "htmx4"} {
		t.Run(lib, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, appOptions{})
			page := "/dlg/" + lib
			if got := tb.open(a.url(page)); got != page {
				t.Fatalf("after the first sign-in the tab is on %s; want %s", got, page)
			}
			stamp := eval[string](tb, `agStamp`)
			if eval[bool](tb, `!!document.querySelector("authgate-ui")`) {
				t.Error("the client script added its user interface to a page that has seen no signal")
			}
			text := "Typed before the session expired, with " + lib + "."
			tb.do("typing the note", chromedp.SendKeys(chromedp.ID("note"), text))
			a.expire()
			before := len(tb.Notes())
			tb.do("saving", chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()

			if got := uiEval[string](tb, `R.querySelector("#m").textContent`); !strings.Contains(got, "expired") {
				t.Errorf("the dialog says %q; want the reason", got)
			}
			if got := uiEval[string](tb, `R.querySelector("input[name=username]").value`); got != testLogin {
				t.Errorf("the dialog's user name is %q; want %q filled in", got, testLogin)
			}
			if got := uiEval[string](tb, `document.activeElement === h && R.activeElement ? R.activeElement.name : ""`); got != "password" {
				t.Errorf("the focus is on %q; want the password field", got)
			}
			if n := len(a.notes.all()); n != 0 {
				t.Errorf("%d notes stored before sign-in", n)
			}
			tb.typeKeys("typing the password", testPassword+"\r")
			tb.waitNote("saved:200:" + text)
			tb.waitDialogClosed("waiting for the dialog to close")

			if got := storedTexts(a, testUserID); !slices.Equal(got, []string{text}) {
				t.Errorf("the server stored %q; want the typed note once", got)
			}
			// htmx 4 replaces the history entry with the same URL: that
			// leaves nothing.
			notes := tb.checkResentInPlace(text, stamp, before, "navigate:replace "+a.url(page))
			if n := countPrefix(notes, "signal:"); n != 1 {
				t.Errorf("the client saw %d signals; want 1: %q", n, notes)
			}
		})
	}
}

// checkResentInPlace checks a page whose held call was sent again in place,
// and returns the notes after before: the textarea still holds text, the
// value the page's script set at load is still stamp (the page did not
// reload), the notes show no navigation (but those starting with one of
// kept, which leave the page as it is), and the page's code got one answer.
func (tb *tab) checkResentInPlace(text, stamp string, before int, kept ...string) []string {
	tb.t.Helper()
	if got := eval[string](tb, `document.getElementById("note").value`); got != text {
		tb.t.Errorf("the textarea holds %q; want %q", got, text)
	}
	if got := eval[string](tb, `agStamp`); got != stamp {
		tb.t.Errorf("the page's load-time value is %q; want %q (the page reloaded)", got, stamp)
	}
	notes := tb.Notes()[before:]
	n := countPrefix(notes, "navigate:")
	for _, k := range kept {
		n -= countPrefix(notes, k)
	}
	if n != 0 {
		tb.t.Errorf("the page navigated: %q", notes)
	}
	if n := countPrefix(notes, "saved:"); n != 1 {
		tb.t.Errorf("the page's code got %d answers; want only the final one: %q", n, notes)
	}
	return notes
}

// TestDialogThreeCalls: three calls (fetch, jQuery, raw XHR) get the signal
// while the dialog is open; after sign-in all three are sent again in their
// order and each caller gets its own answer.
func TestDialogThreeCalls(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	tb.open(a.url("/dlg/jquery3"))
	a.expire()
	before := len(tb.Notes())
	calls := []struct{ how, text, tag string }{
		{"fetch", "one", "c1"},
		{"jquery3", "two", "c2"},
		{"xhr", "three", "c3"},
	}
	for i, c := range calls {
		tb.run(`save("` + c.how + `", "` + c.text + `", "` + c.tag + `")`)
		tb.waitCount(c.tag+" getting the signal", "signal:", before, i+1)
		if i == 0 {
			tb.waitSignInDialog()
		}
	}
	if n := len(a.notes.all()); n != 0 {
		t.Fatalf("%d notes stored before sign-in", n)
	}
	tb.typeKeys("typing the password", testPassword+"\r")
	for _, c := range calls {
		tb.waitNote(c.tag + ":200:" + c.text)
	}
	if got, want := storedTexts(a, testUserID), []string{"one", "two", "three"}; !slices.Equal(got, want) {
		t.Errorf("the server stored %q; want %q, in that order", got, want)
	}
	notes := tb.Notes()[before:]
	for _, c := range calls {
		if n := countPrefix(notes, c.tag+":"); n != 1 {
			t.Errorf("caller %s got %d answers; want 1: %q", c.tag, n, notes)
		}
	}
}

// TestDialogOtherUser: signing in as another user in the dialog sends
// nothing again and reloads the page, which is then the other user's.
func TestDialogOtherUser(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	const bobPassword = "another long passphrase"
	hash, err := authgate.Argon2id{Memory: 64, Time: 1}.Hash(bobPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.CreateUser(t.Context(), authgate.User{ID: "u-bob", Login: "bob", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	tb.open(a.url("/dlg/fetch"))
	tb.do("typing the note", chromedp.SendKeys(chromedp.ID("note"), "ada's draft"))
	a.expire()
	before := len(tb.Notes())
	tb.do("saving", chromedp.Click(chromedp.ID("save")))
	tb.waitSignInDialog()
	tb.do("signing in as bob",
		chromedp.SetValue(inUI("input[name=username]"), "bob"),
		chromedp.SetValue(inUI("input[name=password]"), bobPassword),
		chromedp.Click(inUI("button:not([type])")),
	)
	tb.waitNote("navigate:reload " + a.url("/dlg/fetch"))
	tb.poll("waiting for bob's page", `document.querySelector("script[data-user]") && document.querySelector("script[data-user]").dataset.user === "bob"`)
	if got := a.notes.all(); len(got) != 0 {
		t.Errorf("the server stored %q; a sign-in as another user must send nothing again", got)
	}
	if n := countPrefix(tb.Notes()[before:], "saved:"); n != 0 {
		t.Errorf("the page's code got an answer: %q", tb.Notes()[before:])
	}
}

// TestDialogCancel: Cancel closes the dialog and the held calls fail as they
// would have without the client script: the page's code gets the 401.
func TestDialogCancel(t *testing.T) {
	for _, lib := range []string{"fetch", "jquery4", "axios"} {
		t.Run(lib, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, appOptions{})
			tb.open(a.url("/dlg/" + lib))
			a.expire()
			tb.do("saving", chromedp.SendKeys(chromedp.ID("note"), "draft"), chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()
			tb.do("cancelling", chromedp.Click(inUI("#c")))
			tb.waitNote("saved:401")
			tb.waitDialogClosed("waiting for the dialog to close")
			if got := a.notes.all(); len(got) != 0 {
				t.Errorf("the server stored %q after cancel", got)
			}
			if got := eval[string](tb, `document.getElementById("note").value`); got != "draft" {
				t.Errorf("the textarea holds %q; want the draft", got)
			}
		})
	}
}

// TestDialogWrongPassword: a wrong password keeps the dialog open with the
// message in an alert and the focus back on the password; the right one then
// sends the held call.
func TestDialogWrongPassword(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	tb.open(a.url("/dlg/axios"))
	a.expire()
	tb.do("saving", chromedp.SendKeys(chromedp.ID("note"), "kept"), chromedp.Click(chromedp.ID("save")))
	tb.waitSignInDialog()
	tb.typeKeys("typing a wrong password", "not the password\r")
	tb.poll("waiting for the message", `(function () { `+jsUI+` var e = R.querySelector("[role=alert]"); return e && e.textContent.includes("Wrong user name or password"); })()`)
	if got := uiEval[string](tb, `R.activeElement ? R.activeElement.name : ""`); got != "password" {
		t.Errorf("after a wrong password the focus is on %q; want the password field", got)
	}
	if !uiEval[bool](tb, `R.querySelector("dialog").open`) {
		t.Fatal("the dialog closed after a wrong password")
	}
	tb.typeKeys("typing the password", testPassword+"\r")
	tb.waitNote("saved:200:kept")
	if got := storedTexts(a, testUserID); !slices.Equal(got, []string{"kept"}) {
		t.Errorf("the server stored %q; want the note once", got)
	}
}

// TestDialogSignalAgain: a call sent again that gets the signal again is
// answered with that signal and not sent a third time.
func TestDialogSignalAgain(t *testing.T) {
	for _, lib := range []string{"fetch", "jquery3"} {
		t.Run(lib, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, appOptions{})
			tb.open(a.url("/dlg/" + lib))
			a.fakeSignals.Store(2)
			calls := a.noteCalls.Load()
			tb.do("saving", chromedp.SendKeys(chromedp.ID("note"), "twice refused"), chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()
			tb.typeKeys("typing the password", testPassword+"\r")
			tb.waitNote("saved:401")
			if n := a.noteCalls.Load() - calls; n != 2 {
				t.Errorf("POST /api/notes was requested %d times; want 2 (sent, sent again once)", n)
			}
			if got := a.notes.all(); len(got) != 0 {
				t.Errorf("the server stored %q", got)
			}
		})
	}
}

// TestOutageNotice: a store outage during a call shows the quiet connection
// notice, never the sign-in dialog, and the page's code gets the 503; the
// notice goes away with the next good answer.
func TestOutageNotice(t *testing.T) {
	for _, how := range []string{"fetch", "xhr", "jquery3"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, appOptions{})
			tb.open(a.url("/dlg/jquery3"))
			a.store.down.Store(true)
			before := len(tb.Notes())
			tb.run(`save("` + how + `", "during the outage", "o1")`)
			tb.waitNote("o1:503")
			tb.poll("waiting for the notice", `(function () { `+jsUI+` var s = R && R.querySelector("[role=status]"); return !!s && s.textContent.includes("Connection problem"); })()`)
			if uiEval[bool](tb, `!!R.querySelector("dialog[open]")`) {
				t.Error("a store outage opened the dialog")
			}
			notes := tb.Notes()[before:]
			if n := countPrefix(notes, "signal:") + countPrefix(notes, "navigate:"); n != 0 {
				t.Errorf("a store outage was taken for a sign-out: %q", notes)
			}
			a.store.down.Store(false)
			tb.run(`save("` + how + `", "after the outage", "o2")`)
			tb.waitNote("o2:200:after the outage")
			tb.poll("waiting for the notice to go", `(function () { `+jsUI+` return R.querySelector("[role=status]").textContent === ""; })()`)
			if strings.Contains(strings.Join(storedTexts(a, testUserID), ","), "during") {
				t.Error("the call during the outage was stored")
			}
		})
	}
}

// TestOutageRetry: in mode dialog a fetch GET that meets a store outage is
// tried again with backoff while the notice says so; when the store is back
// the caller gets the answer, never the 503.
func TestOutageRetry(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	tb.open(a.url("/dlg/fetch"))
	a.store.down.Store(true)
	before := len(tb.Notes())
	tb.run(`fetch("/api/data").then(function (r) { note("g:" + r.status); })`)
	tb.poll("waiting for the notice", `(function () { `+jsUI+` var s = R && R.querySelector("[role=status]"); return !!s && s.textContent.includes("Retrying"); })()`)
	a.store.down.Store(false)
	tb.waitNote("g:200")
	if n := countPrefix(tb.Notes()[before:], "g:"); n != 1 {
		t.Errorf("the caller got %d answers: %q", n, tb.Notes()[before:])
	}
	tb.poll("waiting for the notice to go", `(function () { `+jsUI+` return R.querySelector("[role=status]").textContent === ""; })()`)
}
