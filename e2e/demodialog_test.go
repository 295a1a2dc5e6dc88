package e2e

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/authgate/authgate/internal/demo"
)

// TestDemoDialog runs the demo app as `authgate demo` does by default, in
// dialog mode under its Content-Security-Policy: a note typed before the
// session expired is saved after signing in again in place, the dialog has
// the user name filled in from the page's script tag, and the page never
// reloads.
func TestDemoDialog(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	notes, base := startDemo(t, a)

	tb.do("opening the demo", chromedp.Navigate(base+"/"))
	tb.signIn()
	tb.do("waiting for the demo page", chromedp.WaitVisible(chromedp.ID("note-text")))
	tb.poll("waiting for the demo's script", `!!document.getElementById("notes").dataset.loaded`)
	loaded := eval[float64](tb, `window.demoLoadedAt`)

	const text = "Typed while the session ran out; kept by the dialog."
	tb.do("typing a note", chromedp.SetValue(chromedp.ID("note-text"), text))
	a.expire()
	tb.do("saving after expiry", chromedp.Click(chromedp.ID("save")))
	tb.waitSignInDialog()
	if got := uiEval[string](tb, `R.querySelector("input[name=username]").value`); got != testLogin {
		t.Errorf("the dialog's user name is %q; want %q from the page's script tag", got, testLogin)
	}
	signInSavesNote(t, tb, notes, text)
	if got := eval[float64](tb, `window.demoLoadedAt`); got != loaded {
		t.Errorf("demoLoadedAt is %v, was %v: the page reloaded", got, loaded)
	}
}

// startDemo serves the demo app on a's gate, with notes of its own, until
// the test ends, and returns the notes and the demo's URL.
func startDemo(t *testing.T, a *testApp) (notes *demo.MemoryNotes, base string) {
	t.Helper()
	notes = demo.NewMemoryNotes()
	srv := httptest.NewServer(demo.New(a.gate, notes, demo.Options{Now: a.now}))
	t.Cleanup(srv.Close)
	return notes, "http://localhost:" + port(srv)
}

// signInSavesNote signs in with the open sign-in dialog over the demo page
// and checks that the held save then went through: text shows in the page's
// list and the server stored it once.
func signInSavesNote(t *testing.T, tb *tab, notes *demo.MemoryNotes, text string) {
	t.Helper()
	tb.do("typing the password", chromedp.SendKeys(inUI("input[name=password]"), testPassword+"\r"))
	tb.waitDialogClosed("waiting for the dialog to close")
	tb.poll("waiting for the note in the list", `[...document.querySelectorAll("#notes li")].some(li => li.textContent.includes(`+jsString(text)+`))`)
	stored, err := notes.List(t.Context(), testUserID, 10)
	if err != nil || len(stored) != 1 || stored[0].Text != text {
		t.Errorf("the server stored %+v (%v); want the typed note once", stored, err)
	}
}
