package authgate_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreDocNamesEveryStore checks that the doc of Store (go doc Store)
// links every store package in the module: each directory whose name ends
// in "store" and holds Go code, but the conformance suite.
func TestStoreDocNamesEveryStore(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "store.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	ast.Inspect(f, func(n ast.Node) bool {
		if g, ok := n.(*ast.GenDecl); ok && g.Tok == token.TYPE {
			for _, s := range g.Specs {
				if ts := s.(*ast.TypeSpec); ts.Name.Name == "Store" && g.Doc != nil {
					doc = g.Doc.Text()
				}
			}
		}
		return true
	})
	if doc == "" {
		t.Fatal("store.go has no documented type Store")
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasSuffix(name, "store") || name == "storetest" {
			continue
		}
		if code, _ := filepath.Glob(filepath.Join(name, "*.go")); len(code) == 0 {
			continue
		}
		found++
		if link := "[github.com/authgate/authgate/" + name + "]"; !strings.Contains(doc, link) {
			t.Errorf("the doc of Store does not link %s:\n%s", link, doc)
		}
	}
	if found < 3 {
		t.Errorf("found %d store packages, want memstore, sqlitestore and redisstore at least", found)
	}
}
