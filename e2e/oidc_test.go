package e2e

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/oidctest"
	"github.com/authgate/authgate/internal/testkit"
	"github.com/authgate/authgate/oidc"
)

// The identity provider as the test gate offers it.
const (
	idpName  = "test"
	idpLabel = "Test SSO"
)

// oidcUsers are the local users the provider's Alice and Bob are linked to
// on their first sign-in (by their verified e-mail addresses).
var oidcUsers = map[string]oidctest.User{"u-alice": oidctest.Alice, "u-bob": oidctest.Bob}

// newOIDCApp starts the test OpenID provider (tools/oidcprovider) and a
// test app whose gate offers it beside the password form. The provider's
// ID tokens live for a day: the tests move the gate's clock past the idle
// timeout, and an ID token must still be valid at the gate's time.
func newOIDCApp(t *testing.T, opts appOptions) (*testApp, *oidctest.Provider) {
	t.Helper()
	needBrowser(t)
	idp := oidctest.Start(t, oidctest.Options{IDTokenLifetime: 24 * time.Hour})
	p, err := oidc.New(oidc.Config{
		Name:         idpName,
		Label:        idpLabel,
		Issuer:       idp.Issuer,
		ClientID:     idp.Client.ID,
		ClientSecret: idp.Client.Secret,
		Key:          []byte("the e2e tests' flow cookie key, 32 bytes or more"),
		LinkByEmail:  true,
	})
	if err != nil {
		t.Fatal(err)
	}
	opts.providers = []authgate.Provider{p}
	a := newApp(t, opts)
	for id, u := range oidcUsers {
		testkit.AddUser(t, a.store.Store, authgate.User{ID: id, Login: u.Email, CreatedAt: time.Now()}, "a local password nobody types")
	}
	return a, idp
}

// signInAtProvider fills the provider's sign-in form, in the tab of ctx.
func signInAtProvider(tb *tab, ctx context.Context, u oidctest.User) {
	tb.t.Helper()
	c, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(c,
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SetValue(chromedp.ID("username"), u.Email),
		chromedp.SetValue(chromedp.ID("password"), u.Password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
	); err != nil {
		tb.t.Fatalf("signing in at the provider as %s: %v", u.Email, err)
	}
}

// openWithProvider starts a tab, the provider and a test app with opts
// (see newOIDCApp), opens page in the tab, which leads to the login page,
// signs in there with the provider as Alice (typing at the provider's form,
// which then keeps a session in the browser), and waits to be back on page.
// The login page may or may not have the password form.
func openWithProvider(t *testing.T, opts appOptions, page string) (*tab, *testApp, *oidctest.Provider) {
	t.Helper()
	tb := newTab(t)
	a, idp := newOIDCApp(t, opts)
	tb.do("opening "+page, chromedp.Navigate(a.url(page)))
	tb.do("waiting for the login page's provider link", chromedp.WaitVisible(chromedp.CSS(`a.provider`)))
	if got := tb.url(); got.Path != "/login" {
		t.Fatalf("waited for the login page, got %s", got)
	}
	tb.do("choosing the provider", chromedp.Click(chromedp.CSS(`a.provider`)))
	signInAtProvider(tb, tb.ctx, oidctest.Alice)
	if got := tb.waitApp(); got != page {
		t.Fatalf("after signing in with the provider the tab is on %s; want %s", got, page)
	}
	return tb, a, idp
}

// clickProviderInDialog clicks the dialog's provider button, a real click
// (the user's gesture that lets the popup open), and returns the popup's
// target.
func (tb *tab) clickProviderInDialog() target.ID {
	tb.t.Helper()
	btn := inUI("dialog > button")
	if got := uiEval[string](tb, `R.querySelector("dialog > button").textContent`); got != "Sign in with "+idpLabel {
		tb.t.Errorf("the dialog's provider button says %q; want %q", got, "Sign in with "+idpLabel)
	}
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	popup := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool { return info.Type == "page" })
	tb.do("clicking the provider's button", chromedp.Click(btn))
	select {
	case id, ok := <-popup:
		if ok {
			return id
		}
	case <-ctx.Done():
	}
	tb.t.Fatalf("no popup opened (page at %s)", tb.where())
	return ""
}

// waitTargetGone waits until the popup id has closed itself.
func (tb *tab) waitTargetGone(id target.ID) {
	tb.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		targets, err := chromedp.Targets(tb.ctx)
		if err != nil {
			tb.t.Fatal(err)
		}
		if !slices.ContainsFunc(targets, func(i *target.Info) bool { return i.TargetID == id }) {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("the popup did not close itself within %v", waitTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestProviderPopupResends: signed in with the provider, the session
// expires; a fetch POST with a body opens the sign-in dialog, whose
// provider button opens the provider's flow in a popup. The provider still
// has its session, so nothing is typed anywhere: one click, and the popup
// signs in, closes itself, and the held call is sent again once with its
// body, on the same page with the typed text still in it.
func TestProviderPopupResends(t *testing.T) {
	t.Parallel()
	const page = "/dlg/fetch"
	tb, a, _ := openWithProvider(t, appOptions{}, page)
	stamp := eval[string](tb, `agStamp`)
	const text = "Typed before the session expired, kept through the provider's popup."
	tb.do("typing the note", chromedp.SendKeys(chromedp.ID("note"), text))
	a.expire()
	before := len(tb.Notes())
	tb.do("saving", chromedp.Click(chromedp.ID("save")))
	tb.waitSignInDialog()
	popup := tb.clickProviderInDialog()

	// No typing from here on: the test only waits.
	tb.waitNote("saved:200:" + text)
	tb.waitDialogClosed("waiting for the dialog to close")
	tb.waitTargetGone(popup)
	if got := storedTexts(a, "u-alice"); !slices.Equal(got, []string{text}) {
		t.Errorf("the server stored %q for alice; want the typed note once", got)
	}
	if got := a.noteCalls.Load(); got != 2 {
		t.Errorf("POST /api/notes came %d times; want 2 (the call that met the expired session, then once again)", got)
	}
	tb.checkResentInPlace(text, stamp, before)
}

// TestProviderPopupOtherUser: in the popup somebody else signs in (the
// provider's session ended, so its form shows, and Bob types there): the
// held call is not sent again, and the page reloads as Bob's.
func TestProviderPopupOtherUser(t *testing.T) {
	t.Parallel()
	const page = "/dlg/fetch"
	tb, a, idp := openWithProvider(t, appOptions{}, page)
	tb.do("typing the note", chromedp.SendKeys(chromedp.ID("note"), "alice's draft"))
	a.expire()
	// The provider's cookie goes: its form shows in the popup.
	if _, err := chromedp.Call(tb.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "oidcprovider_session", URL: idp.Issuer + "/"}); err != nil {
		t.Fatalf("ending the browser's session at the provider: %v", err)
	}
	before := len(tb.Notes())
	tb.do("saving", chromedp.Click(chromedp.ID("save")))
	tb.waitSignInDialog()
	popup := tb.clickProviderInDialog()
	pctx, cancel := chromedp.NewContext(tb.ctx, chromedp.WithTargetID(popup))
	defer cancel()
	signInAtProvider(tb, pctx, oidctest.Bob)

	tb.waitNote("navigate:reload " + a.url(page))
	tb.poll("waiting for bob's page", `document.querySelector("script[data-user]") && document.querySelector("script[data-user]").dataset.user === "bob@example.com"`)
	tb.waitTargetGone(popup)
	if got := a.notes.all(); len(got) != 0 {
		t.Errorf("the server stored %q; a sign-in as another user must send nothing again", got)
	}
	if got := a.noteCalls.Load(); got != 1 {
		t.Errorf("POST /api/notes came %d times; want 1 (the call that met the expired session only)", got)
	}
	if n := countPrefix(tb.Notes()[before:], "saved:"); n != 0 {
		t.Errorf("the page's code got an answer: %q", tb.Notes()[before:])
	}
}

// TestProviderRedirectBack: in mode redirect, a call that meets the expired
// session leaves for the login page, whose provider link signs in with the
// provider's kept session (nothing typed) and comes back to the same page
// and query.
func TestProviderRedirectBack(t *testing.T) {
	t.Parallel()
	const page = "/dlg/fetch?client=redirect&draft=7"
	tb, a, _ := openWithProvider(t, appOptions{}, page)
	a.expire()
	tb.do("saving", chromedp.Click(chromedp.ID("save")))
	tb.checkLoginPage(tb.waitLogin(), page, "")
	tb.do("choosing the provider", chromedp.Click(chromedp.CSS(`a.provider`)))
	// No typing: the provider still has the browser's session.
	if got := tb.waitApp(); got != page {
		t.Errorf("after the provider the tab is on %s; want %s", got, page)
	}
	if got := eval[string](tb, `document.querySelector("script[data-user-id]").dataset.userId`); got != "u-alice" {
		t.Errorf("the page is for %q; want u-alice", got)
	}
}

// TestProviderPopupBlocked: where the popup cannot open (window.open gives
// null, as under a popup blocker), the dialog says so and the sign-in goes
// on in the tab, back to the same page.
func TestProviderPopupBlocked(t *testing.T) {
	t.Parallel()
	const page = "/dlg/fetch?draft=8"
	tb, a, _ := openWithProvider(t, appOptions{}, page)
	tb.run(`window.open = function () { return null; };
navigation.addEventListener("navigate", function () {
	agNote("leaving:" + document.querySelector("authgate-ui").shadowRoot.querySelector("[role=status]").textContent);
});`)
	a.expire()
	tb.do("saving", chromedp.Click(chromedp.ID("save")))
	tb.waitSignInDialog()
	tb.do("clicking the provider's button", chromedp.Click(inUI("dialog > button")))
	tb.waitNote("leaving:Pop-up blocked: signing in here.")
	if got := tb.waitApp(); got != page {
		t.Errorf("after the provider the tab is on %s; want %s", got, page)
	}
}

// TestProviderOnlyDialog: with the password form off, the login page and
// the sign-in dialog offer the provider alone, and its popup signs in again
// and sends the held call again.
func TestProviderOnlyDialog(t *testing.T) {
	t.Parallel()
	tb, a, _ := openWithProvider(t, appOptions{noPassword: true}, "/dlg/fetch")
	a.expire()
	tb.run(`save("fetch", "provider only", "p1")`)
	tb.waitDialog("waiting for the sign-in dialog", "button")
	if uiEval[bool](tb, `!!R.querySelector("dialog input")`) {
		t.Error("the dialog has input fields; want none with the password form off")
	}
	popup := tb.clickProviderInDialog()
	tb.waitNote("p1:200:provider only")
	tb.waitTargetGone(popup)
	if got := storedTexts(a, "u-alice"); !slices.Equal(got, []string{"provider only"}) {
		t.Errorf("the server stored %q for alice; want the note once", got)
	}
}

// TestProviderDialogAccessibility: axe-core finds no violation in the
// sign-in dialog with the provider's button, with and without the password
// form.
func TestProviderDialogAccessibility(t *testing.T) {
	for _, noPassword := range []bool{false, true} {
		t.Run(map[bool]string{false: "with the password form", true: "provider only"}[noPassword], func(t *testing.T) {
			t.Parallel()
			tb, a, _ := openWithProvider(t, appOptions{noPassword: noPassword}, "/dlg/fetch")
			a.expire()
			tb.run(`save("fetch", "x", "a")`)
			tb.waitDialog("waiting for the sign-in dialog", "dialog > button")
			if v := tb.axe(); len(v) != 0 {
				t.Errorf("axe-core found %d violations:\n%s", len(v), joinLines(v))
			}
		})
	}
}
