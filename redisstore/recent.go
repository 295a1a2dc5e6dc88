package redisstore

import (
	"sync"
	"sync/atomic"
	"time"
)

// keyWindow remembers keys noted in the last window. A Store keeps two:
// the records it wrote (recent) and the records it found (found).
//
// A record this Store wrote in the last window is read back past the
// client-side cache. Redis invalidates a cached record when anyone writes
// it, but the invalidation reaches the client after the reply to the write, and
// possibly on another connection. Without this, a read that follows this
// instance's own write (a sign-out, then the next request) could, for a few
// microseconds, still be answered from the old cached copy. A cached copy
// never lives longer than the cache TTL, so skipping the cache for that
// long after a write is always enough. Other instances need none of this:
// they see the write when its invalidation arrives.
type keyWindow struct {
	window time.Duration
	now    func() time.Time // time.Now; tests move it
	n      atomic.Int64     // len(until), read without the lock on the hot path

	mu    sync.Mutex
	until map[string]time.Time
	sweep time.Time // when to next drop the entries that have lapsed
}

func newKeyWindow(window time.Duration) *keyWindow {
	return &keyWindow{window: window, now: time.Now, until: make(map[string]time.Time)}
}

// add notes the keys just now. After a write, call it once the write has
// returned.
func (r *keyWindow) add(keys ...string) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.After(r.sweep) {
		for k, t := range r.until {
			if now.After(t) {
				delete(r.until, k)
			}
		}
		r.sweep = now.Add(r.window)
	}
	for _, k := range keys {
		r.until[k] = now.Add(r.window)
	}
	r.n.Store(int64(len(r.until)))
}

// has reports whether key was noted in the last window.
func (r *keyWindow) has(key string) bool {
	_, ok := r.left(key)
	return ok
}

// left reports whether key was noted in the last window and, if so, how
// long it has left in it.
func (r *keyWindow) left(key string) (time.Duration, bool) {
	if r.n.Load() == 0 {
		return 0, false
	}
	r.mu.Lock()
	t, ok := r.until[key]
	r.mu.Unlock()
	d := t.Sub(r.now())
	return d, ok && d > 0
}

// forget drops key.
func (r *keyWindow) forget(key string) {
	r.mu.Lock()
	delete(r.until, key)
	r.n.Store(int64(len(r.until)))
	r.mu.Unlock()
}
