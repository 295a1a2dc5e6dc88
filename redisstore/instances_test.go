package redisstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
)

// seenWithin is how soon a revocation on one instance must be seen by the
// others.
const seenWithin = 50 * time.Millisecond

// twoInstances plays two app instances, each with its own client and
// client-side cache, against the Redis at addrs: a session made on A is
// read on B, revoked on B, and A must refuse it within seenWithin although
// A had it cached. The same for an API key.
func twoInstances(t *testing.T, addrs []string) {
	ctx := context.Background()
	prefix := (&prefixer{}).next() + "two:"
	a := openStore(t, Options{Addrs: addrs, Prefix: prefix})
	b := openStore(t, Options{Addrs: addrs, Prefix: prefix})

	t.Run("session", func(t *testing.T) {
		sess := newSession("alice")
		if err := a.CreateSession(ctx, sess); err != nil {
			t.Fatalf("A: CreateSession: %v", err)
		}
		for name, s := range map[string]*Store{"A": a, "B": b} {
			for range 2 { // the second read comes from the cache
				got, err := s.Session(ctx, sess.ID)
				if err != nil || got.Revoked {
					t.Fatalf("%s: Session = revoked %v, %v; want a live session", name, got.Revoked, err)
				}
			}
		}
		if err := b.RevokeSession(ctx, sess.ID); err != nil {
			t.Fatalf("B: RevokeSession: %v", err)
		}
		revokedAt := time.Now()
		var last error
		seen := waitFor(seenWithin, func() bool {
			got, err := a.Session(ctx, sess.ID)
			last = err
			return err == nil && got.Revoked
		})
		if !seen {
			t.Fatalf("A still saw the session live %v after B revoked it (last error %v)", time.Since(revokedAt), last)
		}
		t.Logf("A saw the revocation after %v", time.Since(revokedAt))
	})

	t.Run("api key", func(t *testing.T) {
		var h authgate.Hash
		k := authgate.APIKey{ID: "key_two", SecretHash: h, Name: "ci", UserID: "alice", CreatedAt: time.Now()}
		if err := a.CreateKey(ctx, k); err != nil {
			t.Fatalf("A: CreateKey: %v", err)
		}
		for name, s := range map[string]*Store{"A": a, "B": b} {
			if got, err := s.Key(ctx, k.ID); err != nil || got.Revoked {
				t.Fatalf("%s: Key = revoked %v, %v; want a live key", name, got.Revoked, err)
			}
		}
		if err := b.RevokeKey(ctx, k.ID); err != nil {
			t.Fatalf("B: RevokeKey: %v", err)
		}
		if !waitFor(seenWithin, func() bool {
			got, err := a.Key(ctx, k.ID)
			return err == nil && got.Revoked
		}) {
			t.Fatalf("A still saw the key live %v after B revoked it", seenWithin)
		}
	})

	t.Run("revoke all", func(t *testing.T) {
		sessions := []authgate.Session{newSession("bob"), newSession("bob"), newSession("bob")}
		for _, x := range sessions {
			if err := a.CreateSession(ctx, x); err != nil {
				t.Fatalf("A: CreateSession: %v", err)
			}
			if _, err := a.Session(ctx, x.ID); err != nil { // cache it on A
				t.Fatalf("A: Session: %v", err)
			}
		}
		n, err := b.RevokeUserSessions(ctx, "bob")
		if err != nil || n != len(sessions) {
			t.Fatalf("B: RevokeUserSessions = %d, %v; want %d", n, err, len(sessions))
		}
		for _, x := range sessions {
			if !waitFor(seenWithin, func() bool {
				got, err := a.Session(ctx, x.ID)
				return err == nil && got.Revoked
			}) {
				t.Errorf("A still saw session %s live after B revoked all", x.ID.String()[:8])
			}
		}
	})

	t.Run("new session", func(t *testing.T) {
		// B asked for a session before it existed; its cached "not found"
		// must not hide the session once A makes it.
		sess := newSession("carol")
		if _, err := b.Session(ctx, sess.ID); !errors.Is(err, authgate.ErrNotFound) {
			t.Fatalf("B: Session before it exists: %v, want ErrNotFound", err)
		}
		if err := a.CreateSession(ctx, sess); err != nil {
			t.Fatalf("A: CreateSession: %v", err)
		}
		if !waitFor(seenWithin, func() bool {
			_, err := b.Session(ctx, sess.ID)
			return err == nil
		}) {
			t.Fatalf("B did not see a session made on A within %v", seenWithin)
		}
	})
}

// TestTwoInstances runs twoInstances against one redis-server.
func TestTwoInstances(t *testing.T) {
	srv := redistest.Start(t)
	twoInstances(t, []string{srv.Addr})
}
