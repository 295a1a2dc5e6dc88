package sqlitestore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/authgate/authgate"
)

// The store keeps identity providers' links: authgate.IdentityStore.
var _ authgate.IdentityStore = (*Store)(nil)

// LinkIdentity links issuer and subject to userID, durably, or returns an
// error wrapping authgate.ErrDuplicate if the pair is linked already.
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	_, err := s.durable(ctx, `INSERT INTO identities (issuer, subject, user_id) VALUES (?, ?, ?)`, issuer, subject, userID)
	return wrap(ctx, "link identity", err)
}

// IdentityUser returns the user id linked to issuer and subject, or an
// error wrapping authgate.ErrNotFound.
func (s *Store) IdentityUser(ctx context.Context, issuer, subject string) (string, error) {
	if err := stopped(ctx); err != nil {
		return "", err
	}
	var id string
	err := s.r.QueryRowContext(ctx, `SELECT user_id FROM identities WHERE issuer = ? AND subject = ?`, issuer, subject).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", authgate.ErrNotFound
	}
	if err != nil {
		return "", wrap(ctx, "read identity", err)
	}
	return id, nil
}

// UserIdentities lists the accounts linked to userID, by issuer and then
// subject: at most [authgate.MaxUserIdentities].
func (s *Store) UserIdentities(ctx context.Context, userID string) ([]authgate.LinkedIdentity, error) {
	return queryAll(ctx, s, "list identities", func(r scanner) (authgate.LinkedIdentity, error) {
		var l authgate.LinkedIdentity
		err := r.Scan(&l.Issuer, &l.Subject)
		return l, err
	}, `SELECT issuer, subject FROM identities WHERE user_id = ? ORDER BY issuer, subject LIMIT ?`, userID, authgate.MaxUserIdentities)
}

// UnlinkIdentity removes the link of issuer and subject to userID,
// durably, or returns an error wrapping [authgate.ErrNotFound].
func (s *Store) UnlinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	res, err := s.durable(ctx, `DELETE FROM identities WHERE issuer = ? AND subject = ? AND user_id = ?`, issuer, subject, userID)
	return changed(ctx, "unlink identity", res, err)
}
