package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// webkitSmokePage is the page of TestWebKitAdapter: a light-DOM input that
// counts trusted key events, and an <authgate-ui> whose open shadow root
// holds an input and a button, as the client script's dialog does.
const webkitSmokePage = `<!doctype html>
<html><head><meta charset="utf-8"><title>smoke</title></head>
<body>
<input id="light" aria-label="light">
<authgate-ui></authgate-ui>
<script>
window.trustedKeys = 0;
document.querySelector("#light").addEventListener("keydown", e => { if (e.isTrusted) window.trustedKeys++; });
customElements.define("authgate-ui", class extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({mode: "open"});
    root.innerHTML = '<dialog open><input id="pw" type="password" aria-label="password"><button id="go">Go</button></dialog>';
    root.querySelector("#go").addEventListener("click", e => {
      document.body.dataset.clicked = (e.isTrusted ? "trusted:" : "untrusted:") + root.querySelector("#pw").value;
    });
  }
});
</script>
</body></html>`

// webkitSite is what TestWebKitAdapter serves; it keeps the request
// headers it saw.
type webkitSite struct {
	mu   sync.Mutex
	seen []http.Header
	urls []string
}

func (s *webkitSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.seen = append(s.seen, r.Header.Clone())
	s.urls = append(s.urls, r.URL.RequestURI())
	s.mu.Unlock()
	switch r.URL.Path {
	case "/page":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, webkitSmokePage)
	case "/next":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>next</title><p>next</p>")
	case "/echo":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(fetchHeaders(r.Header))
	case "/basic":
		w.Header().Set("WWW-Authenticate", `Basic realm="authgate-control"`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, "<!doctype html><title>denied</title><p>denied</p>")
	case "/nochallenge":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"unauthorized"}`)
	default:
		http.NotFound(w, r)
	}
}

// fetchHeaders picks the request headers the engines differ in.
func fetchHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k := range h {
		if strings.HasPrefix(k, "Sec-Fetch-") || k == "Origin" || k == "Authorization" || k == "X-Requested-With" {
			out[k] = h.Get(k)
		}
	}
	return out
}

// headersFor returns the headers of the requests whose URI is uri.
func (s *webkitSite) headersFor(uri string) []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for i, u := range s.urls {
		if u == uri {
			out = append(out, fetchHeaders(s.seen[i]))
		}
	}
	return out
}

// needWebKit skips t, or fails it when AUTHGATE_REQUIRE names "webkit",
// when node, e2e/node_modules or what the WebKit adapter runs (the
// adapter's missing(): WebKitWebDriver, MiniBrowser, Xvfb, gcc) is
// missing.
func needWebKit(t *testing.T) {
	t.Helper()
	var lack []string
	if _, err := exec.LookPath("node"); err != nil {
		lack = append(lack, "node is not installed (apt-get install nodejs)")
	} else if nodeModules() == "" {
		lack = append(lack, "e2e/node_modules is missing (cd e2e && npm ci)")
	} else {
		out, err := exec.Command("node", "--input-type=module", "-e",
			`const m = await import("./engines/webkit.mjs"); process.stdout.write(m.missing());`).CombinedOutput()
		if err != nil {
			t.Fatalf("asking engines/webkit.mjs what is missing: %v\n%s", err, out)
		}
		if len(out) > 0 {
			lack = append(lack, string(out))
		}
	}
	skipOrFail(t, "webkit", lack)
}

// TestWebKitAdapter runs engines/webkit_smoke.mjs, which uses every method
// of the WebKit adapter, on a site of its own, and checks on the server's
// side what WebKit sent: the prompt control reached the server without
// credentials, a navigation and a same-origin fetch carry the Fetch
// Metadata the scenarios rely on.
func TestWebKitAdapter(t *testing.T) {
	needWebKit(t)
	site := &webkitSite{}
	srv := httptest.NewServer(site)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "engines/webkit_smoke.mjs", srv.URL)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("webkit_smoke.mjs: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	var report struct {
		Version                     string            `json:"version"`
		Fetch                       map[string]string `json:"fetch"`
		XHR                         map[string]string `json:"xhr"`
		FetchBasicStatus            int               `json:"fetchBasicStatus"`
		PromptsAfterPlain401        int               `json:"promptsAfterPlain401"`
		PromptsAfterFetchBasic      int               `json:"promptsAfterFetchBasic"`
		PromptsAfterNavigationBasic int               `json:"promptsAfterNavigationBasic"`
		Visibility                  []string          `json:"visibility"`
		MS                          map[string]struct {
			N      int `json:"n"`
			Median int `json:"median"`
			Max    int `json:"max"`
		} `json:"ms"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		t.Fatalf("webkit_smoke.mjs printed %q: %v", stdout.String(), err)
	}
	t.Logf("%s", report.Version)
	t.Logf("visibility of two windows: %v", report.Visibility)
	for _, k := range []string{"launch", "newPage", "goto", "evaluate", "type", "click", "waitFor", "close"} {
		m := report.MS[k]
		t.Logf("%-8s n=%-2d median %4d ms, max %4d ms", k, m.N, m.Median, m.Max)
	}

	// The page saw the same headers as the server.
	for via, got := range map[string]map[string]string{"fetch": report.Fetch, "xhr": report.XHR} {
		server := site.headersFor("/echo?via=" + via)
		if len(server) != 1 {
			t.Fatalf("/echo?via=%s reached the server %d times", via, len(server))
		}
		if fmt.Sprint(server[0]) != fmt.Sprint(got) {
			t.Errorf("%s: the page got %v, the server saw %v", via, got, server[0])
		}
	}

	tests := []struct {
		uri  string
		want map[string]string
	}{
		{"/page", map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}},
		{"/echo?via=fetch", map[string]string{"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "empty"}},
		{"/echo?via=xhr", map[string]string{"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "empty"}},
		{"/basic?via=fetch", map[string]string{"Sec-Fetch-Mode": "cors"}},
		{"/basic?via=navigation", map[string]string{"Sec-Fetch-Mode": "navigate"}},
	}
	for _, tt := range tests {
		seen := site.headersFor(tt.uri)
		if len(seen) == 0 {
			t.Errorf("%s never reached the server", tt.uri)
			continue
		}
		t.Logf("%-22s %v", tt.uri, seen[0])
		for k, v := range tt.want {
			if seen[0][k] != v {
				t.Errorf("%s: %s is %q, want %q (all: %v)", tt.uri, k, seen[0][k], v, seen[0])
			}
		}
	}

	// The control: the dismissed prompt sent no credentials, and each
	// Basic challenge was asked once.
	for _, uri := range []string{"/basic?via=fetch", "/basic?via=navigation"} {
		seen := site.headersFor(uri)
		if len(seen) != 1 {
			t.Errorf("%s reached the server %d times, want once", uri, len(seen))
		}
		for _, h := range seen {
			if _, ok := h["Authorization"]; ok {
				t.Errorf("%s carried credentials after the prompt was dismissed", uri)
			}
		}
	}
	if report.PromptsAfterPlain401 != 0 || report.PromptsAfterFetchBasic != 1 || report.PromptsAfterNavigationBasic != 2 {
		t.Errorf("prompts counted: %d after a plain 401, %d after a fetch of a Basic challenge, %d after a navigation to one; want 0, 1, 2",
			report.PromptsAfterPlain401, report.PromptsAfterFetchBasic, report.PromptsAfterNavigationBasic)
	}
	if report.FetchBasicStatus != http.StatusUnauthorized {
		t.Errorf("a fetch of the Basic challenge, its prompt dismissed, gave %d, want 401", report.FetchBasicStatus)
	}
}
