package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDialogKeepsNoPassword: the sign-in dialog clears its password field
// as soon as the request body is built (the field is empty when the login
// call is made, and the body holds the password), and empties itself when it
// closes, after a sign-in and after Cancel: no password stays in the page's
// open shadow root.
func TestDialogKeepsNoPassword(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	tb.open(a.url("/dlg/fetch"))
	// Watch the dialog's login call: what the field holds when it is made.
	tb.run(jsUI + ` var f = window.fetch; window.agLogin = [];
window.fetch = function (u, o) {
  if (String(u).endsWith("/login")) {
    var h = document.querySelector("authgate-ui").shadowRoot;
    agLogin.push({field: h.querySelector("input[name=password]").value, body: JSON.parse(o.body).password});
  }
  return f.apply(this, arguments);
};`)
	noPassword := `(function () { ` + jsUI + ` return !R.querySelector("input") && R.querySelector("dialog").innerHTML === "" && !R.innerHTML.includes(` + jsString(testPassword) + `); })()`

	a.expire()
	tb.run(`save("fetch", "first", "t1")`)
	tb.waitSignInDialog()
	tb.typeKeys("typing a wrong password", "not the password\r")
	tb.poll("waiting for the message", `(function () { `+jsUI+` var e = R.querySelector("[role=alert]"); return e && e.textContent.includes("Wrong user name or password"); })()`)
	if got := uiEval[string](tb, `R.querySelector("input[name=password]").value`); got != "" {
		t.Errorf("after a failed sign-in the password field holds %q; want it empty", got)
	}
	tb.typeKeys("typing the password", testPassword+"\r")
	tb.waitNote("t1:200:first")
	tb.waitDialogClosed("waiting for the dialog to close")
	if !eval[bool](tb, noPassword) {
		t.Errorf("after the sign-in the dialog still holds %q", uiEval[string](tb, `R.querySelector("dialog").innerHTML`))
	}
	type login struct{ Field, Body string }
	calls := eval[[]login](tb, `agLogin`)
	if len(calls) != 2 {
		t.Fatalf("the dialog made %d login calls; want 2", len(calls))
	}
	for i, want := range []string{"not the password", testPassword} {
		if calls[i].Field != "" || calls[i].Body != want {
			t.Errorf("login call %d: the field held %q when it was made, the body %q; want the field empty, the body %q",
				i+1, calls[i].Field, calls[i].Body, want)
		}
	}

	a.expire()
	tb.run(`save("fetch", "second", "t2")`)
	tb.waitSignInDialog()
	tb.typeKeys("typing a password, not sending it", testPassword)
	tb.do("cancelling", chromedp.Click(inUI("#c")))
	tb.waitNote("t2:401")
	tb.waitDialogClosed("waiting for the dialog to close")
	if !eval[bool](tb, noPassword) {
		t.Errorf("after Cancel the dialog still holds %q", uiEval[string](tb, `R.querySelector("dialog").innerHTML`))
	}
}

// TestScriptURLSettings: data-login-url, data-logout-url and
// data-keepalive-url count only as paths on the page's origin; any other
// value (another origin, a scheme-relative URL in its disguises, a script
// URL, a relative path) gives the default, so that an injected tag cannot
// have the dialog post the password elsewhere. A real sign-in from the
// dialog of a page whose tag names another origin reaches the gate and
// nothing else.
func TestScriptURLSettings(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	tb.open(a.url("/dlg/fetch"))
	hostport := strings.TrimPrefix(a.otherSite, "http://")
	bad := []string{
		a.otherSite + "/steal",
		"//" + hostport + "/steal",
		"/\\" + hostport + "/steal",
		"\\\\" + hostport + "/steal",
		"/\t/" + hostport + "/steal",
		" //" + hostport + "/steal",
		"javascript:alert(1)",
		"steal",
		"",
	}
	settings := []struct{ query, field, def string }{
		{"login", "loginURL", "/login"},
		{"logout", "logoutURL", "/logout"},
		{"keepalive", "keepaliveURL", "/.authgate/keepalive"},
	}
	for _, s := range settings {
		for _, v := range bad {
			tb.do("opening the page", chromedp.Navigate(a.url("/dlg/fetch?"+s.query+"="+url.QueryEscape(v))))
			if got := eval[string](tb, `authgate.`+s.field); got != a.url(s.def) {
				t.Errorf("data-%s-url=%q: authgate.%s is %q; want the default %q", s.query, v, s.field, got, a.url(s.def))
			}
		}
		tb.do("opening the page", chromedp.Navigate(a.url("/dlg/fetch?"+s.query+"=/own/path%3Fx%3D1")))
		if got, want := eval[string](tb, `authgate.`+s.field), a.url("/own/path?x=1"); got != want {
			t.Errorf("data-%s-url=/own/path?x=1: authgate.%s is %q; want %q", s.query, s.field, got, want)
		}
	}

	page := "/dlg/fetch?login=" + url.QueryEscape(a.otherSite+"/steal")
	tb.do("opening a page whose tag names another origin", chromedp.Navigate(a.url(page)))
	a.expire()
	tb.run(`save("fetch", "kept", "t")`)
	tb.waitSignInDialog()
	tb.typeKeys("typing the password", testPassword+"\r")
	tb.waitNote("t:200:kept")
	if n := a.stolen.Load(); n != 0 {
		t.Errorf("the other origin got %d requests; the password must go to the gate only", n)
	}
}

// TestReasonText: the dialog's text for a signal's reason is looked up
// among the reasons alone: a reason named like a property of every object
// gives the plain text, not the property.
func TestReasonText(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	tb.open(a.url("/dlg/fetch"))
	const plain = "Sign in to carry on: your work is kept."
	tests := []struct{ reason, want string }{
		{"constructor", plain},
		{"__proto__", plain},
		{"toString", plain},
		{"hasOwnProperty", plain},
		{"expired", "Your session expired. " + plain},
		{"revoked", "You were signed out. " + plain},
	}
	for _, tt := range tests {
		tb.do("reloading", chromedp.Reload())
		tb.run(`fetch("/open/signal?reason=` + tt.reason + `")`)
		tb.waitSignInDialog()
		if got := uiEval[string](tb, `R.querySelector("#m").textContent`); got != tt.want {
			t.Errorf("Authgate-Login: %s: the dialog says %q; want %q", tt.reason, got, tt.want)
		}
	}
}

// TestDialogUnknownUser: on a page whose user the script does not know (no
// data-user-id, and no answer from the gate's session endpoint, which the
// script finds beside keepalive: here keepalive points where nothing is),
// a sign-in from the dialog sends no held call again: the page reloads
// instead.
func TestDialogUnknownUser(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	const page = "/dlg/fetch?noid=1&keepalive=/nowhere/keepalive"
	tb.open(a.url(page))
	a.expire()
	before := len(tb.Notes())
	tb.run(`save("fetch", "made for someone", "t")`)
	tb.waitSignInDialog()
	tb.do("signing in",
		chromedp.SetValue(inUI("input[name=username]"), testLogin),
		chromedp.SetValue(inUI("input[name=password]"), testPassword),
		chromedp.Click(inUI("button:not([type])")),
	)
	tb.waitNote("navigate:reload " + a.url(page))
	tb.waitNote("load:" + page)
	if got := a.notes.all(); len(got) != 0 {
		t.Errorf("the server stored %q; without the user's id nothing may be sent again", got)
	}
	if n := countPrefix(tb.Notes()[before:], "t:"); n != 0 {
		t.Errorf("the page's code got an answer: %q", tb.Notes()[before:])
	}
}
