package bench

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/authgate/authgate"
)

// CountingStore wraps an authgate.Store and counts the writes made through
// it. Reads pass straight through.
type CountingStore struct {
	authgate.Store
	writes atomic.Int64
}

// NewCountingStore wraps st.
func NewCountingStore(st authgate.Store) *CountingStore { return &CountingStore{Store: st} }

// Writes returns the number of writes so far.
func (s *CountingStore) Writes() int64 { return s.writes.Load() }

// CreateSession counts a write.
func (s *CountingStore) CreateSession(ctx context.Context, x authgate.Session) error {
	s.writes.Add(1)
	return s.Store.CreateSession(ctx, x)
}

// TouchSession counts a write.
func (s *CountingStore) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	s.writes.Add(1)
	return s.Store.TouchSession(ctx, id, seen)
}

// RevokeSession counts a write.
func (s *CountingStore) RevokeSession(ctx context.Context, id authgate.Hash) error {
	s.writes.Add(1)
	return s.Store.RevokeSession(ctx, id)
}

// RevokeUserSessions counts a write.
func (s *CountingStore) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	s.writes.Add(1)
	return s.Store.RevokeUserSessions(ctx, userID)
}

// CreateKey counts a write.
func (s *CountingStore) CreateKey(ctx context.Context, k authgate.APIKey) error {
	s.writes.Add(1)
	return s.Store.CreateKey(ctx, k)
}

// TouchKey counts a write.
func (s *CountingStore) TouchKey(ctx context.Context, id string, used time.Time) error {
	s.writes.Add(1)
	return s.Store.TouchKey(ctx, id, used)
}

// RevokeKey counts a write.
func (s *CountingStore) RevokeKey(ctx context.Context, id string) error {
	s.writes.Add(1)
	return s.Store.RevokeKey(ctx, id)
}

// RevokeUserKeys counts a write.
func (s *CountingStore) RevokeUserKeys(ctx context.Context, userID string) (int, error) {
	s.writes.Add(1)
	return s.Store.RevokeUserKeys(ctx, userID)
}

// countingSCSStore wraps an scs.Store and counts its Commit and Delete
// calls, the writes scs makes.
type countingSCSStore struct {
	scs.Store
	writes atomic.Int64
}

// Commit counts a write.
func (s *countingSCSStore) Commit(token string, b []byte, expiry time.Time) error {
	s.writes.Add(1)
	return s.Store.Commit(token, b, expiry)
}

// Delete counts a write.
func (s *countingSCSStore) Delete(token string) error {
	s.writes.Add(1)
	return s.Store.Delete(token)
}
