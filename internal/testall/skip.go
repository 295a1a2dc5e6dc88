package main

import (
	"slices"
	"strings"
)

// skipReason returns the last message that a skipped test logged, which is
// the one its Skip call gave, from the test's output lines.
func skipReason(lines []string) string {
	var msgs []string
	for _, l := range lines {
		l = strings.TrimRight(l, "\n")
		trimmed := strings.TrimLeft(l, " \t")
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "=== ") || strings.HasPrefix(trimmed, "--- "):
			continue
		case logPrefix(trimmed) > 0:
			msgs = append(msgs, trimmed[logPrefix(trimmed):])
		case len(msgs) > 0 && trimmed != l:
			// An indented line continues a multi-line message.
			msgs[len(msgs)-1] += " " + trimmed
		}
	}
	if len(msgs) == 0 {
		return "(no message)"
	}
	return msgs[len(msgs)-1]
}

// logPrefix returns the length of the "file.go:12: " that the testing
// package puts before a logged message, or 0 if s does not start with one.
func logPrefix(s string) int {
	file, rest, ok := strings.Cut(s, ".go:")
	if !ok || file == "" || strings.ContainsAny(file, " \t") {
		return 0
	}
	num, _, ok := strings.Cut(rest, ": ")
	if !ok || num == "" || strings.Trim(num, "0123456789") != "" {
		return 0
	}
	return len(file) + len(".go:") + len(num) + len(": ")
}

// settings returns what a skip message names as the way to run the test:
// each word of the form NAME=VALUE with NAME an environment variable's name,
// and "without -short" when it names -short.
func settings(msg string) []string {
	var found []string
	for _, word := range strings.Fields(msg) {
		word = strings.TrimRight(strings.TrimLeft(word, "(['\"`"), ")]'\"`.,;:")
		setting := ""
		if word == "-short" {
			setting = "without -short"
		} else if name, value, ok := strings.Cut(word, "="); ok && value != "" && envName(name) {
			setting = word
		}
		if setting != "" && !slices.Contains(found, setting) {
			found = append(found, setting)
		}
	}
	return found
}

// envName reports whether s reads as an environment variable's name:
// capital letters, digits and underscores, not starting with a digit.
func envName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
