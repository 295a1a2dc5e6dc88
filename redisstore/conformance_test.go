package redisstore

import (
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
	"github.com/authgate/authgate/storetest"
)

// conformance runs the shared store suite against the Redis at addrs, with
// a fresh key prefix and a fresh client for every subtest.
func conformance(t *testing.T, addrs []string, noCache bool) {
	var p prefixer
	storetest.Run(t, func(t *testing.T) authgate.Store {
		return openStore(t, Options{Addrs: addrs, Prefix: p.next(), NoCache: noCache})
	})
	t.Run("Clock", func(t *testing.T) {
		storetest.RunClock(t, func(t *testing.T, now func() time.Time) authgate.Store {
			return openStore(t, Options{Addrs: addrs, Prefix: p.next(), NoCache: noCache, Now: now})
		})
	})
}

// TestConformance runs the suite against one redis-server, with and
// without client-side caching.
func TestConformance(t *testing.T) {
	srv := redistest.Start(t)
	t.Run("cache", func(t *testing.T) { conformance(t, []string{srv.Addr}, false) })
	t.Run("nocache", func(t *testing.T) { conformance(t, []string{srv.Addr}, true) })
}
