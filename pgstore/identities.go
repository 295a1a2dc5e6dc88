package pgstore

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate"
)

// The store keeps identity providers' links: authgate.IdentityStore.
var _ authgate.IdentityStore = (*Store)(nil)

// LinkIdentity links issuer and subject to userID; an error wrapping
// authgate.ErrDuplicate if the pair is linked already.
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	_, err := s.exec(ctx, "link identity", `INSERT INTO authgate_identities (issuer, subject, user_id) VALUES ($1, $2, $3)`,
		[]byte(issuer), []byte(subject), []byte(userID))
	return err
}

// IdentityUser returns the user id linked to issuer and subject, or an
// error wrapping authgate.ErrNotFound.
func (s *Store) IdentityUser(ctx context.Context, issuer, subject string) (string, error) {
	if err := stopped(ctx); err != nil {
		return "", err
	}
	return queryOne(ctx, s, "read identity", func(row pgx.Row) (string, error) {
		var id []byte
		err := row.Scan(&id)
		return string(id), err
	}, `SELECT user_id FROM authgate_identities WHERE issuer = $1 AND subject = $2`, []byte(issuer), []byte(subject))
}

// UserIdentities lists the accounts linked to userID, by issuer and then
// subject, byte-wise: at most [authgate.MaxUserIdentities].
func (s *Store) UserIdentities(ctx context.Context, userID string) ([]authgate.LinkedIdentity, error) {
	return queryAll(ctx, s, "list identities", func(row pgx.Row) (authgate.LinkedIdentity, error) {
		var iss, sub []byte
		err := row.Scan(&iss, &sub)
		return authgate.LinkedIdentity{Issuer: string(iss), Subject: string(sub)}, err
	}, `SELECT issuer, subject FROM authgate_identities WHERE user_id = $1 ORDER BY issuer, subject LIMIT $2`,
		[]byte(userID), authgate.MaxUserIdentities)
}

// UnlinkIdentity removes the link of issuer and subject to userID, or
// returns an error wrapping [authgate.ErrNotFound].
func (s *Store) UnlinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	return s.execOne(ctx, "unlink identity", `DELETE FROM authgate_identities WHERE issuer = $1 AND subject = $2 AND user_id = $3`,
		[]byte(issuer), []byte(subject), []byte(userID))
}
