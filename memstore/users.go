package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/authgate/authgate"
)

// CreateUser stores a new user, or returns an error wrapping
// authgate.ErrDuplicate if its id or login is taken.
func (s *Store) CreateUser(ctx context.Context, u authgate.User) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	s.userMu.Lock()
	defer s.userMu.Unlock()
	if _, ok := s.users[u.ID]; ok {
		return fmt.Errorf("memstore: user id %q: %w", u.ID, authgate.ErrDuplicate)
	}
	if _, ok := s.byLogin[u.Login]; ok {
		return fmt.Errorf("memstore: login %q: %w", u.Login, authgate.ErrDuplicate)
	}
	s.users[u.ID] = u
	s.byLogin[u.Login] = u.ID
	return nil
}

// User returns the user with the given id, or authgate.ErrNotFound.
func (s *Store) User(ctx context.Context, id string) (authgate.User, error) {
	return lookup(ctx, &s.userMu, s.users, id)
}

// UserByLogin returns the user with the given login, or
// authgate.ErrNotFound.
func (s *Store) UserByLogin(ctx context.Context, login string) (authgate.User, error) {
	if err := stopped(ctx); err != nil {
		return authgate.User{}, err
	}
	s.userMu.RLock()
	defer s.userMu.RUnlock()
	id, ok := s.byLogin[login]
	if !ok {
		return authgate.User{}, authgate.ErrNotFound
	}
	return s.users[id], nil
}

// SetPassword replaces the user's password hash.
func (s *Store) SetPassword(ctx context.Context, id, passwordHash string) error {
	return update(ctx, &s.userMu, s.users, id, func(u *authgate.User) { u.PasswordHash = passwordHash })
}

// DeleteUser removes the user and its identity providers' links, under
// both locks, so that no reader sees one gone and the other not. Its
// sessions and keys stay.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	s.userMu.Lock()
	defer s.userMu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return authgate.ErrNotFound
	}
	s.idMu.Lock()
	defer s.idMu.Unlock()
	for k := range s.userLinks[id] {
		delete(s.identities, k)
	}
	delete(s.userLinks, id)
	delete(s.users, id)
	delete(s.byLogin, u.Login)
	return nil
}

// Users lists every user, ordered by login.
func (s *Store) Users(ctx context.Context) ([]authgate.User, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	s.userMu.RLock()
	out := make([]authgate.User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	s.userMu.RUnlock()
	slices.SortFunc(out, func(a, b authgate.User) int { return strings.Compare(a.Login, b.Login) })
	return out, nil
}
