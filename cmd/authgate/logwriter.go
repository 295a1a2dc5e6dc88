package main

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// logWriter carries a serving command's log lines to w. While requests are
// being served it gathers them and writes many in one call, since a write
// per access log line is a system call per request; it writes what it
// gathered when the last request in flight ends, when it holds
// logBatchBytes, and at the latest logBatchDelay after the first line it
// holds. With no request in flight every line goes out at once. Each Write
// must be whole lines, as slog's handlers write them.
type logWriter struct {
	w      io.Writer
	active atomic.Int64 // requests in flight

	mu    sync.Mutex
	buf   []byte // lines not yet written
	timer *time.Timer
}

const (
	logBatchBytes = 32 << 10
	logBatchDelay = 50 * time.Millisecond
)

func newLogWriter(w io.Writer) *logWriter { return &logWriter{w: w} }

// Write writes p, or keeps it for the next batch while requests are in
// flight.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.active.Load() == 0 {
		if err := l.flushLocked(); err != nil {
			return 0, err
		}
		return l.w.Write(p)
	}
	if len(l.buf) == 0 {
		if l.timer == nil {
			l.timer = time.AfterFunc(logBatchDelay, l.flush)
		} else {
			l.timer.Reset(logBatchDelay)
		}
	}
	l.buf = append(l.buf, p...)
	if len(l.buf) >= logBatchBytes {
		if err := l.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// begin notes a request in flight; end notes that it is over, and writes
// the lines held when it was the last. A line that a request in flight on
// another goroutine holds back as the last one ends goes out with the
// next batch, or at the latest after logBatchDelay.
func (l *logWriter) begin() { l.active.Add(1) }

func (l *logWriter) end() {
	if l.active.Add(-1) == 0 {
		l.flush()
	}
}

// flush writes the lines held.
func (l *logWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.flushLocked()
}

func (l *logWriter) flushLocked() error {
	if len(l.buf) == 0 {
		return nil
	}
	_, err := l.w.Write(l.buf)
	if cap(l.buf) > 4*logBatchBytes {
		l.buf = nil // a burst of long lines: let the memory go
	} else {
		l.buf = l.buf[:0]
	}
	return err
}
