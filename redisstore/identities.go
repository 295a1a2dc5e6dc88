package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate"
)

// The store keeps identity providers' links: authgate.IdentityStore.
var _ authgate.IdentityStore = (*Store)(nil)

// LinkIdentity links issuer and subject to userID with SET NX, so two
// instances linking the same pair at once cannot both succeed; the loser
// gets an error wrapping authgate.ErrDuplicate.
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	c := s.client
	err := c.Do(ctx, c.B().Set().Key(s.keys.identity(issuer, subject)).Value(userID).Nx().Build()).Error()
	if rueidis.IsRedisNil(err) {
		return fmt.Errorf("redisstore: identity: %w", authgate.ErrDuplicate)
	}
	if err != nil {
		return wrap("linking an identity", err)
	}
	return nil
}

// IdentityUser returns the user id linked to issuer and subject, or an
// error wrapping authgate.ErrNotFound.
func (s *Store) IdentityUser(ctx context.Context, issuer, subject string) (string, error) {
	if err := stopped(ctx); err != nil {
		return "", err
	}
	id, err := s.client.Do(ctx, s.client.B().Get().Key(s.keys.identity(issuer, subject)).Build()).ToString()
	if rueidis.IsRedisNil(err) {
		return "", fmt.Errorf("redisstore: identity: %w", authgate.ErrNotFound)
	}
	if err != nil {
		return "", wrap("reading an identity", err)
	}
	return id, nil
}
