package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

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

// output is a goroutine-safe writer whose readers can wait for a text.
type output struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{} // one pending wake-up at most
}

func newOutput() *output { return &output{wrote: make(chan struct{}, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	n, err := o.buf.Write(p)
	o.mu.Unlock()
	select {
	case o.wrote <- struct{}{}:
	default:
	}
	return n, err
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor returns the output once it holds text, or fails t after a
// generous deadline.
func (o *output) waitFor(t *testing.T, ctx context.Context, text string) string {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for {
		if s := o.String(); strings.Contains(s, text) {
			return s
		}
		select {
		case <-o.wrote:
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %q: %v\n%s", text, ctx.Err(), o.String())
		case <-deadline.C:
			t.Fatalf("no %q in the output within 20s:\n%s", text, o.String())
		}
	}
}
