package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The markers around the part of the client script that modes redirect and
// reload need.
const (
	coreBegin = "/* authgate:core:begin */"
	coreEnd   = "/* authgate:core:end */"
)

// TestScriptSize minifies the client script with terser (the version pinned
// in package.json) and checks its gzip size against DESIGN's budget: the
// redirect/reload core at most 1 KB, the whole script at most 4 KB.
func TestScriptSize(t *testing.T) {
	needMinifier(t)
	raw, err := os.ReadFile(filepath.Join("..", "client", "authgate.js"))
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	b := strings.Index(src, coreBegin)
	e := strings.Index(src, coreEnd)
	if b < 0 || e < b {
		t.Fatalf("authgate.js has no %s ... %s region", coreBegin, coreEnd)
	}
	core := src[b : e+len(coreEnd)]
	tests := []struct {
		name  string
		code  string
		limit int
	}{
		{"core (redirect and reload)", core, 1024},
		{"whole script", src, 4096},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			min := minify(t, tc.code)
			if len(min) == 0 || len(min) >= len(tc.code) {
				t.Fatalf("minified to %d bytes from %d: the minifier did nothing", len(min), len(tc.code))
			}
			gz := gzipSize(t, min)
			t.Logf("%s: %d bytes source, %d minified, %d minified+gzip (limit %d)", tc.name, len(tc.code), len(min), gz, tc.limit)
			if gz > tc.limit {
				t.Errorf("%s is %d bytes minified and gzipped; the budget is %d", tc.name, gz, tc.limit)
			}
		})
	}
}

// minify runs terser on code, compressing and mangling, and returns its
// output. A syntax error in code fails the test.
func minify(t *testing.T, code string) []byte {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in.js")
	if err := os.WriteFile(in, []byte(code), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	terser := filepath.Join(nodeModules(), "terser", "bin", "terser")
	cmd := exec.CommandContext(ctx, "node", terser, in, "--compress", "--mangle")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terser: %v\n%s", err, stderr.Bytes())
	}
	return bytes.TrimSpace(out)
}

// gzipSize returns the size of b gzipped at the best compression, as the
// gate serves the script.
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
