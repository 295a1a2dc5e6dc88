package memstore

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/storetest"
)

func TestSessionDoesNotAllocate(t *testing.T) {
	ctx := context.Background()
	s := New()
	x := storetest.NewSession("u1", time.Now())
	if err := s.CreateSession(ctx, x); err != nil {
		t.Fatal(err)
	}
	k := storetest.NewKey("u1", time.Now())
	if err := s.CreateKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	missing := storetest.NewHash()
	tests := []struct {
		name string
		call func()
	}{
		{"Session found", func() {
			if _, err := s.Session(ctx, x.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"Session missing", func() {
			if _, err := s.Session(ctx, missing); err == nil {
				t.Fatal("found a missing session")
			}
		}},
		{"Key found", func() {
			if _, err := s.Key(ctx, k.ID); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		if n := testing.AllocsPerRun(1000, tc.call); n != 0 {
			t.Errorf("%s: %v allocations per call, want 0", tc.name, n)
		}
	}
}

// TestBytesPerSession measures the heap that 100k sessions take, their
// strings shared, and fails above 256 bytes a session.
func TestBytesPerSession(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 100k sessions; runs without -short")
	}
	const n = 100_000
	now := time.Now()
	proto := storetest.NewSession("u1", now)
	ids := make([]authgate.Hash, n) // made before the first reading
	for i := range ids {
		ids[i] = storetest.NewHash()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := New()
	ctx := context.Background()
	for _, id := range ids {
		x := proto
		x.ID = id
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%d sessions: %.0f bytes per session (heap %d -> %d)", n, per, before.HeapAlloc, after.HeapAlloc)
	if per > 256 {
		t.Errorf("%.0f bytes per session, want at most 256", per)
	}
	runtime.KeepAlive(s)
	runtime.KeepAlive(ids) // else collected before the second reading
}

func TestPurgeExpired(t *testing.T) {
	ctx := context.Background()
	s := New()
	now := time.Now()
	var expired []authgate.Hash
	for range minPurge - 1 {
		x := storetest.NewSession("u1", now.Add(-13*time.Hour))
		x.Expires = now.Add(-time.Hour)
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
		expired = append(expired, x.ID)
	}
	live := storetest.NewSession("u1", now)
	if err := s.CreateSession(ctx, live); err != nil { // the create that purges
		t.Fatal(err)
	}
	s.sessMu.RLock()
	n := s.sessions.len()
	s.sessMu.RUnlock()
	if n != 1 {
		t.Errorf("%d sessions held after the purge, want only the live one", n)
	}
	if _, err := s.Session(ctx, live.ID); err != nil {
		t.Errorf("the live session: %v", err)
	}
	if _, err := s.Session(ctx, expired[0]); err != authgate.ErrNotFound {
		t.Errorf("an expired session: error %v, want ErrNotFound", err)
	}
}

func BenchmarkSession(b *testing.B) {
	s := New()
	storetest.LookUpSessions(b, s, storetest.FillSessions(b, s, 10_000))
}
