package pgstore_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/pgtest"
	"github.com/authgate/authgate/pgstore"
)

// open opens a store on the database at url and closes it when t ends.
func open(t testing.TB, url string, opts pgstore.Options) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), url, opts)
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

// TestMain stops the server the tests share.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}
