package testkit

import (
	"context"
	"log/slog"
	"strings"
	"testing"
)

// Logs is an [slog.Handler] that keeps every record, at every level, as a
// line of JSON in memory. It is safe for concurrent use, and the handlers
// made by its WithAttrs and WithGroup write to the same buffer.
type Logs struct {
	buf *Buffer // slog's JSON handler writes each record with one Write
	h   slog.Handler
}

// NewLogs returns an empty log buffer.
func NewLogs() *Logs {
	buf := &Buffer{}
	return &Logs{buf: buf, h: slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})}
}

// Logger returns a logger that writes to l.
func (l *Logs) Logger() *slog.Logger { return slog.New(l) }

// Enabled reports true for debug and every level above: a test sees
// every line.
func (l *Logs) Enabled(ctx context.Context, level slog.Level) bool {
	return l.h.Enabled(ctx, level)
}

// Handle keeps r as one line of JSON.
func (l *Logs) Handle(ctx context.Context, r slog.Record) error { return l.h.Handle(ctx, r) }

// WithAttrs returns a handler that adds attrs to each record it keeps in l.
func (l *Logs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Logs{buf: l.buf, h: l.h.WithAttrs(attrs)}
}

// WithGroup returns a handler that keeps its records' attributes in l
// under the group name.
func (l *Logs) WithGroup(name string) slog.Handler {
	return &Logs{buf: l.buf, h: l.h.WithGroup(name)}
}

// String returns every line kept so far.
func (l *Logs) String() string { return l.buf.String() }

// Contains reports whether any line kept so far holds s.
func (l *Logs) Contains(s string) bool { return strings.Contains(l.buf.String(), s) }

// secretPrefix is how much of a secret's start may not appear either: a
// log line that holds a truncated token still gives most of it away.
const secretPrefix = 16

// AssertNoSecrets fails t if any of secrets, or the first 16 bytes of a
// longer one, appears in the lines kept so far. Empty secrets are
// ignored. The failure message names the secret by its position and
// length, never by its value.
func (l *Logs) AssertNoSecrets(t testing.TB, secrets ...string) {
	t.Helper()
	logs := l.buf.String()
	for i, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(logs, s) {
			t.Errorf("secret %d (%d bytes) appears in the logs", i, len(s))
		} else if len(s) > secretPrefix && strings.Contains(logs, s[:secretPrefix]) {
			t.Errorf("the start of secret %d (%d bytes) appears in the logs", i, len(s))
		}
	}
}
