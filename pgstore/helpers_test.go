package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/pgtest"
	"github.com/authgate/authgate/pgstore"
)

// open opens a store on srv and closes it when t ends.
func open(t testing.TB, srv *pgtest.Server, opts pgstore.Options) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), srv.URL(), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// eventually polls cond every few milliseconds until it holds or the
// deadline passes, and returns how long it took.
func eventually(t *testing.T, deadline time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > deadline {
			t.Fatalf("%s: not within %v", what, deadline)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Since(start)
}
