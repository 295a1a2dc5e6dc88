package demo

import (
	"context"
	"sync"
	"time"
)

// MemoryNotes keeps notes in memory, for tests and throwaway runs. The zero
// value is ready to use.
type MemoryNotes struct {
	mu     sync.Mutex
	lastID int64
	byUser map[string][]Note // oldest first
}

var _ Notes = (*MemoryNotes)(nil)

// NewMemoryNotes returns an empty MemoryNotes.
func NewMemoryNotes() *MemoryNotes { return &MemoryNotes{} }

// Add stores a note for a user.
func (m *MemoryNotes) Add(ctx context.Context, userID, text string, at time.Time) (Note, error) {
	if err := ctx.Err(); err != nil {
		return Note{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byUser == nil {
		m.byUser = make(map[string][]Note)
	}
	m.lastID++
	n := Note{ID: m.lastID, Text: text, CreatedAt: at}
	m.byUser[userID] = append(m.byUser[userID], n)
	return n, nil
}

// List returns at most limit of a user's notes, newest first.
func (m *MemoryNotes) List(ctx context.Context, userID string, limit int) ([]Note, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	all := m.byUser[userID]
	out := make([]Note, 0, max(0, min(limit, len(all))))
	for i := len(all) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, all[i])
	}
	return out, nil
}
