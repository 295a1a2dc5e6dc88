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
	n      atomic.Int64 // len(until), read without the lock on the hot path

	mu    sync.Mutex
	until map[string]time.Time
	sweep time.Time // when to next drop the entries that have lapsed
}

func newKeyWindow(window time.Duration) *keyWindow {
	return &keyWindow{window: window, until: make(map[string]time.Time)}
}

// add notes the keys just now. After a write, call it once the write has
// returned.
func (r *keyWindow) add(keys ...string) {
	now := time.Now()
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
	if r.n.Load() == 0 {
		return false
	}
	r.mu.Lock()
	t, ok := r.until[key]
	r.mu.Unlock()
	return ok && time.Now().Before(t)
}
