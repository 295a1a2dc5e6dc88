package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/authgate/authgate"
)

// FillSessions stores n new sessions of random users in s, for a benchmark,
// and returns their ids. It fails b if the store refuses one.
func FillSessions(b *testing.B, s authgate.SessionStore, n int) []authgate.Hash {
	b.Helper()
	ctx := context.Background()
	ids := make([]authgate.Hash, n)
	for i := range ids {
		x := NewSession(NewUserID(), time.Now())
		if err := s.CreateSession(ctx, x); err != nil {
			b.Fatal(err)
		}
		ids[i] = x.ID
	}
	return ids
}

// LookUpSessions times b.N calls of s.Session, spread over parallel
// goroutines, each asking for the next of ids in turn. It fails b on any
// error.
func LookUpSessions(b *testing.B, s authgate.SessionStore, ids []authgate.Hash) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Session(ctx, ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
