package e2e

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// scriptBudget is the most the client script may weigh as the browser
// downloads it, gzipped.
const scriptBudget = 4096

// TestServedScriptSize fetches the client script as a browser does, from
// the URL in the gate's script tag with Accept-Encoding: gzip, and checks
// the bytes that came over the wire: gzipped, within the budget, and the
// size that the README states. The core's own budget is checked where the
// script is built (tools/minclient).
func TestServedScriptSize(t *testing.T) {
	g, err := authgate.New(authgate.Config{Store: memstore.New(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	m := regexp.MustCompile(`<script src="([^"]+)"`).FindStringSubmatch(string(g.ScriptTag(httptest.NewRequest(http.MethodGet, "/", nil), authgate.ClientOptions{})))
	if m == nil {
		t.Fatal("the script tag has no src")
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+m[1], nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	// No transparent decompression: count the bytes as they came.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET %s: status %d, Content-Encoding %q; want 200, gzip", m[1], res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	n := len(body)
	t.Logf("GET %s with Accept-Encoding: gzip: %d bytes", m[1], n)
	if n > scriptBudget {
		t.Errorf("the served script is %d bytes gzipped; the budget is %d", n, scriptBudget)
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	r := regexp.MustCompile(`served\s+script\s+is\s+([0-9.]+)\s+KB\s+gzipped`).FindSubmatch(readme)
	if r == nil {
		t.Fatal(`the README does not state the served script's size ("served script is N.N KB gzipped")`)
	}
	if want := fmt.Sprintf("%.1f", float64(n)/1024); string(r[1]) != want {
		t.Errorf("the README says the served script is %s KB gzipped; it is %s KB (%d bytes)", r[1], want, n)
	}
}
