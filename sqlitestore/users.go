package sqlitestore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/authgate/authgate"
)

const userColumns = `id, login, name, password_hash, created_at`

func scanUser(row scanner) (authgate.User, error) {
	var (
		u       authgate.User
		created int64
	)
	if err := row.Scan(&u.ID, &u.Login, &u.Name, &u.PasswordHash, &created); err != nil {
		return u, err
	}
	u.CreatedAt = fromMS(created)
	return u, nil
}

// CreateUser stores a new user, or returns an error wrapping
// authgate.ErrDuplicate if its id or login is taken.
func (s *Store) CreateUser(ctx context.Context, u authgate.User) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?)`,
		u.ID, u.Login, u.Name, u.PasswordHash, toMS(u.CreatedAt))
	return wrap(ctx, "create user", err)
}

// User returns the user with the given id, or an error wrapping
// authgate.ErrNotFound.
func (s *Store) User(ctx context.Context, id string) (authgate.User, error) {
	return s.user(ctx, "read user", `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
}

// UserByLogin returns the user with the given login, or an error wrapping
// authgate.ErrNotFound.
func (s *Store) UserByLogin(ctx context.Context, login string) (authgate.User, error) {
	return s.user(ctx, "read user by login", `SELECT `+userColumns+` FROM users WHERE login = ?`, login)
}

func (s *Store) user(ctx context.Context, op, query, arg string) (authgate.User, error) {
	if err := stopped(ctx); err != nil {
		return authgate.User{}, err
	}
	u, err := scanUser(s.r.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return authgate.User{}, authgate.ErrNotFound
	}
	if err != nil {
		return authgate.User{}, wrap(ctx, op, err)
	}
	return u, nil
}

// SetPassword replaces the user's password hash, durably.
func (s *Store) SetPassword(ctx context.Context, id, passwordHash string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	res, err := s.durable(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, id)
	return changed(ctx, "set password", res, err)
}

// DeleteUser removes the user and its identity providers' links, durably,
// in one transaction (a trigger deletes the links with the row). Its
// sessions and keys stay.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	res, err := s.durable(ctx, `DELETE FROM users WHERE id = ?`, id)
	return changed(ctx, "delete user", res, err)
}

// Users lists every user, ordered by login.
func (s *Store) Users(ctx context.Context) ([]authgate.User, error) {
	return queryAll(ctx, s, "list users", scanUser, `SELECT `+userColumns+` FROM users ORDER BY login`)
}
