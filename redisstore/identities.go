package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate"
)

// The store keeps identity providers' links: authgate.IdentityStore.
var _ authgate.IdentityStore = (*Store)(nil)

// A link is two records in two cluster slots: the pair's key names the
// user (keyspace.identity), and the user's index (keyspace.userIdentities)
// holds the pair. A link holds only while both agree, so the index decides
// and each change to it is one command: deleting the index with the user
// unlinks every account of the user at once. A pair's key that names a
// user whose index lacks the pair is a leftover that the next link of the
// pair replaces.

// linkMember is a pair as the user's index holds it: issuer and subject in
// hex, joined by a space, so that the index's byte-wise order is the
// order of issuer, then subject.
func linkMember(issuer, subject string) string {
	return hex.EncodeToString([]byte(issuer)) + " " + hex.EncodeToString([]byte(subject))
}

// parseLinkMember reads what linkMember writes.
func parseLinkMember(m string) (authgate.LinkedIdentity, error) {
	iss, sub, ok := strings.Cut(m, " ")
	bi, err1 := hex.DecodeString(iss)
	bs, err2 := hex.DecodeString(sub)
	if !ok || err1 != nil || err2 != nil {
		return authgate.LinkedIdentity{}, errors.New("an identity index holds a member that is not a link")
	}
	return authgate.LinkedIdentity{Issuer: string(bi), Subject: string(bs)}, nil
}

// maxLinkTries bounds how often LinkIdentity retries when others change
// the pair's key under it.
const maxLinkTries = 3

// LinkIdentity links issuer and subject to userID: it adds the pair to the
// user's index, then claims the pair's key with SET NX, so two instances
// linking the same pair at once cannot both succeed; the loser gets an
// error wrapping authgate.ErrDuplicate.
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	c, key, m := s.client, s.keys.identity(issuer, subject), linkMember(issuer, subject)
	index, _ := s.keys.userIdentities(userID)
	added, err := c.Do(ctx, c.B().Zadd().Key(index).ScoreMember().ScoreMember(0, m).Build()).AsInt64()
	if err != nil {
		return wrap("indexing an identity", err)
	}
	for range maxLinkTries {
		err := c.Do(ctx, c.B().Set().Key(key).Value(userID).Nx().Build()).Error()
		if err == nil {
			return nil
		}
		if !rueidis.IsRedisNil(err) {
			return wrap("linking an identity", err)
		}
		cur, err := c.Do(ctx, c.B().Get().Key(key).Build()).ToString()
		switch {
		case rueidis.IsRedisNil(err):
			continue // unlinked meanwhile: claim it again
		case err != nil:
			return wrap("reading an identity", err)
		case cur == userID:
			// The pair's key names this user: linked already, unless
			// the pair was missing from the index this call added it to.
			if added == 1 {
				return nil
			}
			return fmt.Errorf("redisstore: identity: %w", authgate.ErrDuplicate)
		}
		held, err := s.linkHolds(ctx, cur, m)
		if err != nil {
			return err
		}
		if held {
			return s.unindex(ctx, index, m, added, fmt.Errorf("redisstore: identity: %w", authgate.ErrDuplicate))
		}
		// A leftover of a removed link: take it over, unless another
		// instance changed it first.
		n, err := s.scripts.swap.Exec(ctx, c, []string{key}, []string{cur, userID}).AsInt64()
		if err != nil {
			return wrap("linking an identity", err)
		}
		if n == 1 {
			return nil
		}
	}
	return s.unindex(ctx, index, m, added, fmt.Errorf("redisstore: identity: %w", authgate.ErrDuplicate))
}

// unindex takes back the member m that LinkIdentity added to index (added
// is ZADD's answer), and returns err.
func (s *Store) unindex(ctx context.Context, index, m string, added int64, err error) error {
	if added == 0 {
		return err
	}
	if uerr := s.client.Do(ctx, s.client.B().Zrem().Key(index).Member(m).Build()).Error(); uerr != nil {
		return wrap("unindexing an identity", uerr)
	}
	return err
}

// linkHolds reports whether the user's index holds the pair m.
func (s *Store) linkHolds(ctx context.Context, userID, m string) (bool, error) {
	index, _ := s.keys.userIdentities(userID)
	_, err := s.client.Do(ctx, s.client.B().Zscore().Key(index).Member(m).Build()).AsFloat64()
	switch {
	case rueidis.IsRedisNil(err):
		return false, nil
	case err != nil:
		return false, wrap("reading an identity index", err)
	}
	return true, nil
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
	held, err := s.linkHolds(ctx, id, linkMember(issuer, subject))
	if err != nil {
		return "", err
	}
	if !held {
		return "", fmt.Errorf("redisstore: identity: %w", authgate.ErrNotFound)
	}
	return id, nil
}

// UserIdentities lists the accounts linked to userID, by issuer and then
// subject, byte-wise: the first [authgate.MaxUserIdentities] of the user's
// index, less any whose pair's key names another user (a link that
// another instance is making or undoing at that moment).
func (s *Store) UserIdentities(ctx context.Context, userID string) ([]authgate.LinkedIdentity, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	c := s.client
	index, _ := s.keys.userIdentities(userID)
	members, err := c.Do(ctx, c.B().Zrangebylex().Key(index).Min("-").Max("+").Limit(0, authgate.MaxUserIdentities).Build()).AsStrSlice()
	if err != nil {
		return nil, wrap("listing identities", err)
	}
	if len(members) == 0 {
		return nil, nil
	}
	links := make([]authgate.LinkedIdentity, len(members))
	cmds := make(rueidis.Commands, len(members))
	for i, m := range members {
		if links[i], err = parseLinkMember(m); err != nil {
			return nil, wrap("listing identities", err)
		}
		cmds[i] = c.B().Get().Key(s.keys.identity(links[i].Issuer, links[i].Subject)).Build()
	}
	var out []authgate.LinkedIdentity
	for i, r := range c.DoMulti(ctx, cmds...) {
		id, err := r.ToString()
		switch {
		case rueidis.IsRedisNil(err):
		case err != nil:
			return nil, wrap("listing identities", err)
		case id == userID:
			out = append(out, links[i])
		}
	}
	return out, nil
}

// UnlinkIdentity removes the link of issuer and subject to userID, or
// returns an error wrapping [authgate.ErrNotFound]. Removing the pair from
// the user's index unlinks it; the pair's key goes next, if it still names
// the user.
func (s *Store) UnlinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	c, key, id := s.client, s.keys.identity(issuer, subject), userID
	index, _ := s.keys.userIdentities(id)
	n, err := c.Do(ctx, c.B().Zrem().Key(index).Member(linkMember(issuer, subject)).Build()).AsInt64()
	if err != nil {
		return wrap("unlinking an identity", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: identity: %w", authgate.ErrNotFound)
	}
	if err := s.scripts.release.Exec(ctx, c, []string{key}, []string{id}).Error(); err != nil {
		return wrap("unlinking an identity", err)
	}
	return nil
}

// forgetLinks deletes the pairs' keys of a user's links, which deleting
// the user's index has already undone; a key left by a failure costs only
// memory until its pair is linked again. members are the index's.
func (s *Store) forgetLinks(ctx context.Context, userID string, members []string) error {
	var execs []rueidis.LuaExec
	for _, m := range members {
		if l, err := parseLinkMember(m); err == nil {
			execs = append(execs, rueidis.LuaExec{Keys: []string{s.keys.identity(l.Issuer, l.Subject)}, Args: []string{userID}})
		}
	}
	if len(execs) == 0 {
		return nil
	}
	for _, r := range s.scripts.release.ExecMulti(ctx, s.client, execs...) {
		if err := r.Error(); err != nil {
			return wrap("deleting a removed user's identities", err)
		}
	}
	return nil
}
