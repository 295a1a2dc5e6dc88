package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFlowScreenshots walks through the flow that mode dialog gives and
// takes a screenshot at each step; with AUTHGATE_SCREENSHOTS=1 they are
// written to docs/flow-1-warning.png ... docs/flow-4-notice.png:
//
//  1. the warning before the idle deadline, over a note being written;
//  2. Stay signed in was not enough: the session expired, Save opened the
//     sign-in dialog, with the note still on the page;
//  3. after signing in, the held Save went through and the note is kept;
//  4. a store outage shows the quiet connection notice.
func TestFlowScreenshots(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	const text = "Minutes of Tuesday's meeting: the budget is approved; Grace sends the figures by Friday."
	tb.do("sizing the window", chromedp.EmulateViewport(960, 640))
	a.nearDeadline()
	tb.open(a.url("/dlg/fetch"))
	tb.do("writing the note", chromedp.SetValue(chromedp.ID("note"), text))
	tb.waitWarning("#k")
	shot(t, tb, "flow-1-warning.png")

	a.realClock()
	tb.do("staying signed in", chromedp.Click(inUI("#k")))
	tb.waitDialogClosed("waiting for the warning to close")
	a.expire()
	tb.do("saving", chromedp.Click(chromedp.ID("save")))
	tb.waitSignInDialog()
	tb.typeKeys("typing the password", "correct horse")
	shot(t, tb, "flow-2-dialog.png")

	tb.typeKeys("finishing the password", testPassword[len("correct horse"):]+"\r")
	tb.waitNote("saved:200:" + text)
	tb.poll("waiting for the page to say so", `document.getElementById("out").textContent === "Saved."`)
	tb.run(`document.activeElement && document.activeElement.blur()`)
	shot(t, tb, "flow-3-saved.png")

	a.store.down.Store(true)
	tb.do("saving during an outage", chromedp.Click(chromedp.ID("save")))
	tb.waitNote("saved:503")
	tb.poll("waiting for the notice", `(function () { `+jsUI+` return R.querySelector("[role=status]").textContent !== ""; })()`)
	tb.run(`document.activeElement && document.activeElement.blur()`)
	shot(t, tb, "flow-4-notice.png")
}
