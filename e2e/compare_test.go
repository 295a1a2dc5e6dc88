package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"
)

// TestCompareOAuth2Proxy runs the same browser scenarios through authgate
// proxy and through oauth2-proxy, each in front of the Python app, and
// checks docs/COMPARISON.md's table against what each did. It is run by
// hand, never in CI, with the oauth2-proxy binary built outside every
// module of this repository:
//
//	GOBIN=$PWD/bin go install github.com/oauth2-proxy/oauth2-proxy/v7@v7.15.6
//	AUTHGATE_OAUTH2_PROXY=$PWD/bin/oauth2-proxy go test -run TestCompareOAuth2Proxy ./e2e/
//
// oauth2-proxy signs in with its htpasswd form, so no identity provider is
// needed; its session ends by deleting its cookie in the browser, which is
// what it sees when a session expires (its sessions live in the cookie).
func TestCompareOAuth2Proxy(t *testing.T) {
	bin := os.Getenv("AUTHGATE_OAUTH2_PROXY")
	if bin == "" {
		t.Skip("by hand only: set AUTHGATE_OAUTH2_PROXY=PATH to an oauth2-proxy v7.15.6 binary (see the test's doc)")
	}
	type row struct{ caller, authgate, oauth2 string }
	var rows []row
	for _, lib := range []string{"fetch", "xhr", "jquery3", "axios", "htmx2"} {
		ag := compareSave(t, lib, "")
		op := compareSave(t, lib, bin)
		rows = append(rows, row{"Save by " + lib + " after the session ended", ag, op})
	}
	rows = append(rows, row{"page load after the session ended", comparePageLoad(t, ""), comparePageLoad(t, bin)})
	rows = append(rows, row{"curl without credentials", compareMachine(t, ""), compareMachine(t, bin)})

	var b strings.Builder
	b.WriteString("| caller | authgate proxy | oauth2-proxy v7.15.6 |\n|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.caller, r.authgate, r.oauth2)
	}
	t.Logf("observed:\n%s", b.String())
	doc, err := os.ReadFile("../docs/COMPARISON.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), b.String()) {
		t.Errorf("docs/COMPARISON.md does not hold the table observed:\n%s", b.String())
	}
}

// gateFront is a gate in front of the Python app: authgate proxy, or
// oauth2-proxy when bin is set.
type gateFront struct {
	base   string
	up     string
	signIn func(tb *tab)
	end    func(tb *tab)
}

func newFront(t *testing.T, bin string) gateFront {
	t.Helper()
	up := startPython(t)
	if bin == "" {
		p := newProxied(t, up, proxyOptions{})
		return gateFront{base: p.base, up: up, signIn: (*tab).signIn, end: func(*tab) { p.expire() }}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	htpasswd := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(testLogin+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--http-address", addr, "--upstream", up+"/", "--htpasswd-file", htpasswd,
		"--email-domain", "*", "--cookie-secret", base64.URLEncoding.EncodeToString(secret), "--cookie-secure=false",
		"--client-id", "unused", "--client-secret", "unused")
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	base := "http://localhost:" + strings.Split(addr, ":")[1]
	deadline := time.Now().Add(waitTimeout)
	for {
		resp, err := http.Get(base + "/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("oauth2-proxy did not answer /ping")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return gateFront{
		base: base, up: up,
		signIn: func(tb *tab) {
			tb.do("signing in to oauth2-proxy",
				chromedp.WaitVisible(chromedp.ID("password")),
				chromedp.SetValue(chromedp.ID("username"), testLogin),
				chromedp.SetValue(chromedp.ID("password"), testPassword),
				chromedp.Submit(chromedp.ID("password")))
		},
		end: func(tb *tab) {
			if _, err := chromedp.Call(tb.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "_oauth2_proxy", Domain: "localhost"}); err != nil {
				tb.t.Fatalf("deleting oauth2-proxy's cookie: %v", err)
			}
		},
	}
}

// openSignedIn opens path through the front and signs in.
func (f gateFront) openSignedIn(tb *tab, path string) {
	tb.t.Helper()
	tb.do("opening "+path, chromedp.Navigate(f.base+path))
	f.signIn(tb)
	tb.do("waiting for the app page", chromedp.WaitVisible(chromedp.ID("app")))
	tb.poll("waiting for the page's scripts", `window.agReady === true`)
}

// compareSave: a note typed, the session ended, Save. It returns what the
// page's code saw and whether the note was stored in the end.
func compareSave(t *testing.T, lib, bin string) string {
	var out string
	t.Run(fmt.Sprintf("save/%s/%v", lib, bin != ""), func(t *testing.T) {
		tb := newTab(t)
		f := newFront(t, bin)
		f.openSignedIn(tb, "/page/"+lib)
		tb.do("typing", chromedp.SendKeys(chromedp.ID("note"), "typed work"))
		f.end(tb)
		before := len(tb.Notes())
		tb.do("saving", chromedp.Click(chromedp.ID("save")))
		// Wait for the page's code to hear back, or for the dialog; htmx
		// reports nothing on an error, so the wait has a deadline.
		deadline := time.Now().Add(5 * time.Second)
		seen := ""
		for seen == "" && time.Now().Before(deadline) {
			for _, n := range tb.Notes()[before:] {
				if strings.HasPrefix(n, "saved:") {
					seen = n
				}
			}
			if seen == "" && uiEval[bool](tb, `!!(R && R.querySelector("dialog") && R.querySelector("dialog").open)`) {
				seen = "dialog"
			}
			if seen == "" {
				time.Sleep(50 * time.Millisecond)
			}
		}
		switch {
		case seen == "dialog":
			tb.typeKeys("typing the password", testPassword+"\r")
			tb.waitNote("saved:200:typed work")
			n := len(readPyLog(t, f.up).Notes)
			out = "the sign-in dialog; after it the call is re-sent: " + stored(n)
		case seen == "":
			out = "nothing visible (no answer reaches the page's code): " + stored(len(readPyLog(t, f.up).Notes))
		default:
			status := strings.SplitN(strings.TrimPrefix(seen, "saved:"), ":", 2)[0]
			out = "the page's code gets " + status + ": " + stored(len(readPyLog(t, f.up).Notes))
		}
	})
	return out
}

// comparePageLoad: the session ended, the page reloaded with a query.
func comparePageLoad(t *testing.T, bin string) string {
	var out string
	t.Run(fmt.Sprintf("page/%v", bin != ""), func(t *testing.T) {
		tb := newTab(t)
		f := newFront(t, bin)
		page := "/page/fetch?q=caf%C3%A9"
		f.openSignedIn(tb, page)
		f.end(tb)
		tb.do("reloading", chromedp.Reload())
		at := tb.url().RequestURI()
		f.signIn(tb)
		tb.do("waiting for the app page", chromedp.WaitVisible(chromedp.ID("app")))
		back := tb.url().RequestURI()
		out = fmt.Sprintf("sign-in page at %s; after sign-in back at %s", strings.SplitN(at, "?", 2)[0], back)
	})
	return out
}

// compareMachine: a request with no credentials, as curl sends it.
func compareMachine(t *testing.T, bin string) string {
	var out string
	t.Run(fmt.Sprintf("machine/%v", bin != ""), func(t *testing.T) {
		f := newFront(t, bin)
		resp, err := http.Get(f.base + "/api/data")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		out = fmt.Sprintf("%d %s", resp.StatusCode, strings.SplitN(resp.Header.Get("Content-Type"), ";", 2)[0])
		if c := resp.Header.Get("WWW-Authenticate"); c != "" {
			out += ", " + c
		}
	})
	return out
}

// stored says how often the Python app stored the typed note.
func stored(n int) string {
	switch n {
	case 0:
		return "typed work lost"
	case 1:
		return "typed work saved once"
	}
	return fmt.Sprintf("typed work saved %d times", n)
}
