package storekit

import (
	"sync"
	"sync/atomic"
)

// Cache is a bounded map of records read from a database, for the stores
// that keep the records they read in memory.
//
// A read that misses notes the generation before it queries the database
// and fills the cache only if its key did not change meanwhile: every
// change (an own write, or another process's the store learned of) bumps
// the generation and notes it for the key it changed, so a fill can never
// put back a value older than the change, while changes to other keys (the
// touches of other busy sessions) leave it be.
type Cache[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V
	max int
	gen atomic.Uint64 // written under mu

	// changed holds the generation of each key's last change since floor;
	// a fill that read before floor is refused, since the changes before it
	// are forgotten. At most maxChanged keys are held: then the set is
	// emptied and floor moves up, which refuses only the fills in flight.
	changed map[K]uint64
	floor   uint64
}

// maxChanged bounds [Cache.changed]: fills take a database round trip, in
// which far fewer changes come.
const maxChanged = 1024

// NewCache returns an empty cache that holds up to size values.
func NewCache[K comparable, V any](size int) *Cache[K, V] {
	return &Cache[K, V]{m: make(map[K]V), max: size, changed: make(map[K]uint64)}
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
// unless k changed since (or the cache was cleared). A full cache drops an
// arbitrary entry.
func (c *Cache[K, V]) Fill(g uint64, k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if g < c.floor {
		return
	}
	if at, ok := c.changed[k]; ok && at > g {
		return
	}
	c.setLocked(k, v)
}

// changeLocked bumps the generation for a change to k.
func (c *Cache[K, V]) changeLocked(k K) {
	g := c.gen.Add(1)
	if len(c.changed) >= maxChanged {
		clear(c.changed)
		c.floor = g - 1 // every change before g is forgotten
	}
	c.changed[k] = g
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
	c.changeLocked(k)
	c.setLocked(k, v)
}

// Update applies f to the cached value for k, if any, after a write to it.
func (c *Cache[K, V]) Update(k K, f func(*V)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.changeLocked(k)
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
	c.changeLocked(k)
	delete(c.m, k)
}

// Clear drops everything.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.floor = c.gen.Add(1)
	clear(c.changed)
	clear(c.m)
}

// Len returns how many values are cached.
func (c *Cache[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
