package authgate

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
)

// DefaultMaxUserSessions is the default of [Config.MaxUserSessions]: how
// many live sessions one user may have, on as many browsers or devices,
// before a sign-in ends the oldest.
const DefaultMaxUserSessions = 10

// capSessions ends the oldest live sessions of s's user beyond
// [Config.MaxUserSessions], keeping s, which has just been created.
//
// It runs after the new session is stored and works through the store's
// UserSessions and RevokeSession, so every store honours the cap and it
// holds with several instances sharing one store: sign-ins that race each
// list after storing their own session, so the one that lists last sees
// every session and trims to the cap, and a trim never ends a session that
// a later, fuller listing would keep. (Checking the count before storing
// would let two racing sign-ins both stay under the cap and both add one.)
// A store error leaves the sign-in valid and is logged; the next sign-in
// trims again.
func (g *Gate) capSessions(ctx context.Context, s Session) {
	limit := g.cfg.MaxUserSessions
	if limit < 0 {
		return
	}
	all, err := g.store.UserSessions(ctx, s.UserID)
	if err != nil {
		g.log.LogAttrs(ctx, warnLevel, "authgate: listing a user's sessions to cap them failed", userIDAttr(s.UserID), errAttr(err))
		return
	}
	now := g.cfg.Now()
	others := slices.DeleteFunc(all, func(x Session) bool {
		return x.ID == s.ID || x.Revoked || !now.Before(x.IdleDeadline())
	})
	if len(others) < limit {
		return
	}
	slices.SortFunc(others, func(a, b Session) int { // newest first
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(b.ID[:], a.ID[:])
	})
	ended := 0
	for _, x := range others[limit-1:] {
		err := g.store.RevokeSession(ctx, x.ID)
		if errors.Is(err, ErrNotFound) {
			continue // gone meanwhile
		}
		if err != nil {
			g.log.LogAttrs(ctx, warnLevel, "authgate: ending a session over the user's cap failed", userIDAttr(s.UserID), errAttr(err))
			continue
		}
		ended++
	}
	g.log.LogAttrs(ctx, infoLevel, "authgate: ended the oldest sessions of a user over the cap",
		userIDAttr(s.UserID), slog.Int("ended", ended), slog.Int("cap", limit))
}

// userIDAttr is a user's stable id as a log attribute.
func userIDAttr(id string) slog.Attr { return slog.String("user_id", truncate(id, 64)) }
