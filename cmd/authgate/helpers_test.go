package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/authgate/authgate/internal/testkit"
)

// result is what one run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command with the test kit's cheap hasher (the command
// line always uses OWASP's parameters) and stdin as its input.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	c := newCLI(strings.NewReader(stdin), &out, &errb)
	c.hasher = testkit.Hasher
	code := c.main(t.Context(), args)
	return result{code, out.String(), errb.String()}
}

// expect fails t unless r has the exit code and each of the texts in its
// output (stdout, or stderr when the code is not 0).
func (r result) expect(t *testing.T, code int, texts ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	where := r.stdout
	if code != exitOK {
		where = r.stderr
		if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "authgate: ") {
			t.Errorf("stderr is not one line starting \"authgate: \": %q", r.stderr)
		}
	}
	for _, s := range texts {
		if !strings.Contains(where, s) {
			t.Errorf("output lacks %q:\n%s", s, where)
		}
	}
}
