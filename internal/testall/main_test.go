package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTree writes files (path: content) below dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
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
}

func goMod(path string) string { return "module " + path + "\n\ngo 1.25\n" }

func TestFindModules(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod":                        goMod("example.com/root"),
		"tools/go.mod":                  goMod("example.com/root/tools"),
		"e2e/go.mod":                    goMod("example.com/root/e2e"),
		"e2e/node_modules/x/go.mod":     goMod("x"),
		"bench/cmd/chart/main.go":       "package main\n",
		"bench/go.mod":                  goMod("example.com/root/bench"),
		"testdata/mod/go.mod":           goMod("t"),
		".git/go.mod":                   goMod("g"),
		"_old/go.mod":                   goMod("o"),
		"internal/testall/doc.go":       "package main\n",
		"internal/nested/deeper/go.mod": goMod("example.com/root/internal/nested/deeper"),
	})
	got, err := findModules(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".", "bench", "e2e", "internal/nested/deeper", "tools"}
	if !slices.Equal(got, want) {
		t.Errorf("findModules = %q, want %q", got, want)
	}
	for _, dir := range []string{root, filepath.Join(root, "internal", "testall")} {
		if r, err := moduleRoot(dir); err != nil || r != root {
			t.Errorf("moduleRoot(%s) = %q, %v; want the root", dir, r, err)
		}
	}
}

// TestRun runs the command on a small tree of three modules: the root with
// a passing and a skipping test, tools/ with one passing test, and e2e/
// with a test that fails unless -run leaves it out. A module under
// node_modules fails if it is ever run.
func TestRun(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod": goMod("example.com/root"),
		"a_test.go": `package root

import "testing"

func TestPasses(t *testing.T) {}

func TestNeedsTool(t *testing.T) {
	t.Skip("the tool is missing; set AUTHGATE_REQUIRE=tool to make this a failure")
}
`,
		"tools/go.mod":       goMod("example.com/root/tools"),
		"tools/tool_test.go": "package tools\n\nimport \"testing\"\n\nfunc TestTool(t *testing.T) {}\n",
		"e2e/go.mod":         goMod("example.com/root/e2e"),
		"e2e/e2e_test.go": `package e2e

import "testing"

func TestBroken(t *testing.T) { t.Fatal("broken on purpose") }
`,
		"e2e/node_modules/x/go.mod":    goMod("x"),
		"e2e/node_modules/x/x_test.go": "package x\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) { t.Fatal(\"node_modules was tested\") }\n",
	})
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantLast string
		want     []string
	}{
		{
			name: "everything", args: []string{"-count=1"}, wantCode: 1,
			wantLast: "tests: 2 passed, 1 failed, 1 skipped",
			want: []string{
				"== module .\n", "== module e2e\n", "== module tools\n",
				"broken on purpose", "  example.com/root/e2e TestBroken\n",
				"  1 skipped: the tool is missing; set AUTHGATE_REQUIRE=tool to make this a failure\n" +
					"    setting: AUTHGATE_REQUIRE=tool\n    in example.com/root: TestNeedsTool\n",
			},
		},
		{
			name: "flags pass through", args: []string{"-count=1", "-run", "Passes|TestTool"}, wantCode: 0,
			wantLast: "tests: 2 passed, 0 failed, 0 skipped",
		},
		{
			name: "strict", args: []string{"-count=1", "-run", "Passes|NeedsTool", "-testall.strict"}, wantCode: 1,
			wantLast: "tests: 1 passed, 1 failed, 0 skipped",
			want:     []string{"  example.com/root TestNeedsTool (skipped, which -testall.strict refuses: the tool is missing; set AUTHGATE_REQUIRE=tool to make this a failure)\n"},
		},
		{
			name: "a flag go test refuses", args: []string{"-no-such-flag"}, wantCode: 1,
			wantLast: "tests: 0 passed, 3 failed, 0 skipped",
			want:     []string{"  example.com/root/tools (failed outside any test)\n"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(root, tc.args, &stdout, &stderr)
			got := stdout.String()
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d\n%s%s", code, tc.wantCode, got, stderr.String())
			}
			lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
			if last := lines[len(lines)-1]; last != tc.wantLast {
				t.Errorf("closing line %q, want %q\n%s", last, tc.wantLast, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
			if strings.Contains(got, "node_modules was tested") {
				t.Errorf("a module under node_modules was tested:\n%s", got)
			}
		})
	}
}

// TestRunBrokenModule counts a module whose go test fails before it tests
// any package as one failure.
func TestRunBrokenModule(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"go.mod":           goMod("example.com/root"),
		"a_test.go":        "package root\n\nimport \"testing\"\n\nfunc TestPasses(t *testing.T) {}\n",
		"broken/go.mod":    "module example.com/root/broken\n\nthis is not a directive\n",
		"broken/b_test.go": "package broken\n",
	})
	var stdout, stderr strings.Builder
	code := run(root, []string{"-count=1"}, &stdout, &stderr)
	got := stdout.String()
	if code != 1 || !strings.HasSuffix(got, "failed:\n  module broken (go test: exit status 1)\ntests: 1 passed, 1 failed, 0 skipped\n") {
		t.Errorf("exit code %d, output:\n%s%s", code, got, stderr.String())
	}
}

// TestArgsFor checks that only the modules under tools/ lose -race.
func TestArgsFor(t *testing.T) {
	args := []string{"-race", "-count=1", "-race=true"}
	tests := []struct {
		dir  string
		want []string
	}{
		{".", args},
		{"e2e", args},
		{"bench", args},
		{"toolsmith", args},
		{"tools/minclient", []string{"-count=1"}},
		{filepath.Join("tools", "vulncheck"), []string{"-count=1"}},
	}
	for _, tc := range tests {
		if got := argsFor(tc.dir, args); !slices.Equal(got, tc.want) {
			t.Errorf("argsFor(%q) = %q; want %q", tc.dir, got, tc.want)
		}
	}
}
