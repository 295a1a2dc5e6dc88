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
	if !strings.Contains(string(ci), "AUTHGATE_REQUIRE=browser,redis,python,postgres go run ./internal/testall -testall.strict -race ") {
		t.Errorf(".ci/run does not run go run ./internal/testall -testall.strict -race with every tool required")
	}
}
