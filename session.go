package authgate

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// tokenLen is the length of a session token: 32 random bytes, base64url.
const tokenLen = 43

// newToken returns a fresh 256-bit session token and its hash.
func newToken() (string, Hash) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:]), HashOf(b[:])
}

// tokenHash decodes a session token and returns its hash, without
// allocating. ok is false for anything that is not a token's shape.
func tokenHash(tok string) (h Hash, ok bool) {
	if len(tok) != tokenLen {
		return h, false
	}
	var src [tokenLen]byte
	copy(src[:], tok)
	var raw [32]byte
	n, err := base64.RawURLEncoding.Strict().Decode(raw[:], src[:])
	if err != nil || n != len(raw) {
		return h, false
	}
	return HashOf(raw[:]), true
}

// authResult is what the gate learned about a request's credentials.
type authResult struct {
	id      Identity
	ok      bool    // signed in
	reason  Reason  // why not, when !ok
	session Session // the session, when id.Method is MethodSession
	// companion is the companion cookie the request carried, read in the
	// same pass over the Cookie header as the session cookie.
	companion string
	retry     int   // >0: throttled, retry after this many seconds
	err       error // the store failed
}

// sessionAuth checks the session cookie of r at now, the request's time,
// and touches a valid session when its last-seen time is a slot behind.
func (g *Gate) sessionAuth(ctx context.Context, r *http.Request, now time.Time, res *authResult) {
	g.sessionState(ctx, r, now, res)
	if !res.ok {
		return
	}
	s, h := &res.session, res.id.SessionID
	if seen := g.touchSlot(now); seen.After(s.LastSeen) && g.claimTouch(h, seen) {
		if err := g.store.TouchSession(ctx, h, seen); err != nil {
			// The request is still valid: serve it and try again later.
			g.log.LogAttrs(ctx, warnLevel, "authgate: touching a session failed", errAttr(err))
		} else {
			s.LastSeen = seen
		}
	}
}

// sessionState decides what the session cookie of r says at now, without
// writing the store: signed in (res.ok), or the reason why not, with the
// stored session when the store still knows it. It is the one place that
// decides; [Gate.Require] and the login page's note both read it.
func (g *Gate) sessionState(ctx context.Context, r *http.Request, now time.Time, res *authResult) {
	tok, present, companion, _ := cookieValues(r, g.sessionCookieName(r), CompanionCookie)
	res.companion = companion
	h, ok := tokenHash(tok)
	if !present || !ok {
		res.reason = ReasonNone
		return
	}
	s, err := g.store.Session(ctx, h)
	switch {
	case errors.Is(err, ErrNotFound):
		// A well-formed token the store no longer knows: its session ended
		// and was purged.
		res.reason = ReasonExpired
		return
	case err != nil:
		res.err = err
		return
	case s.Revoked:
		res.reason = ReasonRevoked
		return
	case !now.Before(s.IdleDeadline()):
		res.reason = ReasonExpired
		res.session = s
		return
	}
	res.ok = true
	res.session = s
	res.id = Identity{UserID: s.UserID, UserName: s.UserName, Method: MethodSession, SessionID: h}
}

// touchSlot returns the last-seen time a request at now writes: now rounded
// down to a multiple of the touch interval. A session is touched when a
// request falls in a later slot than its stored last-seen time, so the idle
// deadline is never more than one interval early, and every gate instance
// sharing a store writes the same value within a slot: stores ignore a
// last-seen time that does not move forward, so a burst spread over many
// instances still costs one write per interval.
func (g *Gate) touchSlot(now time.Time) time.Time {
	return now.Truncate(g.cfg.TouchInterval)
}

// claimTouch makes sure that, of many concurrent requests on one session in
// this process, only one writes the store per slot.
func (g *Gate) claimTouch(key any, slot time.Time) bool {
	n := slot.UnixNano()
	prev, loaded := g.touches.LoadOrStore(key, n)
	if !loaded {
		g.sweepTouches(slot)
		return true
	}
	p := prev.(int64)
	if n <= p {
		return false
	}
	return g.touches.CompareAndSwap(key, p, n)
}

// sweepTouches forgets touch claims older than the touch interval, every
// few thousand claims, so that the map holds only active sessions.
func (g *Gate) sweepTouches(now time.Time) {
	if g.claims.Add(1)%4096 != 0 {
		return
	}
	cutoff := now.UnixNano() - int64(g.cfg.TouchInterval)
	g.touches.Range(func(k, v any) bool {
		if v.(int64) < cutoff {
			g.touches.CompareAndDelete(k, v)
		}
		return true
	})
}

// SignIn starts a new session for u and sets its cookies on w. It always
// issues a new token, so a token planted before sign-in is never promoted,
// and it revokes the session r carried, if any. When the user then has more
// than [Config.MaxUserSessions] live sessions, it ends the oldest; the cap
// holds with several instances sharing a store. Apps with their own login handler call it after
// checking the user's credentials.
func (g *Gate) SignIn(ctx context.Context, w http.ResponseWriter, r *http.Request, u User) (Session, error) {
	if u.ID == "" {
		return Session{}, errors.New("authgate: SignIn needs a user id")
	}
	g.revokeCarried(ctx, r)
	now := g.cfg.Now()
	tok, h := newToken()
	s := Session{
		ID:          h,
		UserID:      u.ID,
		UserName:    displayName(u),
		CreatedAt:   now,
		LastSeen:    now,
		IdleTimeout: g.cfg.IdleTimeout,
		Expires:     now.Add(g.cfg.Lifetime),
		UserAgent:   truncate(headerValue(r.Header, "User-Agent"), 256),
		Address:     truncate(g.cfg.ClientAddr(r), 64),
	}
	if err := g.store.CreateSession(ctx, s); err != nil {
		return Session{}, fmt.Errorf("authgate: creating a session: %w", err)
	}
	g.capSessions(ctx, s)
	g.setSessionCookie(w, r, tok)
	g.setCompanion(w, r, &s, "")
	return s, nil
}

// SignOut revokes the session r carries, if any, and clears its cookies.
// When the store cannot revoke it, SignOut returns the error and leaves the
// cookies alone: the session is still valid, and the user can try again.
func (g *Gate) SignOut(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	if err := g.revokeCarried(ctx, r); err != nil {
		return err
	}
	g.setSessionCookie(w, r, "")
	g.clearCompanion(w, r)
	return nil
}

// revokeCarried revokes the session whose token r carries.
func (g *Gate) revokeCarried(ctx context.Context, r *http.Request) error {
	tok, _ := cookieValue(r, g.sessionCookieName(r))
	h, ok := tokenHash(tok)
	if !ok {
		return nil
	}
	err := g.store.RevokeSession(ctx, h)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("authgate: revoking a session: %w", err)
	}
	return nil
}

// keepalive extends the session honestly: it writes the store whatever the
// touch interval says.
func (g *Gate) keepalive(ctx context.Context, res *authResult, now time.Time) error {
	if err := g.store.TouchSession(ctx, res.id.SessionID, now); err != nil {
		return err
	}
	res.session.LastSeen = now
	return nil
}

func displayName(u User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Login
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
