package sqlitestore

import (
	"context"
	"sync"
	"sync/atomic"
)

// readThrough returns c's copy of the record k while the cache is known to
// be current, and otherwise loads it from the database and caches it.
func readThrough[K comparable, V any](ctx context.Context, s *Store, c *cache[K, V], k K,
	load func(*Store, context.Context, K) (V, error)) (V, error) {
	if err := stopped(ctx); err != nil {
		var zero V
		return zero, err
	}
	if s.fresh() {
		if v, ok := c.get(k); ok {
			return v, nil
		}
	}
	g := c.generation()
	v, err := load(s, ctx, k)
	if err != nil {
		return v, err
	}
	c.fill(g, k, v)
	return v, nil
}

// cache is a bounded map of records read from the database.
//
// A read that misses notes the generation before it queries the database
// and fills the cache only if no write happened meanwhile: every change
// (an own write, or another process's seen through data_version) bumps the
// generation, so a fill can never put back a value older than the change.
type cache[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V
	max int
	gen atomic.Uint64 // written under mu
}

func newCache[K comparable, V any](size int) *cache[K, V] {
	return &cache[K, V]{m: make(map[K]V), max: size}
}

// get returns the cached value for k.
func (c *cache[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

// generation returns the generation to pass to fill.
func (c *cache[K, V]) generation() uint64 { return c.gen.Load() }

// fill caches v, read from the database after generation returned g,
// unless something changed since. A full cache drops an arbitrary entry.
func (c *cache[K, V]) fill(g uint64, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != g {
		return
	}
	c.setLocked(k, v)
}

// setLocked stores v, first dropping an arbitrary entry if the cache is
// full.
func (c *cache[K, V]) setLocked(k K, v V) {
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		for old := range c.m { // map order is unspecified: an arbitrary victim
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
}

// put caches v, just written to the database.
func (c *cache[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	c.setLocked(k, v)
}

// update applies f to the cached value for k, if any, after a write to it.
func (c *cache[K, V]) update(k K, f func(*V)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	if v, ok := c.m[k]; ok {
		f(&v)
		c.m[k] = v
	}
}

// clear drops everything, after a change the cache cannot follow.
func (c *cache[K, V]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	clear(c.m)
}

// len returns how many values are cached.
func (c *cache[K, V]) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
