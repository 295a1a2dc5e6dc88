package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser is the one Chromium process of the test binary. It starts on the
// first test that needs it, and TestMain stops it. Each test gets its own
// browser context (a fresh profile, like an incognito window) in it.
type browser struct {
	once sync.Once
	ctx  context.Context // the browser's first context; tabs are its children
	stop func()
	dir  string // the profile directory
	err  error
}

// shared is the package's browser. It is the only package-level state, and
// only TestMain and newTab touch it.
var shared browser

// TestMain runs the tests and then stops the shared browser, if one started.
func TestMain(m *testing.M) {
	code := m.Run()
	shared.close()
	os.Exit(code)
}

// start starts the browser once and returns its context.
func (b *browser) start() (context.Context, error) {
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "authgate-e2e-")
		if b.err != nil {
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(chromiumPath()),
			chromedp.UserDataDir(b.dir),
			chromedp.Flag("headless", true),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			// Tabs run side by side in windows of their own; none may be
			// throttled as a background window.
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.Flag("mute-audio", true),
			chromedp.WindowSize(1024, 768),
			// plainHTTPHost is a name other than localhost for this
			// machine, which a browser reaches over plain http as an
			// insecure origin.
			chromedp.Flag("host-resolver-rules", "MAP "+plainHTTPHost+" 127.0.0.1"),
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		if err := chromedp.Do(bctx); err != nil {
			bcancel()
			acancel()
			b.err = fmt.Errorf("starting %s: %w", chromiumPath(), err)
			return
		}
		b.ctx = bctx
		b.stop = func() { bcancel(); acancel() }
	})
	return b.ctx, b.err
}

func (b *browser) close() {
	if b.stop != nil {
		b.stop()
	}
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// tab is one page in a browser context of its own: its own cookies and
// storage. It counts the HTTP auth challenges the browser meets (CDP
// Fetch.authRequired) and collects what the page reports with agNote.
type tab struct {
	t          *testing.T
	ctx        context.Context
	challenges atomic.Int32 // Fetch.authRequired events
	allowed    int32        // challenges the test expects

	mu      sync.Mutex
	notes   []string      // what pages reported, in order
	changed chan struct{} // gets a value when a note comes in
}

// waitTimeout bounds every wait in a tab. Nothing here should take more than
// a fraction of it; it only turns a hang into a failure, and it is long
// because a machine running many browsers and servers at once is slow
// (every wait is for something that must happen, so a passing run never
// waits it out).
const waitTimeout = 60 * time.Second

// newTab opens a tab in a new browser context. Every request it makes is
// paused by the Fetch domain so that auth challenges are seen and counted;
// when the test ends, it fails if there were more than the test allowed.
func newTab(t *testing.T) *tab {
	t.Helper()
	needBrowser(t)
	bctx, err := shared.start()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	tb := &tab{t: t, ctx: ctx, changed: make(chan struct{}, 1)}
	if err := chromedp.Listen(ctx, tb.listen); err != nil {
		cancel()
		t.Fatalf("opening a tab: %v", err)
	}
	t.Cleanup(cancel)
	// A binding survives navigations: every page of the tab can report.
	if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: "agNote"}); err != nil {
		t.Fatalf("adding the agNote binding: %v", err)
	}
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	auths := chromedp.Events(ctx, fetch.AuthRequired)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
		}
	}()
	go func() {
		for ev, err := range auths {
			if err != nil {
				return
			}
			tb.challenges.Add(1)
			_, _ = chromedp.Call(ctx, fetch.ContinueWithAuth, fetch.ContinueWithAuthParams{
				RequestID:             ev.RequestID,
				AuthChallengeResponse: &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth},
			})
		}
	}()
	yes := true
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{
		Patterns:           []*fetch.RequestPattern{{URLPattern: "*"}},
		HandleAuthRequests: &yes,
	}); err != nil {
		t.Fatalf("enabling the Fetch domain: %v", err)
	}
	t.Cleanup(func() {
		if got := tb.challenges.Load(); got != tb.allowed {
			t.Errorf("the browser met %d HTTP auth challenges (Fetch.authRequired); want %d", got, tb.allowed)
		}
	})
	return tb
}

// listen runs on the tab's message loop, in order: it must return fast.
func (tb *tab) listen(ev any) {
	if b, ok := ev.(*runtime.EventBindingCalled); ok && b.Name == "agNote" {
		tb.mu.Lock()
		tb.notes = append(tb.notes, b.Payload)
		tb.mu.Unlock()
		select {
		case tb.changed <- struct{}{}:
		default:
		}
	}
}

// Notes returns what the tab's pages reported so far.
func (tb *tab) Notes() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.notes...)
}

// waitNote waits until a page of the tab reported want.
func (tb *tab) waitNote(want string) {
	tb.t.Helper()
	timeout := time.NewTimer(waitTimeout)
	defer timeout.Stop()
	for !slices.Contains(tb.Notes(), want) {
		select {
		case <-tb.changed:
		case <-timeout.C:
			tb.t.Fatalf("the page never reported %q; it reported %q (page at %s)", want, tb.Notes(), tb.where())
		}
	}
}

// do runs actions with the tab's wait timeout and fails the test on error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %v (page at %s)", what, err, tb.where())
	}
}

// where returns the tab's URL for messages, or what went wrong reading it.
func (tb *tab) where() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "an unknown URL: " + err.Error()
	}
	return loc
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluating %q: %v (page at %s)", expr, err, tb.where())
	}
	return v
}

// run runs JavaScript statements in the page for their effect, without
// waiting for any promise they make.
func (tb *tab) run(script string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](script+"\n;undefined")); err != nil {
		tb.t.Fatalf("running %q: %v (page at %s)", script, err, tb.where())
	}
}

// poll waits until the JavaScript expression is truthy in the tab. A poll
// runs in one document; when the tab navigates meanwhile, it starts again in
// the new one, until the deadline.
func (tb *tab) poll(what, expr string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, waitTimeout)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(waitTimeout)))
		switch {
		case err == nil:
			return
		case errors.Is(err, chromedp.ErrPollingTimeout) || ctx.Err() != nil:
			tb.t.Fatalf("%s: %q stayed false for %v (page at %s, notes %q)", what, expr, waitTimeout, tb.where(), tb.Notes())
		case !navigated(err):
			tb.t.Fatalf("%s: %v (page at %s)", what, err, tb.where())
		}
	}
}

// navigated reports whether err says that the document went away under a
// command, so that the command can be tried again in the new one.
func navigated(err error) bool {
	s := err.Error()
	return strings.Contains(s, "navigated or closed") || strings.Contains(s, "context was destroyed") ||
		strings.Contains(s, "Cannot find context")
}

// url returns the tab's current URL, parsed.
func (tb *tab) url() *url.URL {
	tb.t.Helper()
	loc := tb.where()
	u, err := url.Parse(loc)
	if err != nil {
		tb.t.Fatalf("the tab's URL %q: %v", loc, err)
	}
	return u
}

// waitLogin waits for the login page and returns its URL.
func (tb *tab) waitLogin() *url.URL {
	tb.t.Helper()
	tb.do("waiting for the login page", chromedp.WaitVisible(chromedp.ID("authgate-password")))
	u := tb.url()
	if u.Path != "/login" {
		tb.t.Fatalf("waited for the login page, got %s", u)
	}
	return u
}

// waitApp waits for one of the test app's pages and returns its path and
// query.
func (tb *tab) waitApp() string {
	tb.t.Helper()
	tb.do("waiting for an app page", chromedp.WaitVisible(chromedp.ID("app")))
	return tb.url().RequestURI()
}

// signIn fills the login form on the current page and sends it.
func (tb *tab) signIn() {
	tb.t.Helper()
	tb.waitLogin()
	tb.do("signing in",
		chromedp.SetValue(chromedp.ID("authgate-username"), testLogin),
		chromedp.SetValue(chromedp.ID("authgate-password"), testPassword),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
	)
}

// open navigates to rawURL and, when that lands on the login page, signs in
// and waits to be back on an app page, whose path and query it returns.
func (tb *tab) open(rawURL string) string {
	tb.t.Helper()
	tb.do("opening "+rawURL, chromedp.Navigate(rawURL))
	if tb.url().Path == "/login" {
		tb.signIn()
	}
	return tb.waitApp()
}

// checkLoginPage checks the login page at login: its return_to is
// returnTo and, unless reason is "", its note says reason.
func (tb *tab) checkLoginPage(login *url.URL, returnTo, reason string) {
	tb.t.Helper()
	if got := login.Query().Get("return_to"); got != returnTo {
		tb.t.Errorf("the login page's return_to = %q; want %q", got, returnTo)
	}
	if reason == "" {
		return
	}
	if note := tb.loginNote(); !strings.Contains(note, reason) {
		tb.t.Errorf("the login page says %q; want the reason (%s)", note, reason)
	}
}

// signInBackTo signs in on the login page and checks that the tab comes
// back to page.
func (tb *tab) signInBackTo(page string) {
	tb.t.Helper()
	tb.signIn()
	if got := tb.waitApp(); got != page {
		tb.t.Errorf("after signing in the tab is on %s; want %s", got, page)
	}
}

// loginNote returns the text of the login page's note, "" when it has none.
func (tb *tab) loginNote() string {
	tb.t.Helper()
	return eval[string](tb, `(document.getElementById("authgate-note") || {textContent: ""}).textContent`)
}

// countPrefix counts the notes that start with prefix.
func countPrefix(notes []string, prefix string) int {
	n := 0
	for _, s := range notes {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}
