package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files (name: content) into dir and returns dir.
func writeFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
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
			db, err := describeDB(writeFiles(t, t.TempDir(), tc.files))
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

// The messages below have the shape of govulncheck's -format json output
// (protocol v1.0.0).
const (
	config   = `{"config":{"protocol_version":"v1.0.0","scanner_name":"govulncheck","db":"file:///db","go_version":"go1.26.8","scan_level":"symbol"}}`
	osvA     = `{"osv":{"id":"GO-A","summary":"Panic in x/crypto/ssh"}}`
	required = `{"finding":{"osv":"GO-A","fixed_version":"v0.52.0","trace":[{"module":"golang.org/x/crypto","version":"v0.47.0"}]}}`
	unfixed  = `{"finding":{"osv":"GO-B","trace":[{"module":"golang.org/x/crypto","version":"v0.59.0"}]}}`
	imported = `{"finding":{"osv":"GO-B","trace":[{"module":"golang.org/x/crypto","version":"v0.59.0","package":"golang.org/x/crypto/openpgp"}]}}`
	called   = `{"finding":{"osv":"GO-C","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Get"},{"module":"m","package":"m/a","function":"Fetch"}]}}`
	method   = `{"finding":{"osv":"GO-C","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Do","receiver":"*Client"}]}}`
	// An answer to a query, for a module that no package of the scan imports.
	queried = `{"osv":{"id":"GO-D","summary":"XSS in goldmark","affected":[{"package":{"name":"example.com/md"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.7.17"}]}]}]}}`
)

func TestJudge(t *testing.T) {
	mods := []module{{"example.com/md", "v1.4.13"}}
	tests := []struct {
		name, scan, query string
		wantOK            bool
		want              []string
	}{
		{"nothing found", config, "", true, []string{
			"scanner: govulncheck ", ", go1.26.8, database file:///db\n",
			"vulnerabilities: 0 to fix, 0 noted\n",
		}},
		{"required with a fix", config + osvA + required, "", false, []string{
			"GO-A in golang.org/x/crypto@v0.47.0: Panic in x/crypto/ssh\n  required, not imported; fixed in v0.52.0: MUST FIX\n",
			"vulnerabilities: 1 to fix, 0 noted\n",
		}},
		{"imported, no fix", config + unfixed + imported, "", true, []string{
			"GO-B in golang.org/x/crypto@v0.59.0: \n  imported, not called; no fixed version: noted\n",
			"vulnerabilities: 0 to fix, 1 noted\n",
		}},
		{"called, no fix", config + called + method, "", false, []string{
			"  called: net/http.Get, net/http.Client.Do; no fixed version: MUST FIX\n",
		}},
		{"found by the query only", config, queried, false, []string{
			"GO-D in example.com/md@v1.4.13: XSS in goldmark\n  required, not imported; fixed in v1.7.17: MUST FIX\n",
		}},
		{"the query's module is past the fix", config, strings.Replace(queried, `"1.7.17"`, `"1.4.0"`, 1), true, []string{
			"vulnerabilities: 0 to fix, 0 noted\n",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := readReport(strings.NewReader(tc.scan))
			if err != nil {
				t.Fatal(err)
			}
			if err := rep.addQuery(strings.NewReader(tc.query), mods); err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			if ok := rep.judge(&out); ok != tc.wantOK {
				t.Errorf("judge = %v, want %v:\n%s", ok, tc.wantOK, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
	for _, bad := range []string{"", "govulncheck: loading packages: ..."} {
		if _, err := readReport(strings.NewReader(bad)); err == nil {
			t.Errorf("readReport(%q) gave no error", bad)
		}
	}
}

func TestFixFor(t *testing.T) {
	two := []osvRange{{Type: "SEMVER", Events: []struct {
		Introduced string `json:"introduced"`
		Fixed      string `json:"fixed"`
	}{{Introduced: "0"}, {Fixed: "1.2.0"}, {Introduced: "2.0.0"}, {Fixed: "2.3.1"}, {Introduced: "3.0.0"}}}}
	tests := []struct {
		version, wantFixed string
		wantAffected       bool
	}{
		{"v1.0.0", "v1.2.0", true},
		{"v1.2.0", "", false},
		{"v1.9.9", "", false},
		{"v2.0.0", "v2.3.1", true},
		{"v2.3.1", "", false},
		{"v3.1.0", "", true},
	}
	for _, tc := range tests {
		if affected, fixed := fixFor(two, tc.version); affected != tc.wantAffected || fixed != tc.wantFixed {
			t.Errorf("fixFor(%s) = %v, %q; want %v, %q", tc.version, affected, fixed, tc.wantAffected, tc.wantFixed)
		}
	}
}

func TestGoSemver(t *testing.T) {
	for release, want := range map[string]string{
		"go1.26.8": "v1.26.8", "go1.26": "v1.26.0", "go1.27rc1": "v1.27.0-rc.1", "go1.27beta2": "v1.27.0-beta.2",
		"devel +abc": "", "go": "",
	} {
		got, err := goSemver(release)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("goSemver(%q) = %q, %v; want %q", release, got, err, want)
		}
	}
}

// TestRun checks a small module against a database whose one entry
// affects every Go release before 99, and then against one that holds
// nothing for it: govulncheck runs in process on both.
func TestRun(t *testing.T) {
	mod := writeFiles(t, t.TempDir(), map[string]string{
		"go.mod":  "module example.com/small\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n",
	})
	stdlibEntry := `{"schema_version":"1.3.1","id":"GO-2099-0001","modified":"2026-09-01T00:00:00Z","summary":"Everything before Go 99",
		"affected":[{"package":{"name":"stdlib","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"99.0.0"}]}]}]}`
	other := `{"schema_version":"1.3.1","id":"GO-2099-0002","modified":"2026-08-01T00:00:00Z","summary":"Another module",
		"affected":[{"package":{"name":"example.com/other","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`
	tests := []struct {
		name     string
		files    map[string]string
		wantCode int
		want     []string
	}{
		{"the Go release must be fixed", map[string]string{"GO-2099-0001.json": stdlibEntry}, 1, []string{
			"), dated 2026-09-01 (from the newest entry)\n",
			"GO-2099-0001 in stdlib@v", ": Everything before Go 99\n",
			"fixed in v99.0.0: MUST FIX\n",
			"vulnerabilities: 1 to fix, 0 noted\n",
		}},
		{"nothing for this module", map[string]string{"GO-2099-0002.json": other}, 0, []string{
			"vulnerabilities: 0 to fix, 0 noted\n",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := writeFiles(t, t.TempDir(), tc.files)
			var out, errOut strings.Builder
			code := run(context.Background(), db, []string{mod}, &out, &errOut)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d:\n%s%s", code, tc.wantCode, out.String(), errOut.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
	var out strings.Builder
	if code := run(context.Background(), filepath.Join(mod, "missing"), []string{mod}, &out, &out); code != 1 || !strings.Contains(out.String(), "no vulnerability database") {
		t.Errorf("a missing database: exit code %d, %q", code, out.String())
	}
}
