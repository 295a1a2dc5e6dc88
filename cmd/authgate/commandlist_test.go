package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// listedCommands reads the command names from lines of text that start
// with prefix and "authgate ": "users add" for a group's subcommand, else
// the first word. With alternatives, a line may give several of a group's
// subcommands, after " | ", as the README's do.
func listedCommands(text, prefix string, alternatives bool) []string {
	var names []string
	line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(prefix) + `authgate (.*)$`)
	for _, m := range line.FindAllStringSubmatch(text, -1) {
		words := strings.Fields(m[1])
		group := words[0]
		if subcommands(group) == "" {
			names = append(names, group)
			continue
		}
		parts := []string{strings.Join(words[1:], " ")}
		if alternatives {
			parts = strings.Split(parts[0], " | ")
		}
		for _, part := range parts {
			names = append(names, group+" "+strings.Fields(part)[0])
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestCommandsListed: the help, the package doc and the README list the
// same commands, each one the command runs, and a group's missing
// subcommand names every one of its group.
func TestCommandsListed(t *testing.T) {
	help := listedCommands(usageText, "  ", false)
	if len(help) < 10 {
		t.Fatalf("only %d commands found in the help: %v", len(help), help)
	}
	for _, name := range help {
		if _, ok := newCLI(nil, nil, nil).command(name); !ok {
			t.Errorf("the help lists %q, which is not a command", name)
		}
		group, sub, ok := strings.Cut(name, " ")
		if ok && !slices.Contains(strings.FieldsFunc(strings.ReplaceAll(subcommands(group), " or ", ","), func(r rune) bool { return r == ',' || r == ' ' }), sub) {
			t.Errorf("%q needs a subcommand: %q, without %q", group, subcommands(group), sub)
		}
	}
	main, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, place := range []struct {
		name  string
		names []string
	}{
		{"the package doc", listedCommands(string(main), "//\t", false)},
		{"the README", listedCommands(string(readme), "", true)},
	} {
		if !slices.Equal(place.names, help) {
			t.Errorf("%s lists\n\t%v\nthe help\n\t%v", place.name, place.names, help)
		}
	}
}
