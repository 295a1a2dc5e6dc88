package e2e

import (
	"bytes"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/demo"
)

// TestDemoScreenshots runs the demo app with the client script in the
// browser: sign in, add two notes with the page's own script, let the
// session expire, and refresh the list, which ends on the login page with
// the reason. It takes a screenshot of the demo page and of that login page,
// checks that they are real images and, when AUTHGATE_SCREENSHOTS=1, writes
// them to docs/demo.png and docs/login.png for the README.
func TestDemoScreenshots(t *testing.T) {
	tb := newTab(t)
	a := newApp(t, appOptions{})
	srv := httptest.NewServer(demo.New(a.gate, demo.NewMemoryNotes(), demo.Options{ClientMode: authgate.ClientRedirect, Now: a.now}))
	t.Cleanup(srv.Close)
	base := "http://localhost:" + port(srv)

	tb.do("sizing the window", chromedp.EmulateViewport(960, 720))
	tb.do("opening the demo", chromedp.Navigate(base+"/"))
	tb.signIn()
	tb.do("waiting for the demo page", chromedp.WaitVisible(chromedp.ID("note-text")))
	// The demo's script comes at the end of the page: until it has run
	// (it loads the list), a click on Save does nothing.
	tb.poll("waiting for the demo's script", `!!document.getElementById("notes").dataset.loaded`)
	for _, note := range []string{
		"Pick up the signed contract from the front desk.",
		"The session ends after 30 minutes without activity: the page says so, and nothing is lost.",
	} {
		tb.do("writing a note",
			chromedp.SetValue(chromedp.ID("note-text"), note),
			chromedp.Click(chromedp.ID("save")),
		)
		tb.poll("waiting for the note in the list", `[...document.querySelectorAll("#notes li")].some(li => li.textContent.includes(`+jsString(note)+`))`)
	}
	tb.poll("waiting for the page to settle", `document.getElementById("status").textContent === "Saved." && document.activeElement`)
	tb.run(`document.activeElement.blur()`)
	shot(t, tb, "demo.png")

	a.expire()
	tb.do("refreshing the list after expiry", chromedp.Click(chromedp.ID("refresh")))
	login := tb.waitLogin()
	if got := login.Query().Get("return_to"); got != "/" {
		t.Errorf("the login page's return_to = %q; want the demo page", got)
	}
	if note := tb.loginNote(); !strings.Contains(note, "expired after 30 minutes") {
		t.Errorf("the login page says %q; want the reason", note)
	}
	tb.run(`document.activeElement && document.activeElement.blur()`)
	shot(t, tb, "login.png")

	tb.signIn()
	tb.do("waiting for the demo page again", chromedp.WaitVisible(chromedp.ID("note-text")))
	tb.poll("waiting for the notes after sign-in", `document.querySelectorAll("#notes li").length === 2`)
}

// shot takes a screenshot of the tab's viewport, checks it, and writes it to
// docs/name when AUTHGATE_SCREENSHOTS=1.
func shot(t *testing.T, tb *tab, name string) {
	t.Helper()
	ctx := tb.ctx
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", name, err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
		t.Fatalf("screenshot %s is %v; want at least 400x300", name, b)
	}
	if os.Getenv("AUTHGATE_SCREENSHOTS") != "1" {
		return
	}
	dir := filepath.Join("..", "docs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote docs/%s (%d bytes)", name, len(buf))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "<", `\x3c`)
	return `"` + r.Replace(s) + `"`
}
