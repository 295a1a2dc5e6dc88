package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/testkit"
)

// TestLogWriterBatches: with no request in flight a line goes out at once;
// while requests are in flight lines are held, and go out when the last one
// ends, when a batch is full, or after logBatchDelay.
func TestLogWriterBatches(t *testing.T) {
	out := new(testkit.Buffer)
	l := newLogWriter(out)
	write := func(line string) {
		t.Helper()
		if n, err := l.Write([]byte(line)); err != nil || n != len(line) {
			t.Fatalf("Write(%q) = %d, %v", line, n, err)
		}
	}

	write("idle\n")
	if got := out.String(); got != "idle\n" {
		t.Fatalf("with no request in flight the log holds %q, want the line at once", got)
	}

	l.begin()
	l.begin()
	write("a\n")
	write("b\n")
	if got := out.String(); got != "idle\n" {
		t.Fatalf("while requests are in flight the log holds %q, want the lines held back", got)
	}
	l.end()
	if got := out.String(); got != "idle\n" {
		t.Fatalf("with a request still in flight the log holds %q, want the lines held back", got)
	}
	l.end()
	if got := out.String(); got != "idle\na\nb\n" {
		t.Fatalf("after the last request the log holds %q, want every line in order", got)
	}

	l.begin()
	long := strings.Repeat("x", logBatchBytes) + "\n"
	write(long)
	if got := out.String(); got != "idle\na\nb\n"+long {
		t.Fatalf("a full batch was not written at once (%d bytes in the log)", len(got))
	}
	write("late\n")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	out.WaitFor(ctx, t, "late\n") // a request still in flight: the delay writes it
	l.end()
}
