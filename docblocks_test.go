package authgate_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The Go blocks of README.md and docs/*.md are built by
// TestDocGoBlocksBuild with the real go command, against this repository,
// offline. A block becomes a Go file this way:
//
//   - A block whose first line of code starts with "package" is a whole
//     file and is built as it stands.
//   - Any other block is a fragment. Its lines before the first line that
//     starts, at column 0, with "func ", "type ", "var " or "const " are
//     statements: they become the body of
//     func snippet(ctx context.Context, w http.ResponseWriter, r *http.Request),
//     so they may use ctx, w and r. The lines from there on are the file's
//     declarations.
//   - A fragment gets an import for each package it names, from
//     docBlockImports; a name missing there fails the test and says so.
//
// Each block is a package of its own, so blocks may repeat names. Errors
// point at the Markdown file and line (the generated files carry //line
// directives).

// docBlockImports are the packages a fragment may name without importing.
var docBlockImports = map[string]string{
	"authgate":    "github.com/authgate/authgate",
	"memstore":    "github.com/authgate/authgate/memstore",
	"sqlitestore": "github.com/authgate/authgate/sqlitestore",
	"redisstore":  "github.com/authgate/authgate/redisstore",
	"storetest":   "github.com/authgate/authgate/storetest",
	"oidc":        "github.com/authgate/authgate/oidc",
	"context":     "context",
	"errors":      "errors",
	"fmt":         "fmt",
	"http":        "net/http",
	"io":          "io",
	"log":         "log",
	"os":          "os",
	"slog":        "log/slog",
	"strings":     "strings",
	"template":    "html/template",
	"time":        "time",
}

// docBlock is one fenced Go block of a Markdown file.
type docBlock struct {
	file string // the Markdown file, as an absolute path
	line int    // the line of the block's first line of code
	code string
}

// docGoBlocks returns the ```go blocks of a Markdown text. Fences may be
// indented (inside a list item); their indentation is removed from the
// block's lines.
func docGoBlocks(file, text string) []docBlock {
	var blocks []docBlock
	var cur *docBlock
	var indent int
	var lines []string
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if cur == nil {
			if info, ok := strings.CutPrefix(trimmed, "```"); ok && strings.TrimSpace(info) == "go" {
				cur = &docBlock{file: file, line: i + 2}
				indent = len(line) - len(trimmed)
				lines = lines[:0]
			}
			continue
		}
		if strings.TrimSpace(trimmed) == "```" {
			cur.code = strings.Join(lines, "\n") + "\n"
			blocks = append(blocks, *cur)
			cur = nil
			continue
		}
		n := min(indent, len(line)-len(trimmed))
		lines = append(lines, line[n:])
	}
	return blocks
}

var (
	packageClause = regexp.MustCompile(`^package\s`)
	topLevelDecl  = regexp.MustCompile(`^(func|type|var|const)\s`)
)

// goFile turns a block into a Go file of package pkg, as described above.
func (b docBlock) goFile(pkg string) (string, error) {
	lines := strings.Split(strings.TrimSuffix(b.code, "\n"), "\n")
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "//") {
			continue
		}
		if packageClause.MatchString(l) {
			return lineDirective(b.file, b.line) + b.code, nil
		}
		break
	}
	split := slices.IndexFunc(lines, topLevelDecl.MatchString)
	if split < 0 {
		split = len(lines)
	}
	var body strings.Builder
	body.WriteString("func snippet(ctx context.Context, w http.ResponseWriter, r *http.Request) {\n")
	body.WriteString(lineDirective(b.file, b.line))
	for _, l := range lines[:split] {
		body.WriteString(l + "\n")
	}
	body.WriteString("}\n")
	if split < len(lines) {
		body.WriteString(lineDirective(b.file, b.line+split))
		for _, l := range lines[split:] {
			body.WriteString(l + "\n")
		}
	}
	imports, err := namedPackages("package "+pkg+"\n"+body.String(), b)
	if err != nil {
		return "", err
	}
	var f strings.Builder
	f.WriteString("package " + pkg + "\n\nimport (\n")
	for _, p := range imports {
		f.WriteString("\t" + strconv.Quote(p) + "\n")
	}
	f.WriteString(")\n\n" + body.String())
	return f.String(), nil
}

func lineDirective(file string, line int) string {
	return "//line " + file + ":" + strconv.Itoa(line) + "\n"
}

// namedPackages returns the import paths of the packages that src names
// without declaring them.
func namedPackages(src string, b docBlock) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, 0)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: the block does not parse as a fragment: %w", b.file, b.line, err)
	}
	var paths []string
	var missing error
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok || x.Obj != nil { //nolint:staticcheck // the parser's own resolution is what tells a package name here
			return true
		}
		p, known := docBlockImports[x.Name]
		if !known {
			missing = fmt.Errorf("%s:%d: the block names %q, which docBlockImports does not know: add its import path there", b.file, b.line, x.Name)
			return false
		}
		if !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
		return true
	})
	slices.Sort(paths)
	return paths, missing
}

// buildDocBlocks writes every block as a package of a temporary module that
// requires this repository through a replace directive, and builds them all
// with the go command, offline. It returns the go command's output.
func buildDocBlocks(t *testing.T, blocks []docBlock) ([]byte, error) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH (go test puts it there): %v", err)
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	rootMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go \S+$`).Find(rootMod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	dir := t.TempDir()
	mod := "module authgate.test/docblocks\n\n" + string(goLine) + "\n\nrequire github.com/authgate/authgate v0.0.0\n\nreplace github.com/authgate/authgate => " + strconv.Quote(root) + "\n"
	writeDocFile(t, filepath.Join(dir, "go.mod"), mod)
	writeDocFile(t, filepath.Join(dir, "go.sum"), string(sum))
	for i, b := range blocks {
		pkg := fmt.Sprintf("block%02d", i+1)
		src, err := b.goFile(pkg)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, pkg), 0o755); err != nil {
			t.Fatal(err)
		}
		writeDocFile(t, filepath.Join(dir, pkg, "block.go"), src)
	}
	args := []string{"build"}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "-race" && s.Value == "true" {
				// Built as this test was, the blocks reuse the build
				// cache's copies of the repository's dependencies.
				args = append(args, "-race")
			}
		}
	}
	cmd := exec.CommandContext(t.Context(), goCmd, append(args, "./...")...)
	cmd.Dir = dir
	// Offline: the modules come from the module cache that built this
	// repository; -mod=mod lets go complete the temporary go.mod from it.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	return cmd.CombinedOutput()
}

func writeDocFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDocGoBlocksBuild builds every Go block of README.md and docs/*.md.
func TestDocGoBlocksBuild(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []docBlock
	for _, name := range append([]string{"README.md"}, docs...) {
		text, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		abs, err := filepath.Abs(name)
		if err != nil {
			t.Fatal(err)
		}
		found := docGoBlocks(abs, string(text))
		if want := strings.Count(string(text), "```go\n"); len(found) != want {
			t.Errorf("%s: found %d Go blocks, want %d (one per ```go fence)", name, len(found), want)
		}
		blocks = append(blocks, found...)
	}
	if len(blocks) == 0 {
		t.Fatal("found no Go block in README.md and docs/*.md")
	}
	if out, err := buildDocBlocks(t, blocks); err != nil {
		t.Fatalf("a Go block of the docs does not build: %v\n%s", err, out)
	}
}

// TestDocGoBlocksBuildFails shows that the build catches a block that does
// not compile, and points at the Markdown line.
func TestDocGoBlocksBuildFails(t *testing.T) {
	const md = "Text.\n\n```go\ngate, err := authgate.New(authgate.Config{Store: memstore.New()})\nif err != nil {\n\tlog.Fatal(err)\n}\nhttp.Handle(\"/notes\", gate.Require(notesHandler))\n\nfunc notesHandler(w http.ResponseWriter, r *http.Request) {}\n```\n"
	blocks := docGoBlocks("/docs/bad.md", md)
	if len(blocks) != 1 {
		t.Fatalf("found %d blocks, want 1", len(blocks))
	}
	out, err := buildDocBlocks(t, blocks)
	if err == nil {
		t.Fatalf("the block built; want the error of a func passed as an http.Handler\n%s", out)
	}
	if !bytes.Contains(out, []byte("bad.md:8:")) || !bytes.Contains(out, []byte("ServeHTTP")) {
		t.Errorf("the build failed without pointing at bad.md:8 and the missing ServeHTTP:\n%s", out)
	}
}

// TestDocGoBlocks checks how blocks are found and wrapped.
func TestDocGoBlocks(t *testing.T) {
	tests := []struct {
		name, md string
		want     []string // the files, from "package"
	}{
		{
			name: "fragment with statements and a func",
			md:   "```go\nx := http.NewServeMux()\n_ = x\n\nfunc h(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, time.Now()) }\n```\n",
			want: []string{"package p\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"net/http\"\n\t\"time\"\n)\n\nfunc snippet(ctx context.Context, w http.ResponseWriter, r *http.Request) {\n//line /m.md:2\nx := http.NewServeMux()\n_ = x\n\n}\n//line /m.md:5\nfunc h(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, time.Now()) }\n"},
		},
		{
			name: "whole file, other blocks ignored, indented fence",
			md:   "```sh\ngo run .\n```\n\n  ```go\n  // A file.\n  package main\n\n  func main() {}\n  ```\n",
			want: []string{"//line /m.md:6\n// A file.\npackage main\n\nfunc main() {}\n"},
		},
		{
			name: "a var at column 0 is a declaration",
			md:   "```go\nvar page = template.Must(template.New(\"p\").Parse(\"\"))\n```\n",
			want: []string{"package p\n\nimport (\n\t\"context\"\n\t\"html/template\"\n\t\"net/http\"\n)\n\nfunc snippet(ctx context.Context, w http.ResponseWriter, r *http.Request) {\n//line /m.md:2\n}\n//line /m.md:2\nvar page = template.Must(template.New(\"p\").Parse(\"\"))\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range docGoBlocks("/m.md", tt.md) {
				src, err := b.goFile("p")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, src)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
	if _, err := docGoBlocks("/m.md", "```go\nx := yaml.Marshal(1)\n```\n")[0].goFile("p"); err == nil || !strings.Contains(err.Error(), "docBlockImports") {
		t.Errorf("a fragment naming an unknown package: err %v, want one that names docBlockImports", err)
	}
}
