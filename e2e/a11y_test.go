package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axe runs axe-core (from e2e/node_modules, served at /vendor/axe.js) on the
// tab's whole document, shadow roots included, and returns its violations,
// one line each.
func (tb *tab) axe() []string {
	tb.t.Helper()
	tb.run(`if (!window.axe) { var s = document.createElement("script"); s.src = "/vendor/axe.js"; document.head.appendChild(s); }`)
	tb.poll("loading axe-core", `!!window.axe`)
	return eval[[]string](tb, `axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
		return r.violations.map(function (v) {
			return v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.map(function (n) { return JSON.stringify(n.target); }).join(", ");
		});
	})`)
}

// TestAccessibility: axe-core finds no violation in the sign-in dialog (also
// after a wrong password), the warning, the warning near the lifetime's
// end, the connection notice, and the login page (also with an error).
func TestAccessibility(t *testing.T) {
	tests := []struct {
		name  string
		opts  appOptions
		setup func(t *testing.T, tb *tab, a *testApp)
	}{
		{"sign-in dialog", appOptions{}, func(t *testing.T, tb *tab, a *testApp) {
			tb.open(a.url("/dlg/fetch"))
			a.expire()
			tb.do("saving", chromedp.SendKeys(chromedp.ID("note"), "draft"), chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()
		}},
		{"sign-in dialog after a wrong password", appOptions{}, func(t *testing.T, tb *tab, a *testApp) {
			tb.open(a.url("/dlg/fetch"))
			a.expire()
			tb.do("saving", chromedp.Click(chromedp.ID("save")))
			tb.waitSignInDialog()
			tb.typeKeys("typing a wrong password", "wrong\r")
			tb.poll("waiting for the message", `(function () { `+jsUI+` return R.querySelector("[role=alert]").textContent !== ""; })()`)
		}},
		{"warning", appOptions{}, func(t *testing.T, tb *tab, a *testApp) {
			a.nearDeadline()
			tb.open(a.url("/dlg/fetch"))
			tb.waitWarning("#k")
		}},
		{"warning near the lifetime's end", appOptions{lifetime: idleTimeout + time.Minute}, func(t *testing.T, tb *tab, a *testApp) {
			a.offset.Store(int64(-(idleTimeout + time.Minute - warnAhead)))
			tb.open(a.url("/dlg/fetch"))
			a.realClock()
			tb.do("reloading", chromedp.Reload())
			tb.waitWarning("#i")
		}},
		{"connection notice", appOptions{}, func(t *testing.T, tb *tab, a *testApp) {
			tb.open(a.url("/dlg/fetch"))
			a.store.down.Store(true)
			tb.run(`save("fetch", "x", "o")`)
			tb.waitNote("o:503")
			tb.poll("waiting for the notice", `(function () { `+jsUI+` return R.querySelector("[role=status]").textContent !== ""; })()`)
		}},
		{"login page", appOptions{}, func(t *testing.T, tb *tab, a *testApp) {
			tb.open(a.url("/dlg/fetch"))
			a.expire()
			tb.do("reloading", chromedp.Reload())
			tb.waitLogin()
		}},
		{"login page with an error", appOptions{}, func(t *testing.T, tb *tab, a *testApp) {
			tb.do("opening the login page", chromedp.Navigate(a.url("/login")))
			tb.do("signing in wrongly",
				chromedp.SetValue(chromedp.ID("authgate-username"), testLogin),
				chromedp.SetValue(chromedp.ID("authgate-password"), "wrong"),
				chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
			)
			tb.do("waiting for the error", chromedp.WaitVisible(chromedp.ID("authgate-error")))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := newTab(t)
			a := newApp(t, tc.opts)
			tc.setup(t, tb, a)
			if v := tb.axe(); len(v) != 0 {
				t.Errorf("axe-core found %d violations:\n%s", len(v), joinLines(v))
			}
		})
	}
	// The control: axe-core does look inside the client's shadow root.
	t.Run("control: an unlabelled field in the dialog is found", func(t *testing.T) {
		t.Parallel()
		tb := newTab(t)
		a := newApp(t, appOptions{})
		tests[0].setup(t, tb, a)
		tb.run(jsUI + ` R.querySelector("form").appendChild(document.createElement("input"));`)
		if v := tb.axe(); len(v) == 0 {
			t.Error("axe-core found nothing wrong with an unlabelled field in the dialog")
		}
	})
}

func joinLines(v []string) string {
	s := ""
	for _, l := range v {
		s += "  " + l + "\n"
	}
	return s
}
