package sqlitestore

import (
	"context"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/storetest"
)

// benchStore returns a store holding n sessions, and their ids.
func benchStore(b *testing.B, n int) (*Store, []authgate.Hash) {
	b.Helper()
	s := openTemp(b)
	return s, storetest.FillSessions(b, s, n)
}

// BenchmarkSessionCached is the gate's lookup of a session read before.
func BenchmarkSessionCached(b *testing.B) {
	s, ids := benchStore(b, 1000)
	storetest.LookUpSessions(b, s, ids)
}

// BenchmarkSessionUncached is a lookup that goes to the database.
func BenchmarkSessionUncached(b *testing.B) {
	ctx := context.Background()
	s, ids := benchStore(b, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.loadSession(ctx, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTouchSession is the coalesced write the gate makes at most once
// per touch interval per session.
func BenchmarkTouchSession(b *testing.B) {
	ctx := context.Background()
	s, ids := benchStore(b, 1000)
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := s.TouchSession(ctx, ids[i%len(ids)], now.Add(time.Duration(i)*time.Millisecond)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRevokeSession is a durable write: it waits for the disk.
func BenchmarkRevokeSession(b *testing.B) {
	ctx := context.Background()
	s, ids := benchStore(b, 1000)
	b.ResetTimer()
	for i := range b.N {
		if err := s.RevokeSession(ctx, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}
