package main

import (
	"context"
	"testing"

	"github.com/authgate/authgate/bench"
	"github.com/authgate/authgate/memstore"
)

func TestHeapPerSession(t *testing.T) {
	ctx := context.Background()
	own, err := heapPerSession(ctx, 5000, true)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := heapPerSession(ctx, 5000, false)
	if err != nil {
		t.Fatal(err)
	}
	// A session holds at least its 32-byte id; with strings of its own it
	// also holds a copy of the User-Agent.
	if shared < 32 || own < shared+float64(len(bench.BrowserUA)) {
		t.Errorf("%.0f bytes per session with own strings, %.0f shared: want at least 32 shared, and the User-Agent's %d more with own strings",
			own, shared, len(bench.BrowserUA))
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
