package memstore

import (
	"context"
	"sync"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

// stopped fails a call whose context is done, the way every store does.
func stopped(ctx context.Context) error { return storekit.Stopped(ctx, "memstore") }

// lookup returns m[k] under mu's read lock, or authgate.ErrNotFound.
func lookup[K comparable, V any](ctx context.Context, mu *sync.RWMutex, m map[K]V, k K) (V, error) {
	if err := stopped(ctx); err != nil {
		var zero V
		return zero, err
	}
	mu.RLock()
	v, ok := m[k]
	mu.RUnlock()
	if !ok {
		var zero V
		return zero, authgate.ErrNotFound
	}
	return v, nil
}

// update changes m[k] with change under mu's lock, or returns
// authgate.ErrNotFound.
func update[K comparable, V any](ctx context.Context, mu *sync.RWMutex, m map[K]V, k K, change func(*V)) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	v, ok := m[k]
	if !ok {
		return authgate.ErrNotFound
	}
	change(&v)
	m[k] = v
	return nil
}
