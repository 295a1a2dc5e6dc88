package testkit

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLimit bounds [Buffer.WaitFor] when its context has no deadline: long
// enough for a slow shared machine, short enough to fail a stuck test.
const waitLimit = 20 * time.Second

// Buffer is an [io.Writer] that keeps what it is given, safe for
// concurrent writers and readers, such as a child process's output or a
// server's log. Its zero value is ready to use.
type Buffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{} // one pending wake-up at most
}

// wake returns the channel a write signals, making it on first use.
// b.mu must be held.
func (b *Buffer) wake() chan struct{} {
	if b.wrote == nil {
		b.wrote = make(chan struct{}, 1)
	}
	return b.wrote
}

// Write appends p and wakes a reader waiting in [Buffer.WaitFor].
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	n, err := b.b.Write(p)
	wrote := b.wake()
	b.mu.Unlock()
	select {
	case wrote <- struct{}{}:
	default:
	}
	return n, err
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// WaitFor returns everything written so far once it holds text. It fails
// t if ctx ends first, or after 20 seconds without text.
func (b *Buffer) WaitFor(ctx context.Context, t testing.TB, text string) string {
	t.Helper()
	b.mu.Lock()
	wrote := b.wake()
	b.mu.Unlock()
	limit := time.NewTimer(waitLimit)
	defer limit.Stop()
	for {
		if s := b.String(); strings.Contains(s, text) {
			return s
		}
		select {
		case <-wrote:
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %q: %v\n%s", text, ctx.Err(), b.String())
			return ""
		case <-limit.C:
			t.Fatalf("no %q in the output within %v:\n%s", text, waitLimit, b.String())
			return ""
		}
	}
}
