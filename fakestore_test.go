package authgate_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authgate/authgate"
)

// errDown is what fakeStore returns while it is switched to fail.
var errDown = errors.New("fake store: connection refused")

// fakeStore is a small in-memory authgate.Store for the tests of this
// package. It counts every write and can be switched to fail on demand, so
// that the same type serves the fault tests.
type fakeStore struct {
	mu       sync.Mutex
	sessions map[authgate.Hash]authgate.Session
	keys     map[string]authgate.APIKey
	users    map[string]authgate.User // by id

	failAll    atomic.Bool  // every call fails
	failWrites atomic.Bool  // writes fail, reads work
	writes     atomic.Int64 // every successful write of any kind
	touchesS   atomic.Int64 // successful TouchSession calls
	touchesK   atomic.Int64 // successful TouchKey calls
}

var _ authgate.Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{
		sessions: make(map[authgate.Hash]authgate.Session),
		keys:     make(map[string]authgate.APIKey),
		users:    make(map[string]authgate.User),
	}
}

func (s *fakeStore) read(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.failAll.Load() {
		return fmt.Errorf("fake store read: %w", errDown)
	}
	return nil
}

func (s *fakeStore) write(ctx context.Context) error {
	if err := s.read(ctx); err != nil {
		return err
	}
	if s.failWrites.Load() {
		return fmt.Errorf("fake store write: %w", errDown)
	}
	return nil
}

// allSessions returns a copy of every stored session.
func (s *fakeStore) allSessions() []authgate.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]authgate.Session, 0, len(s.sessions))
	for _, v := range s.sessions {
		out = append(out, v)
	}
	return out
}

// only returns the single stored session and panics if there is not
// exactly one, which is a bug in the test.
func (s *fakeStore) only() authgate.Session {
	all := s.allSessions()
	if len(all) != 1 {
		panic(fmt.Sprintf("fake store holds %d sessions, want 1", len(all)))
	}
	return all[0]
}

// update changes a stored session in place, bypassing the write counter.
func (s *fakeStore) update(id authgate.Hash, f func(*authgate.Session)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.sessions[id]
	if !ok {
		panic("fake store: no such session")
	}
	f(&v)
	s.sessions[id] = v
}

func (s *fakeStore) get(id authgate.Hash) (authgate.Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.sessions[id]
	return v, ok
}

func (s *fakeStore) CreateSession(ctx context.Context, v authgate.Session) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[v.ID]; ok {
		return authgate.ErrDuplicate
	}
	s.sessions[v.ID] = v
	s.writes.Add(1)
	return nil
}

func (s *fakeStore) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	if err := s.read(ctx); err != nil {
		return authgate.Session{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.sessions[id]
	if !ok {
		return authgate.Session{}, authgate.ErrNotFound
	}
	return v, nil
}

func (s *fakeStore) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.sessions[id]
	if !ok {
		return authgate.ErrNotFound
	}
	if seen.After(v.LastSeen) {
		v.LastSeen = seen
		s.sessions[id] = v
	}
	s.writes.Add(1)
	s.touchesS.Add(1)
	return nil
}

func (s *fakeStore) RevokeSession(ctx context.Context, id authgate.Hash) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.sessions[id]
	if !ok {
		return authgate.ErrNotFound
	}
	v.Revoked = true
	s.sessions[id] = v
	s.writes.Add(1)
	return nil
}

func (s *fakeStore) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	if err := s.write(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, v := range s.sessions {
		if v.UserID == userID && !v.Revoked {
			v.Revoked = true
			s.sessions[id] = v
			n++
		}
	}
	s.writes.Add(1)
	return n, nil
}

func (s *fakeStore) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	if err := s.read(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []authgate.Session
	for _, v := range s.sessions {
		if v.UserID == userID && !v.Revoked {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b authgate.Session) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

func (s *fakeStore) CreateKey(ctx context.Context, k authgate.APIKey) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[k.ID]; ok {
		return authgate.ErrDuplicate
	}
	s.keys[k.ID] = k
	s.writes.Add(1)
	return nil
}

func (s *fakeStore) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	if err := s.read(ctx); err != nil {
		return authgate.APIKey{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return authgate.APIKey{}, authgate.ErrNotFound
	}
	return k, nil
}

func (s *fakeStore) TouchKey(ctx context.Context, id string, used time.Time) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return authgate.ErrNotFound
	}
	if used.After(k.LastUsed) {
		k.LastUsed = used
		s.keys[id] = k
	}
	s.writes.Add(1)
	s.touchesK.Add(1)
	return nil
}

func (s *fakeStore) RevokeKey(ctx context.Context, id string) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return authgate.ErrNotFound
	}
	k.Revoked = true
	s.keys[id] = k
	s.writes.Add(1)
	return nil
}

func (s *fakeStore) RevokeUserKeys(ctx context.Context, userID string) (int, error) {
	if err := s.write(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, k := range s.keys {
		if k.UserID == userID && !k.Revoked {
			k.Revoked = true
			s.keys[id] = k
			n++
		}
	}
	s.writes.Add(1)
	return n, nil
}

func (s *fakeStore) UserKeys(ctx context.Context, userID string) ([]authgate.APIKey, error) {
	if err := s.read(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []authgate.APIKey
	for _, k := range s.keys {
		if k.UserID == userID {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b authgate.APIKey) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

func (s *fakeStore) CreateUser(ctx context.Context, u authgate.User) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.users {
		if v.ID == u.ID || v.Login == u.Login {
			return authgate.ErrDuplicate
		}
	}
	s.users[u.ID] = u
	s.writes.Add(1)
	return nil
}

func (s *fakeStore) User(ctx context.Context, id string) (authgate.User, error) {
	if err := s.read(ctx); err != nil {
		return authgate.User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return authgate.User{}, authgate.ErrNotFound
	}
	return u, nil
}

func (s *fakeStore) UserByLogin(ctx context.Context, login string) (authgate.User, error) {
	if err := s.read(ctx); err != nil {
		return authgate.User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Login == login {
			return u, nil
		}
	}
	return authgate.User{}, authgate.ErrNotFound
}

func (s *fakeStore) SetPassword(ctx context.Context, id, passwordHash string) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return authgate.ErrNotFound
	}
	u.PasswordHash = passwordHash
	s.users[id] = u
	s.writes.Add(1)
	return nil
}

func (s *fakeStore) DeleteUser(ctx context.Context, id string) error {
	if err := s.write(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[id]; !ok {
		return authgate.ErrNotFound
	}
	delete(s.users, id)
	s.writes.Add(1)
	return nil
}

func (s *fakeStore) Users(ctx context.Context) ([]authgate.User, error) {
	if err := s.read(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]authgate.User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b authgate.User) int {
		switch {
		case a.Login < b.Login:
			return -1
		case a.Login > b.Login:
			return 1
		}
		return 0
	})
	return out, nil
}
