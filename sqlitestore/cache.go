package sqlitestore

import (
	"context"

	"github.com/authgate/authgate/internal/storekit"
)

// readThrough returns c's copy of the record k while the cache is known to
// be current, and otherwise loads it from the database and caches it.
func readThrough[K comparable, V any](ctx context.Context, s *Store, c *storekit.Cache[K, V], k K,
	load func(*Store, context.Context, K) (V, error)) (V, error) {
	if err := stopped(ctx); err != nil {
		var zero V
		return zero, err
	}
	if s.fresh() {
		if v, ok := c.Get(k); ok {
			return v, nil
		}
	}
	g := c.Generation()
	v, err := load(s, ctx, k)
	if err != nil {
		return v, err
	}
	c.Fill(g, k, v)
	return v, nil
}
