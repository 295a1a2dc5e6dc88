package redisstore

import (
	"context"
	"testing"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
)

// BenchmarkSession reads sessions with and without client-side caching,
// one caller at a time and from parallel callers, against a local
// redis-server. With the cache, a read that hits costs no round trip.
//
// The sessions are written by another Store, as by another instance: the
// instance that writes a session reads it past its cache for CacheTTL
// afterwards (see keyWindow).
func BenchmarkSession(b *testing.B) {
	srv := redistest.Start(b)
	ctx := context.Background()
	const sessions = 1000
	writer := openStore(b, Options{Addrs: []string{srv.Addr}, Prefix: "bench:"})
	ids := make([]authgate.Hash, sessions)
	for i := range ids {
		x := newSession("bench")
		ids[i] = x.ID
		if err := writer.CreateSession(ctx, x); err != nil {
			b.Fatal(err)
		}
	}
	for _, mode := range []struct {
		name    string
		noCache bool
	}{{"cache", false}, {"nocache", true}} {
		s := openStore(b, Options{Addrs: []string{srv.Addr}, NoCache: mode.noCache, Prefix: "bench:"})
		b.Run(mode.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := s.Session(ctx, ids[i%sessions]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(mode.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := s.Session(ctx, ids[i%sessions]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}
