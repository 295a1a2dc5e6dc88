package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate"
)

const userColumns = `id, login, name, password_hash, created_at`

func scanUser(row pgx.Row) (authgate.User, error) {
	var (
		u                     authgate.User
		id, login, name, hash []byte
		created               int64
	)
	if err := row.Scan(&id, &login, &name, &hash, &created); err != nil {
		return u, err
	}
	u.ID, u.Login, u.Name, u.PasswordHash = string(id), string(login), string(name), string(hash)
	u.CreatedAt = fromMS(created)
	return u, nil
}

// CreateUser stores a new user; authgate.ErrDuplicate if its id or login
// is taken.
func (s *Store) CreateUser(ctx context.Context, u authgate.User) error {
	_, err := s.exec(ctx, "create user", `INSERT INTO authgate_users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		[]byte(u.ID), []byte(u.Login), []byte(u.Name), []byte(u.PasswordHash), toMS(u.CreatedAt))
	return err
}

// User returns the user with the given id, or an error wrapping
// authgate.ErrNotFound.
func (s *Store) User(ctx context.Context, id string) (authgate.User, error) {
	if err := stopped(ctx); err != nil {
		return authgate.User{}, err
	}
	return queryOne(ctx, s, "read user", scanUser, `SELECT `+userColumns+` FROM authgate_users WHERE id = $1`, []byte(id))
}

// UserByLogin returns the user with the given login, or an error wrapping
// authgate.ErrNotFound.
func (s *Store) UserByLogin(ctx context.Context, login string) (authgate.User, error) {
	if err := stopped(ctx); err != nil {
		return authgate.User{}, err
	}
	return queryOne(ctx, s, "read user by login", scanUser, `SELECT `+userColumns+` FROM authgate_users WHERE login = $1`, []byte(login))
}

// SetPassword replaces the user's password hash.
func (s *Store) SetPassword(ctx context.Context, id, passwordHash string) error {
	return s.execOne(ctx, "set password", `UPDATE authgate_users SET password_hash = $2 WHERE id = $1`, []byte(id), []byte(passwordHash))
}

// DeleteUser removes the user and its identity providers' links in one
// statement, so in one transaction. Its sessions and keys stay.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete user", `WITH unlinked AS (
	DELETE FROM authgate_identities WHERE user_id = $1 AND EXISTS (SELECT 1 FROM authgate_users WHERE id = $1)
) DELETE FROM authgate_users WHERE id = $1`, []byte(id))
}

// Users lists every user, ordered by login byte-wise.
func (s *Store) Users(ctx context.Context) ([]authgate.User, error) {
	return queryAll(ctx, s, "list users", scanUser, `SELECT `+userColumns+` FROM authgate_users ORDER BY login`)
}
