package storekit

import (
	"sync"
	"sync/atomic"
)

// Cache is a bounded map of records read from a database, for the stores
// that keep the records they read in memory.
//
// A read that misses notes the generation before it queries the database
// and fills the cache only if nothing changed meanwhile: every change (an
// own write, or another process's the store learned of) bumps the
// generation, so a fill can never put back a value older than the change.
type Cache[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V
	max int
	gen atomic.Uint64 // written under mu
}

// NewCache returns an empty cache that holds up to size values.
func NewCache[K comparable, V any](size int) *Cache[K, V] {
	return &Cache[K, V]{m: make(map[K]V), max: size}
}

// Get returns the cached value for k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

// Generation returns the generation to pass to Fill.
func (c *Cache[K, V]) Generation() uint64 { return c.gen.Load() }

// Fill caches v, read from the database after Generation returned g,
// unless something changed since. A full cache drops an arbitrary entry.
func (c *Cache[K, V]) Fill(g uint64, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != g {
		return
	}
	c.setLocked(k, v)
}

// setLocked stores v, first dropping an arbitrary entry if the cache is
// full.
func (c *Cache[K, V]) setLocked(k K, v V) {
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		for old := range c.m { // map order is unspecified: an arbitrary victim
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
}

// Put caches v, just written to the database.
func (c *Cache[K, V]) Put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	c.setLocked(k, v)
}

// Update applies f to the cached value for k, if any, after a write to it.
func (c *Cache[K, V]) Update(k K, f func(*V)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	if v, ok := c.m[k]; ok {
		f(&v)
		c.m[k] = v
	}
}

// Delete drops the value for k, after a change the store learned of but
// cannot follow.
func (c *Cache[K, V]) Delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	delete(c.m, k)
}

// Clear drops everything.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	clear(c.m)
}

// Len returns how many values are cached.
func (c *Cache[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
