package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// defaultChromium is where Debian's chromium package puts the browser.
const defaultChromium = "/usr/bin/chromium"

// required reports whether AUTHGATE_REQUIRE names what, so that a missing
// dependency fails the test rather than skipping it.
func required(what string) bool {
	for s := range strings.SplitSeq(os.Getenv("AUTHGATE_REQUIRE"), ",") {
		if strings.TrimSpace(s) == what {
			return true
		}
	}
	return false
}

// chromiumPath returns the browser to drive, or "" when there is none.
func chromiumPath() string {
	if _, err := os.Stat(defaultChromium); err == nil {
		return defaultChromium
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// nodeModules returns the absolute path of e2e/node_modules, or "" when
// npm ci has not been run.
func nodeModules() string {
	dir, err := filepath.Abs("node_modules")
	if err != nil {
		return ""
	}
	if _, err := os.Stat(filepath.Join(dir, ".package-lock.json")); err != nil {
		return ""
	}
	return dir
}

// needBrowser skips t, or fails it when AUTHGATE_REQUIRE names "browser",
// when Chromium or e2e/node_modules (the libraries the pages load) is
// missing.
func needBrowser(t *testing.T) {
	t.Helper()
	var lack []string
	if chromiumPath() == "" {
		lack = append(lack, "chromium is not installed (apt-get install chromium)")
	}
	if nodeModules() == "" {
		lack = append(lack, "e2e/node_modules is missing (cd e2e && npm ci)")
	}
	skipOrFail(t, "browser", lack)
}

// skipOrFail skips t, or fails it when AUTHGATE_REQUIRE names tool, when
// lack lists anything missing.
func skipOrFail(t *testing.T, tool string, lack []string) {
	t.Helper()
	if len(lack) == 0 {
		return
	}
	msg := strings.Join(lack, "; ")
	if required(tool) {
		t.Fatalf("AUTHGATE_REQUIRE names %s, but %s", tool, msg)
	}
	t.Skipf("skipping: %s; set AUTHGATE_REQUIRE=%s to make this a failure", msg, tool)
}
