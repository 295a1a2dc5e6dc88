package main

import (
	"context"
	"testing"

	"github.com/authgate/authgate/bench"
	"github.com/authgate/authgate/memstore"
)

func TestHeapPerSession(t *testing.T) {
	ctx := context.Background()
	// Shared first: the memory store interns strings (unique.Handle), and
	// the interned strings of a run with strings of its own are dropped
	// only in the background after a collection, which would lower a
	// later run's count.
	shared, err := heapPerSession(ctx, 5000, false)
	if err != nil {
		t.Fatal(err)
	}
	own, err := heapPerSession(ctx, 5000, true)
	if err != nil {
		t.Fatal(err)
	}
	// A session holds at least its 32-byte id; strings of its own (one
	// User-Agent, interned, and a user id and address per session) cost no
	// less than shared ones.
	if shared < 32 || own < shared {
		t.Errorf("%.0f bytes per session with own strings, %.0f shared: want at least 32 shared, and no fewer with own strings", own, shared)
	}
}

func TestFillAndTime(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	g, err := bench.NewGate("memory", st, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := fill(ctx, g, 200, 50, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.sample) != 50 || len(f.cookies) != 50 {
		t.Fatalf("sample of %d with %d cookies, want 50 and 50", len(f.sample), len(f.cookies))
	}
	lat, err := lookupTimes(ctx, st, f)
	if err != nil {
		t.Fatal(err)
	}
	gated, err := gatedTimes(ctx, g.Handler(), f)
	if err != nil {
		t.Fatal(err)
	}
	if len(lat) != 50 || len(gated) != 50 {
		t.Errorf("%d lookups and %d page loads timed, want 50 and 50", len(lat), len(gated))
	}
}
