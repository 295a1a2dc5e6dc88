package main

import (
	"fmt"
	"strings"
)

// namesShown is how many skipped tests' names the report gives per package
// and reason before it says "and N more".
const namesShown = 3

// reasonGroup is the skipped tests that gave one message, by package.
type reasonGroup struct {
	reason string
	count  int
	pkgs   []string
	tests  map[string][]string
}

// report prints the skipped tests grouped by their message, with the
// setting each message names, the failed tests, and the closing line.
func (t *tally) report() {
	w := t.w
	if t.strict {
		t.failToolSkips()
	}
	fmt.Fprintln(w)
	if groups := groupSkips(t.skips); len(groups) > 0 {
		fmt.Fprintf(w, "skipped: %s, for %s\n", count(t.skipped, "test"), count(len(groups), "reason"))
		for _, g := range groups {
			fmt.Fprintf(w, "  %d skipped: %s\n", g.count, g.reason)
			setting := strings.Join(settings(g.reason), " or ")
			if setting == "" {
				setting = "none named in the message"
			}
			fmt.Fprintf(w, "    setting: %s\n", setting)
			for _, pkg := range g.pkgs {
				fmt.Fprintf(w, "    in %s: %s\n", pkg, names(g.tests[pkg]))
			}
		}
	}
	if len(t.failures) > 0 {
		fmt.Fprintf(w, "failed:\n")
		for _, f := range t.failures {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	fmt.Fprintf(w, "tests: %d passed, %d failed, %d skipped\n", t.passed, t.failed, t.skipped)
}

// groupSkips groups skips by message, in the order the messages first
// appeared.
func groupSkips(skips []skipped) []*reasonGroup {
	var groups []*reasonGroup
	byReason := map[string]*reasonGroup{}
	for _, s := range skips {
		g := byReason[s.reason]
		if g == nil {
			g = &reasonGroup{reason: s.reason, tests: map[string][]string{}}
			byReason[s.reason] = g
			groups = append(groups, g)
		}
		if g.tests[s.pkg] == nil {
			g.pkgs = append(g.pkgs, s.pkg)
		}
		g.tests[s.pkg] = append(g.tests[s.pkg], s.test)
		g.count++
	}
	return groups
}

// names lists the first few test names and how many more there are.
func names(tests []string) string {
	if len(tests) <= namesShown {
		return strings.Join(tests, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(tests[:namesShown], ", "), len(tests)-namesShown)
}

// count says n things, as "1 test" or "2 tests".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// requireEnv is the environment variable that names the tools whose
// absence fails a test instead of skipping it.
const requireEnv = "AUTHGATE_REQUIRE"

// failToolSkips counts as failed every skip whose message names a setting
// of requireEnv: its tool was missing and requireEnv did not name it.
func (t *tally) failToolSkips() {
	kept := t.skips[:0]
	for _, s := range t.skips {
		tool := ""
		for _, setting := range settings(s.reason) {
			if strings.HasPrefix(setting, requireEnv+"=") {
				tool = setting
			}
		}
		if tool == "" {
			kept = append(kept, s)
			continue
		}
		t.skipped--
		t.failed++
		t.failures = append(t.failures, fmt.Sprintf("%s %s (skipped, which -testall.strict refuses: %s)", s.pkg, s.test, s.reason))
	}
	t.skips = kept
}
