package redisstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate"
)

// CreateUser stores a new user; authgate.ErrDuplicate if the id or the
// login is taken. The login is claimed with SET NX, so two instances
// creating the same login at once cannot both succeed.
func (s *Store) CreateUser(ctx context.Context, u authgate.User) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	c := s.client
	if err := c.Do(ctx, c.B().Sadd().Key(s.keys.users()).Member(u.ID).Build()).Error(); err != nil {
		return wrap("indexing a user", err)
	}
	args := append([]string{""}, userFields(u)...)
	n, err := s.scripts.create.Exec(ctx, c, []string{s.keys.user(u.ID)}, args).AsInt64()
	if err != nil {
		return wrap("creating a user", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: user id: %w", authgate.ErrDuplicate)
	}
	err = c.Do(ctx, c.B().Set().Key(s.keys.login(u.Login)).Value(u.ID).Nx().Build()).Error()
	if err == nil {
		return nil
	}
	// The login is taken, or the claim failed: take back the record just
	// written, which nobody else can have written with this id.
	undo := c.DoMulti(ctx,
		c.B().Del().Key(s.keys.user(u.ID)).Build(),
		c.B().Srem().Key(s.keys.users()).Member(u.ID).Build())
	if rueidis.IsRedisNil(err) {
		return fmt.Errorf("redisstore: user login: %w", authgate.ErrDuplicate)
	}
	for _, r := range undo {
		if uerr := r.Error(); uerr != nil {
			return wrap("creating a user, then undoing it", uerr)
		}
	}
	return wrap("claiming a user's login", err)
}

// User returns the user with the given id, or authgate.ErrNotFound.
func (s *Store) User(ctx context.Context, id string) (authgate.User, error) {
	if err := stopped(ctx); err != nil {
		return authgate.User{}, err
	}
	cmd := s.client.B().Hmget().Key(s.keys.user(id)).Field(s.schema.user...).Build()
	d, found, err := newDecoder(s.client.Do(ctx, cmd), len(s.schema.user))
	if err != nil {
		return authgate.User{}, wrap("reading a user", err)
	}
	if !found {
		return authgate.User{}, fmt.Errorf("redisstore: user: %w", authgate.ErrNotFound)
	}
	u, err := decodeUser(d)
	if err != nil {
		return authgate.User{}, wrap("reading a user", err)
	}
	return u, nil
}

// UserByLogin returns the user with the given login name, or
// authgate.ErrNotFound.
func (s *Store) UserByLogin(ctx context.Context, login string) (authgate.User, error) {
	if err := stopped(ctx); err != nil {
		return authgate.User{}, err
	}
	id, err := s.client.Do(ctx, s.client.B().Get().Key(s.keys.login(login)).Build()).ToString()
	if rueidis.IsRedisNil(err) {
		return authgate.User{}, fmt.Errorf("redisstore: user: %w", authgate.ErrNotFound)
	}
	if err != nil {
		return authgate.User{}, wrap("reading a login", err)
	}
	u, err := s.User(ctx, id)
	if err != nil {
		return authgate.User{}, err
	}
	if u.Login != login {
		return authgate.User{}, fmt.Errorf("redisstore: user: %w", authgate.ErrNotFound)
	}
	return u, nil
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, id, passwordHash string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	n, err := s.scripts.update.Exec(ctx, s.client, []string{s.keys.user(id)},
		[]string{fPassword, passwordHash}).AsInt64()
	if err != nil {
		return wrap("setting a password", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: user: %w", authgate.ErrNotFound)
	}
	return nil
}

// DeleteUser removes a user, unlinks its identity providers' accounts in
// the same script (see deleteRecord) and frees the login. It leaves the
// user's sessions and keys alone.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	u, err := s.User(ctx, id)
	if err != nil {
		return err
	}
	c := s.client
	links, err := s.deleteRecord(ctx, id)
	if err != nil {
		return err
	}
	if err := s.scripts.release.Exec(ctx, c, []string{s.keys.login(u.Login)}, []string{id}).Error(); err != nil {
		return wrap("freeing a login", err)
	}
	if err := c.Do(ctx, c.B().Srem().Key(s.keys.users()).Member(id).Build()).Error(); err != nil {
		return wrap("unindexing a user", err)
	}
	return s.forgetLinks(ctx, id, links)
}

// deleteRecord deletes a user's record and the index of its links to
// identity providers, which unlinks them all, in one script; or, for an id
// that keeps the two out of one cluster slot, index first. It returns the
// index's links, or authgate.ErrNotFound if there was no record.
func (s *Store) deleteRecord(ctx context.Context, id string) ([]string, error) {
	c := s.client
	record := s.keys.user(id)
	index, together := s.keys.userIdentities(id)
	if together {
		links, err := s.scripts.deleteUser.Exec(ctx, c, []string{record, index}, nil).AsStrSlice()
		if rueidis.IsRedisNil(err) {
			return nil, fmt.Errorf("redisstore: user: %w", authgate.ErrNotFound)
		}
		if err != nil {
			return nil, wrap("deleting a user", err)
		}
		return links, nil
	}
	links, err := c.Do(ctx, c.B().Zrange().Key(index).Min("0").Max("-1").Build()).AsStrSlice()
	if err != nil {
		return nil, wrap("reading a user's identities", err)
	}
	if err := c.Do(ctx, c.B().Del().Key(index).Build()).Error(); err != nil {
		return nil, wrap("unlinking a user's identities", err)
	}
	if err := c.Do(ctx, c.B().Del().Key(record).Build()).Error(); err != nil {
		return nil, wrap("deleting a user", err)
	}
	return links, nil
}

// Users lists every user, ordered by login.
func (s *Store) Users(ctx context.Context) ([]authgate.User, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	c := s.client
	ids, err := c.Do(ctx, c.B().Smembers().Key(s.keys.users()).Build()).AsStrSlice()
	if err != nil {
		return nil, wrap("listing users", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.keys.user(id)
	}
	var out []authgate.User
	for _, r := range s.readMany(ctx, keys, s.schema.user) {
		d, found, err := newDecoder(r, len(s.schema.user))
		if err != nil {
			return nil, wrap("listing users", err)
		}
		if !found {
			continue // being created, or its creation failed half-way
		}
		u, err := decodeUser(d)
		if err != nil {
			return nil, wrap("listing users", err)
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b authgate.User) int {
		if c := cmp.Compare(a.Login, b.Login); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}
