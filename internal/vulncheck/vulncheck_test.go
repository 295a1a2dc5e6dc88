package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeDB writes a database folder of the given files and returns it.
func writeDB(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	zeroEntry = `{"id":"GO-2026-0001","modified":"0001-01-01T00:00:00Z"}`
	dated     = `{"id":"GO-2026-0002","modified":"2026-07-01T10:00:00Z"}`
	readme    = "# Go vulnerability database, offline copy\n\nEntries as published at commit abc, dated 2026-08-21. 2 entries.\n"
)

func TestDescribeDB(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    string // date and source, or the error's text
		wantErr bool
	}{
		{"date from README", map[string]string{"GO-2026-0001.json": zeroEntry, "README.md": readme}, "2026-08-21 README.md", false},
		{"date from the newest entry", map[string]string{"GO-2026-0001.json": zeroEntry, "GO-2026-0002.json": dated, "README.md": readme}, "2026-07-01 the newest entry", false},
		{"no date anywhere", map[string]string{"GO-2026-0001.json": zeroEntry, "README.md": "no date here\n"}, "gives no date", true},
		{"no entries", map[string]string{"README.md": readme}, "holds no OSV entries", true},
		{"broken entry", map[string]string{"GO-2026-0001.json": "{"}, "GO-2026-0001.json", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := describeDB(writeDB(t, tc.files))
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want one saying %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := db.date.Format("2006-01-02") + " " + db.dateBy; got != tc.want {
				t.Errorf("date %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := describeDB(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "no vulnerability database") {
		t.Errorf("a missing folder gives %v", err)
	}
}

// The govulncheck messages below have the shape of its -format json output
// (protocol v1.0.0).
const (
	config = `{"config":{"protocol_version":"v1.0.0","scanner_name":"govulncheck","scanner_version":"v1.9.0",
		"db":"file:///db","db_last_modified":"0001-01-01T00:00:00Z","go_version":"go1.26.8","scan_level":"symbol","scan_mode":"source"}}`
	osvA     = `{"osv":{"id":"GO-A","summary":"Panic in x/crypto/ssh"}}`
	required = `{"finding":{"osv":"GO-A","fixed_version":"v0.52.0","trace":[{"module":"golang.org/x/crypto","version":"v0.47.0"}]}}`
	unfixed  = `{"finding":{"osv":"GO-B","trace":[{"module":"golang.org/x/crypto","version":"v0.59.0"}]}}`
	imported = `{"finding":{"osv":"GO-B","trace":[{"module":"golang.org/x/crypto","version":"v0.59.0","package":"golang.org/x/crypto/openpgp"}]}}`
	called   = `{"finding":{"osv":"GO-C","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Get"},{"module":"m","package":"m/a","function":"Fetch"}]}}`
	method   = `{"finding":{"osv":"GO-C","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Do","receiver":"*Client"}]}}`
)

func TestRun(t *testing.T) {
	db := writeDB(t, map[string]string{"GO-2026-0001.json": zeroEntry, "README.md": readme})
	tests := []struct {
		name     string
		input    string
		wantCode int
		want     []string
	}{
		{"nothing found", config, 0, []string{
			"vulnerability database: file:///db (1 OSV entries in " + db + "), dated 2026-08-21 (from README.md)\n",
			"scanner: govulncheck v1.9.0, go1.26.8, symbol level\n",
			"vulnerabilities: 0 to fix, 0 noted\n",
		}},
		{"required with a fix", config + osvA + required, 1, []string{
			"GO-A in golang.org/x/crypto@v0.47.0: Panic in x/crypto/ssh\n  required, not imported; fixed in v0.52.0: MUST FIX\n",
			"vulnerabilities: 1 to fix, 0 noted\n",
		}},
		{"imported, no fix", config + unfixed + imported, 0, []string{
			"GO-B in golang.org/x/crypto@v0.59.0: \n  imported, not called; no fixed version: noted\n",
			"vulnerabilities: 0 to fix, 1 noted\n",
		}},
		{"called, no fix", config + called + method, 1, []string{
			"  called: net/http.Get, net/http.Client.Do; no fixed version: MUST FIX\n",
			"vulnerabilities: 1 to fix, 0 noted\n",
		}},
		{"no report", "", 1, []string{"no govulncheck report"}},
		{"not JSON", "govulncheck: loading packages: ...", 1, []string{"reading govulncheck's report"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			code := run(db, strings.NewReader(tc.input), &out)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d:\n%s", code, tc.wantCode, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
	var out strings.Builder
	if code := run(filepath.Join(db, "missing"), strings.NewReader(config), &out); code != 1 || !strings.Contains(out.String(), "no vulnerability database") {
		t.Errorf("a missing database: exit code %d, %q", code, out.String())
	}
}
