package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestCommittedBuild: client/authgate.min.js, which the gate serves, is what
// the readable source builds to. After editing the source, run go generate.
func TestCommittedBuild(t *testing.T) {
	src, err := os.ReadFile(sourcePath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := minify(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(minifiedPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s (%d bytes) is not what %s builds to (%d bytes): run go generate in tools/minclient", minifiedPath, len(got), sourcePath, len(want))
	}
	if len(want) >= len(src) {
		t.Errorf("minified to %d bytes from %d: the minifier did nothing", len(want), len(src))
	}
}

// coreBudget is the most the redirect/reload core may weigh, minified and
// gzipped on its own: what a page in those modes would need.
const coreBudget = 1024

// TestCoreSize: the core, minified on its own by the same build and gzipped
// as the gate gzips, fits its budget, and the README states its size.
func TestCoreSize(t *testing.T) {
	src, err := os.ReadFile(sourcePath)
	if err != nil {
		t.Fatal(err)
	}
	c, err := core(src)
	if err != nil {
		t.Fatal(err)
	}
	min, err := minify(c)
	if err != nil {
		t.Fatal(err)
	}
	n := gzipSize(t, min)
	t.Logf("core: %d bytes source, %d minified, %d minified and gzipped (budget %d)", len(c), len(min), n, coreBudget)
	if n > coreBudget {
		t.Errorf("the core is %d bytes minified and gzipped; the budget is %d", n, coreBudget)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`core\s+alone\s+is\s+([0-9.]+)\s+KB`).FindSubmatch(readme)
	if m == nil {
		t.Fatal(`the README does not state the core's size ("core alone is N.N KB")`)
	}
	if want := fmt.Sprintf("%.1f", float64(n)/1024); string(m[1]) != want {
		t.Errorf("the README says the core is %s KB; it is %s KB (%d bytes)", m[1], want, n)
	}
}

// gzipSize returns the size of b gzipped at the best compression, as the
// gate gzips the script it serves.
func gzipSize(t *testing.T, b []byte) int {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}
