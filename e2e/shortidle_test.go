package e2e

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/authgate/authgate/internal/demo"
)

// recordOpenings is run in every document of a tab before the page's own
// scripts: it records, in agOpenings, each time a dialog opens, with the
// time left (in seconds) that the companion cookie showed then and the
// dialog's heading.
const recordOpenings = `(function () {
  var open = HTMLDialogElement.prototype.showModal;
  window.agOpenings = [];
  HTMLDialogElement.prototype.showModal = function () {
    var m = /(?:^|;\s*)authgate_exp=(\d+)\.(\d+)/.exec(document.cookie);
    var h = this.querySelector("h2");
    window.agOpenings.push({left: m ? Math.min(m[1], m[2]) - Date.now() / 1e3 : null, title: h ? h.textContent : ""});
    return open.apply(this, arguments);
  };
})();`

// opening is one entry of agOpenings.
type opening struct {
	Left  *float64 `json:"left"`
	Title string   `json:"title"`
}

// warningTitle is the heading of the idle warning.
const warningTitle = "Are you still there?"

// TestWarningShortIdle runs the demo app with idle timeouts of 3 and 10
// seconds on the real clock, with the client's default warning of 120
// seconds: the page is usable after sign-in (typing reaches the note), the
// warning never opens with more than a quarter of the idle timeout left,
// Stay signed in closes it (10 s), and when the session has expired, Save
// opens the sign-in dialog and, after signing in, the typed note is saved.
func TestWarningShortIdle(t *testing.T) {
	for _, idle := range []time.Duration{3 * time.Second, 10 * time.Second} {
		t.Run(idle.String(), func(t *testing.T) {
			tb := newTab(t)
			a := newApp(t, appOptions{idle: idle})
			notes := demo.NewMemoryNotes()
			srv := httptest.NewServer(demo.New(a.gate, notes, demo.Options{Now: a.now}))
			t.Cleanup(srv.Close)
			base := "http://localhost:" + port(srv)
			if _, err := chromedp.Call(tb.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recordOpenings}); err != nil {
				t.Fatalf("recording the dialog's openings: %v", err)
			}

			tb.do("opening the demo", chromedp.Navigate(base+"/"))
			tb.signIn()
			tb.do("waiting for the demo page", chromedp.WaitVisible(chromedp.ID("note-text")))
			text := fmt.Sprintf("Typed with a %v idle timeout.", idle)
			tb.typeInto("note-text", text)
			if got := eval[string](tb, `document.getElementById("note-text").value`); got != text {
				t.Fatalf("typed %q into the page after sign-in, the note holds %q: the page was not usable (dialogs opened: %+v)",
					text, got, eval[[]opening](tb, `agOpenings`))
			}
			tb.poll("waiting for the demo's script", `!!document.getElementById("notes").dataset.loaded`)

			if idle >= 10*time.Second {
				// A 2.5 s warning: long enough to answer it.
				tb.waitWarning("#k")
				seen := a.lastSeen(t)
				tb.do("staying signed in", chromedp.Click(inUI("#k")))
				tb.waitDialogClosed("waiting for the warning to close after Stay signed in")
				if got := a.lastSeen(t); !got.After(seen) {
					t.Errorf("Stay signed in left the store's LastSeen at %v", got)
				}
			}

			tb.poll("waiting for the page to see the session end", `(function () { `+jsUI+
				` return !!R && R.querySelector("[role=status]").textContent.includes("expired"); })()`)
			tb.waitDialogClosed("the warning closes when the session ends")
			a.waitServerExpiry(t, idle)
			tb.do("saving after expiry", chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()
			tb.do("typing the password", chromedp.SendKeys(inUI("input[name=password]"), testPassword+"\r"))
			tb.waitDialogClosed("waiting for the dialog to close")
			tb.poll("waiting for the note in the list", `[...document.querySelectorAll("#notes li")].some(li => li.textContent.includes(`+jsString(text)+`))`)
			stored, err := notes.List(t.Context(), testUserID, 10)
			if err != nil || len(stored) != 1 || stored[0].Text != text {
				t.Errorf("the server stored %+v (%v); want the typed note once", stored, err)
			}

			limit := idle.Seconds() / 4
			warnings := 0
			for _, o := range eval[[]opening](tb, `agOpenings`) {
				if o.Title != warningTitle {
					continue
				}
				warnings++
				if o.Left == nil || *o.Left > limit {
					t.Errorf("the warning opened with %v s left; want at most a quarter of the idle timeout, %v s", o.Left, limit)
				}
			}
			if idle >= 10*time.Second && warnings < 2 {
				t.Errorf("the warning opened %d times; want before Stay signed in and again before the end", warnings)
			}
			t.Logf("idle timeout %v: the warning opened %d times, each with at most %v s left", idle, warnings, limit)
		})
	}
}

// typeInto types text into the element with the given id. A node found in
// a document that is then replaced (the sign-in's redirect can commit a
// second time under load) is looked up again in the new one, a few times at
// most; any other error fails the test at once.
func (tb *tab) typeInto(id, text string) {
	tb.t.Helper()
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
		err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), text))
		cancel()
		if err == nil {
			return
		}
		if attempt == 3 || !strings.Contains(err.Error(), "Could not find node") {
			tb.t.Fatalf("typing into #%s: %v (page at %s)", id, err, tb.where())
		}
		tb.t.Logf("typing into #%s: the page's document was replaced (%v); typing again", id, err)
	}
}

// waitServerExpiry waits until the gate takes the user's newest session for
// expired: its last-seen time is more than idle ago on the gate's clock.
// The page's clock, reading whole seconds from the companion cookie, may see
// the end up to a second earlier.
func (a *testApp) waitServerExpiry(t *testing.T, idle time.Duration) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for !a.now().After(a.lastSeen(t).Add(idle)) {
		select {
		case <-poll.C:
		case <-deadline.C:
			t.Fatalf("the session has not expired on the server within %v", waitTimeout)
		}
	}
}
