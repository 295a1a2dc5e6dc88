package pgstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/pgtest"
	"github.com/authgate/authgate/pgstore"
	"github.com/authgate/authgate/storetest"
)

// BenchmarkRevocationSeen measures how long a session revoked through one
// store takes to be refused by another that had it cached: each iteration
// revokes on B and reads on A until A sees it. It reports the median and
// the 99th percentile (goal: within 50 ms).
func BenchmarkRevocationSeen(b *testing.B) {
	url := pgtest.Shared(b).Database(b)
	ctx := context.Background()
	sa, sb := open(b, url, pgstore.Options{}), open(b, url, pgstore.Options{})
	var took []time.Duration
	for b.Loop() {
		x := storetest.NewSession(storetest.NewUserID(), time.Now())
		if err := sb.CreateSession(ctx, x); err != nil {
			b.Fatal(err)
		}
		if _, err := sa.Session(ctx, x.ID); err != nil { // cached on A now
			b.Fatal(err)
		}
		if err := sb.RevokeSession(ctx, x.ID); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for {
			got, err := sa.Session(ctx, x.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.Revoked {
				break
			}
			time.Sleep(50 * time.Microsecond) // leave the cores to the server and the listener
			if time.Since(start) > 10*time.Second {
				b.Fatal("A never saw the revocation")
			}
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkSession is a signed-in request's read: from the cache, and past
// it.
func BenchmarkSession(b *testing.B) {
	url := pgtest.Shared(b).Database(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		opts pgstore.Options
	}{{"cached", pgstore.Options{}}, {"uncached", pgstore.Options{NoCache: true}}} {
		b.Run(bc.name, func(b *testing.B) {
			s := open(b, url, bc.opts)
			x := storetest.NewSession(storetest.NewUserID(), time.Now())
			if err := s.CreateSession(ctx, x); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Session(ctx, x.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
