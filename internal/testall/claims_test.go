package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEAndCIRunThisCommand checks that the README's test command, on
// its first screen, and .ci/run's test step are this command.
func TestREADMEAndCIRunThisCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, _ := strings.Cut(string(readme), "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "go run ./internal/testall ") {
		t.Errorf("the README's first commands are not the demo and go run ./internal/testall:\n%s", block)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	const run = " go run ./internal/testall -testall.strict -race "
	before, _, found := strings.Cut(string(ci), run)
	if !found {
		t.Fatalf(".ci/run does not run%s", run)
	}
	_, require, _ := strings.Cut(before[strings.LastIndex(before, "\n")+1:], "AUTHGATE_REQUIRE=")
	if require == "" {
		t.Fatalf(".ci/run runs the tests without AUTHGATE_REQUIRE")
	}
	if !strings.Contains(string(readme), "`AUTHGATE_REQUIRE="+require+"`") {
		t.Errorf("the README does not give CI's setting `AUTHGATE_REQUIRE=%s`", require)
	}
}
