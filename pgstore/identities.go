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
