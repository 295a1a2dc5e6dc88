package authgate_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityDocNamesRealTests: every test, fuzz target and benchmark that
// docs/SECURITY.md names as the proof of a promise exists in the module.
func TestSecurityDocNamesRealTests(t *testing.T) {
	doc, err := os.ReadFile("docs/SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func ((?:Test|Fuzz|Benchmark)\w+)\(`)
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllSubmatch(src, -1) {
			defined[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	named := regexp.MustCompile(`\*(?:[\w/.-]+ )?((?:Test|Fuzz|Benchmark)\w+)\*`).FindAllSubmatch(doc, -1)
	if len(named) < 20 {
		t.Fatalf("docs/SECURITY.md names %d tests; the pattern no longer reads it", len(named))
	}
	for _, m := range named {
		if name := string(m[1]); !defined[name] {
			t.Errorf("docs/SECURITY.md names %s, which no test file defines", name)
		}
	}
}
