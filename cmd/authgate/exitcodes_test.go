package main

import (
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// exitCodeLines returns the "code meaning" pairs that lines of text hold in
// the form that re matches (code in group 1, meaning in group 2).
func exitCodeLines(t *testing.T, text string, re *regexp.Regexp) []string {
	t.Helper()
	var got []string
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		got = append(got, m[1]+" "+strings.TrimSpace(m[2]))
	}
	return got
}

// TestExitCodesWrittenOnce checks every place that lists the command's exit
// codes against exitCodes, the one list: the help text, the package doc
// (go doc) and the README's table. Change exitCodes, then the others until
// this test passes.
func TestExitCodesWrittenOnce(t *testing.T) {
	var want []string
	for i, e := range exitCodes {
		if e.code != i {
			t.Errorf("exitCodes[%d] is code %d: list them in order, from 0", i, e.code)
		}
		want = append(want, strconv.Itoa(e.code)+" "+e.meaning)
	}

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	pkgDoc := f.Doc.Text()
	_, codesDoc, ok := strings.Cut(pkgDoc, "Exit codes:\n")
	if !ok {
		t.Fatal(`the package doc has no "Exit codes:" list`)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "| exit code | meaning |\n")
	if !ok {
		t.Fatal("README.md has no exit code table")
	}
	table, _, _ = strings.Cut(table, "\n\n")

	for _, place := range []struct {
		name string
		got  []string
	}{
		{"the help text", exitCodeLines(t, exitCodesHelp(), regexp.MustCompile(`(?m)^  (\d+)  (.+)$`))},
		{"the package doc in main.go", exitCodeLines(t, codesDoc, regexp.MustCompile(`(?m)^\t(\d+)  (.+)$`))},
		{"the README's table", exitCodeLines(t, table, regexp.MustCompile(`(?m)^\| (\d+) \| (.+) \|$`))},
	} {
		if strings.Join(place.got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s lists the exit codes as\n%s\nwant, as exitCodes in exit.go says,\n%s",
				place.name, strings.Join(place.got, "\n"), strings.Join(want, "\n"))
		}
	}
}
